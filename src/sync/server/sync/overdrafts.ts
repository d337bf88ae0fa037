import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import { groupBalances } from './balances.ts';
import { finding } from './inbox-findings.ts';

/**
 * An `overdraft` finding for each new entry that left its customer's merge group below zero. A redemption
 * that overdraws is kept (it happened at the till) and raised for the managers, never dropped (docs/architecture.md#offline-redemption).
 */
export async function overdraftFindings(tx: Queryable, ctx: PushContext, inserted: readonly LoyaltyEntry[], now: string): Promise<InboxItem[]> {
  // The balance right after each entry: the group's final balance minus the batch's later entries, so
  // only the redemption that actually crossed zero (and any after it) is flagged.
  const groups = await groupBalances(tx, ctx.merchantId, inserted.map((entry) => entry.customerId));
  const balances = new Map<string, number>();
  for (const { root, balance } of groups.values()) balances.set(root, balance);
  const findings: InboxItem[] = [];
  for (const entry of [...inserted].reverse()) {
    const root = groups.get(entry.customerId)?.root ?? entry.customerId;
    const after = balances.get(root) ?? 0;
    balances.set(root, after - entry.points);
    if (entry.points >= 0 || after >= 0) continue;
    findings.unshift(finding(ctx.merchantId, now, 'overdraft', entry.id, {
      customerId: entry.customerId,
      relatedId: entry.id,
      targetCollection: 'loyaltyEntries',
      code: 'INSUFFICIENT_POINTS',
      details: { balance: String(after), points: String(entry.points), offline: String(entry.offline), terminalId: entry.terminalId },
    }));
  }
  return findings;
}
