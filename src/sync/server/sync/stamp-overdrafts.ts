import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import { groupStampCounts } from './balances.ts';
import { finding } from './inbox-findings.ts';

/**
 * An `overdraft` finding (details `unit: stamps`) for each new stamp debit that left its merge group's stamp
 * count below zero: a card redeemed before it was full — two offline tills redeeming the same full card, or a
 * hostile one — or a void taking back stamps a redemption already spent. The line is kept (the reward was
 * handed over) and raised for the managers, as a points overdraft is (docs/loyalty.md#stamp-cards).
 */
export async function stampOverdraftFindings(tx: Queryable, ctx: PushContext, inserted: readonly LoyaltyEntry[], now: string): Promise<InboxItem[]> {
  const debits = inserted.filter((entry) => (entry.stamps ?? 0) < 0);
  if (debits.length === 0) return [];
  const groups = await groupStampCounts(tx, ctx.merchantId, debits.map((entry) => entry.customerId));
  const counts = new Map<string, number>();
  for (const { root, balance } of groups.values()) counts.set(root, balance);
  const findings: InboxItem[] = [];
  // The count right after each line: the group's final count minus the batch's later stamp lines.
  for (const entry of [...inserted].reverse()) {
    const root = groups.get(entry.customerId)?.root;
    if (root === undefined) continue;
    const after = counts.get(root) ?? 0;
    counts.set(root, after - (entry.stamps ?? 0));
    if ((entry.stamps ?? 0) >= 0 || after >= 0) continue;
    findings.unshift(finding(ctx.merchantId, now, 'overdraft', entry.id, {
      customerId: entry.customerId,
      relatedId: entry.id,
      targetCollection: 'loyaltyEntries',
      code: 'STAMP_CARD_NOT_FULL',
      details: { unit: 'stamps', kind: entry.kind, stamps: String(entry.stamps ?? 0), balance: String(after), offline: String(entry.offline), terminalId: entry.terminalId, ...(entry.visitId ? { visitId: entry.visitId } : {}) },
    }));
  }
  return findings;
}
