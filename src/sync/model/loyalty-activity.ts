import { isStampKind, type LoyaltyEntry, type LoyaltyKind } from './loyalty-entry.ts';
import { expiryState } from './loyalty-expiry.ts';
import type { LedgerSummary } from './loyalty.ts';
import type { Program } from './settings.ts';

// A customer's loyalty activity (docs/loyalty.md): every ledger line and every derived expiry, with the
// running balance after it, newest first. The running balance is computed over the whole ledger before any
// filter, so a filtered view still shows the true balance after each line it keeps.

/** One line of the activity. Derived expiry lines have no store, terminal or staff. */
export interface ActivityLine {
  readonly id: string;
  readonly kind: LoyaltyKind;
  readonly points: number;
  /** Balance right after this line (expired points excluded). */
  readonly balance: number;
  readonly occurredAt: string;
  readonly customerId: string;
  readonly storeId: string | null;
  readonly staffId: string | null;
  readonly note: string;
  readonly visitId: string | null;
  readonly rewardId: string | null;
  readonly reversesId: string | null;
  readonly offline: boolean;
  /** Expiry the programme derived (never a stored line). */
  readonly derived: boolean;
  /** Points of this line already taken back by reversals (0 when none). */
  readonly reversed: number;
}

/** Which lines an activity view shows: kinds (all when empty), and an inclusive ISO date-time range. */
export interface ActivityFilter {
  readonly kinds?: readonly LoyaltyKind[];
  readonly from?: string | null;
  readonly to?: string | null;
}

function lineOf(e: LoyaltyEntry, reversed: number): Omit<ActivityLine, 'balance'> {
  const { id, kind, points, occurredAt, customerId, storeId, staffId, note, visitId, rewardId, reversesId, offline } = e;
  return { id, kind, points, occurredAt, customerId, storeId, staffId, note, visitId, rewardId, reversesId, offline, derived: false, reversed };
}

/** How many points of each line reversals have taken back (by the reversed line's id). */
export function reversedPoints(entries: readonly LoyaltyEntry[]): Map<string, number> {
  const reversed = new Map<string, number>();
  for (const e of entries) {
    if (e._deleted || e.kind !== 'reversal' || e.reversesId === null) continue;
    reversed.set(e.reversesId, (reversed.get(e.reversesId) ?? 0) + Math.abs(e.points));
  }
  return reversed;
}

/**
 * The activity of a ledger at `now`: stored lines plus derived expiry, newest first, each with the balance after
 * it. Order among equal instants is by id (expiry before lines at the same instant, as expiry derives it).
 */
export function activityLines(entries: readonly LoyaltyEntry[], program: Pick<Program, 'expiryDays'>, now: Date): ActivityLine[] {
  const reversed = reversedPoints(entries);
  // Stamp lines are the stamp card's (stamp-card.ts), not the points activity's.
  const rows: Omit<ActivityLine, 'balance'>[] = entries.filter((e) => !e._deleted && !isStampKind(e.kind)).map((e) => lineOf(e, reversed.get(e.id) ?? 0));
  for (const x of expiryState(entries, program, now).lines) {
    rows.push({ id: x.id, kind: 'expire', points: x.points, occurredAt: x.at, customerId: x.customerId, storeId: null, staffId: null, note: '', visitId: null, rewardId: null, reversesId: x.lotId, offline: false, derived: true, reversed: 0 });
  }
  rows.sort((a, b) => {
    const d = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
    if (d !== 0) return d;
    if (a.derived !== b.derived) return a.derived ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  let balance = 0;
  const out = rows.map((row) => ({ ...row, balance: (balance += row.points) }));
  return out.reverse();
}

/** The lines a filter keeps (balances unchanged). */
export function filterActivity(lines: readonly ActivityLine[], filter: ActivityFilter): ActivityLine[] {
  const kinds = filter.kinds && filter.kinds.length > 0 ? new Set(filter.kinds) : null;
  const from = filter.from ? Date.parse(filter.from) : -Infinity;
  const to = filter.to ? Date.parse(filter.to) : Infinity;
  return lines.filter((line) => {
    const t = Date.parse(line.occurredAt);
    return (!kinds || kinds.has(line.kind)) && t >= from && t <= to;
  });
}

/** A ledger summary at an instant: the spendable balance (expired points out) and what expires soon. */
export interface LoyaltyStanding extends LedgerSummary {
  /** The ledger sum before expiry. */
  readonly ledgerBalance: number;
  readonly expired: number;
  /** Points that expire within 30 days, and when the first of them does. */
  readonly expiringSoon: number;
  readonly nextExpiryAt: string | null;
}

/** `summary` (a group's ledger sums) at `now`: its balance net of the expiry derived from `entries`. */
export function standingAt(summary: LedgerSummary, entries: readonly LoyaltyEntry[], program: Pick<Program, 'expiryDays'>, now: Date): LoyaltyStanding {
  const expiry = expiryState(entries, program, now);
  return { ...summary, ledgerBalance: summary.balance, balance: summary.balance - expiry.expired, expired: expiry.expired, expiringSoon: expiry.expiringSoon, nextExpiryAt: expiry.nextExpiryAt };
}
