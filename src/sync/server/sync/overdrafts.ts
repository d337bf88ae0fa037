import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import { mergeGroup, sumPoints } from './balances.ts';
import { finding } from './inbox-findings.ts';

/**
 * An `overdraft` finding for each new entry that left its customer's merge group below zero. A redemption
 * that overdraws is kept (it happened at the till) and raised for the managers, never dropped (DESIGN §4).
 */
export async function overdraftFindings(tx: Queryable, ctx: PushContext, inserted: readonly LoyaltyEntry[], now: string): Promise<InboxItem[]> {
  // The balance right after each entry: the group's final balance minus the batch's later entries, so
  // only the redemption that actually crossed zero (and any after it) is flagged.
  const groups = new Map<string, string[]>();
  const balances = new Map<string, number>();
  for (const entry of inserted) {
    if (groups.has(entry.customerId)) continue;
    const group = await mergeGroup(tx, ctx.merchantId, entry.customerId);
    const key = [...group].sort().join(',');
    for (const id of group) groups.set(id, [key]);
    groups.set(entry.customerId, [key]);
    if (!balances.has(key)) balances.set(key, await sumPoints(tx, ctx.merchantId, group));
  }
  const findings: InboxItem[] = [];
  for (const entry of [...inserted].reverse()) {
    const key = groups.get(entry.customerId)?.[0] ?? entry.customerId;
    const after = balances.get(key) ?? 0;
    balances.set(key, after - entry.points);
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
