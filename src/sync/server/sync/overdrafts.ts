import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import type { Program } from '../../model/settings.ts';
import { groupAvailableBalances } from './balances.ts';
import { finding } from './inbox-findings.ts';

/**
 * An `overdraft` finding for each new entry that left its customer's merge group below zero. A redemption
 * that overdraws is kept (it happened at the till) and raised for the managers, never dropped (docs/architecture.md#offline-redemption).
 */
export async function overdraftFindings(tx: Queryable, ctx: PushContext, inserted: readonly LoyaltyEntry[], program: Pick<Program, 'expiryDays'>, now: string): Promise<InboxItem[]> {
  // Only a debit can overdraw; a batch of earns costs no read.
  if (!inserted.some((entry) => entry.points < 0)) return [];
  // The balance right after each entry: the group's final balance minus the batch's later entries, so
  // only the redemption that actually crossed zero (and any after it) is flagged.
  // Balances are spendable ones (derived expiry out), as every terminal computes them at the same instant.
  const groups = await groupAvailableBalances(tx, ctx.merchantId, inserted.map((entry) => entry.customerId), program, new Date(now));
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
      // What happened, with its own figures: the line's kind and points (a void's reversal is not a redemption),
      // the balance it left, whether it was written offline, and the visit a reversal belongs to.
      details: { kind: entry.kind, balance: String(after), points: String(entry.points), offline: String(entry.offline), terminalId: entry.terminalId, ...(entry.visitId ? { visitId: entry.visitId } : {}) },
    }));
  }
  return findings;
}
