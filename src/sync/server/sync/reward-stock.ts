import { SYSTEM_ACTOR_ID } from '../../model/common.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import { serverUpdatedAt, writeServerDocs } from './server-writes.ts';
import type { Doc } from './tables.ts';

/**
 * A redemption of a stock-limited reward takes one from its stock. Cashiers cannot write rewards, so the
 * server does it, as an ordinary new version of the reward (never below zero; an oversold reward stays at 0
 * and its redemptions are kept — they happened at the till). Returns whether a reward was written.
 */
export async function consumeRewardStock(tx: Queryable, ctx: PushContext, entries: readonly LoyaltyEntry[], now: string): Promise<boolean> {
  const counts = new Map<string, number>();
  for (const entry of entries) if (entry.kind === 'redeem' && entry.rewardId) counts.set(entry.rewardId, (counts.get(entry.rewardId) ?? 0) + 1);
  if (counts.size === 0) return false;
  const { rows } = await tx.query<{ doc: Doc & { stock: number | null; updatedAt: string } }>(
    `SELECT doc FROM rewards WHERE merchant_id = $1 AND id = ANY($2::text[]) AND NOT deleted`,
    [ctx.merchantId, [...counts.keys()]],
  );
  const updated = rows
    .filter(({ doc }) => doc.stock !== null && doc.stock > 0)
    .map(({ doc }) => ({ ...doc, stock: Math.max(0, (doc.stock ?? 0) - (counts.get(doc.id) ?? 0)), updatedAt: serverUpdatedAt(doc.updatedAt, now), updatedBy: SYSTEM_ACTOR_ID }) as Doc);
  return updated.length > 0 && (await writeServerDocs(tx, 'rewards', ctx.merchantId, updated, { onlyNew: false, reserveVersions: !ctx.brokenClockForTests })) > 0;
}
