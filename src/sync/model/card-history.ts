import { earnEntryId } from './ids.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { Visit } from './visit.ts';

/**
 * One line of the customer card's history: a visit, with whether its points are in the ledger yet, or a
 * redemption.
 */
export type HistoryRow =
  | { kind: 'visit'; at: string; visit: Visit; pointsArrived: boolean }
  | { kind: 'redeem'; at: string; entry: LoyaltyEntry };

/**
 * Visits and redemptions of a merge group, newest first. A visit's points count as arrived only once its
 * earning line is in the ledger (or it earned nothing): a second terminal may receive the visit before the
 * line, and the history must never show points the balance does not hold yet.
 */
export function cardHistory(visits: readonly Visit[], entries: readonly LoyaltyEntry[]): HistoryRow[] {
  const ledger = new Set(entries.map((entry) => entry.id));
  const rows: HistoryRow[] = [
    ...visits.map((visit) => ({ kind: 'visit' as const, at: visit.occurredAt, visit, pointsArrived: visit.pointsEarned === 0 || ledger.has(earnEntryId(visit.id)) })),
    ...entries.filter((entry) => entry.kind === 'redeem').map((entry) => ({ kind: 'redeem' as const, at: entry.occurredAt, entry })),
  ];
  return rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}
