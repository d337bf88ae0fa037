import { DAY_MS } from './dates.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { Program } from './settings.ts';

// Derived expiry (docs/loyalty.md). Expired points are never written as ledger lines by the app: every
// replica and the server compute them from the same set of lines with this one function, so they leave every
// balance at the same moment everywhere, are "written" once however many terminals or server instances run
// (nothing is written), and a late-synced earlier line corrects the result instead of doubling it (the answer
// is a function of the set of lines, not of the order they arrived in).
//
// Model: every positive line is a lot dated by its `occurredAt` that expires `expiryDays` later. A negative
// reversal naming a lot cancels that lot first (a voided visit removes its own points), the rest is an
// ordinary debit. Debits (redeem, negative adjust, written `expire` lines of older versions, that rest)
// consume the oldest lot still alive at the debit's time; a debit with nothing left to consume is debt, which
// the next lots pay first. At its expiry instant, whatever is left of a lot expires. Lines are processed by
// (occurredAt, id); at equal instants expiry comes first.

/** One derived expiry: what was left of lot `lotId` when it expired at `at`. */
export interface DerivedExpiry {
  /** Deterministic: `expire:<lot id>`, the same on every replica. */
  readonly id: string;
  readonly lotId: string;
  readonly customerId: string;
  /** ISO instant the lot expired. */
  readonly at: string;
  /** Negative: the points that left the balance. */
  readonly points: number;
}

/** The derived expiry of a ledger at an instant. */
export interface ExpiryState {
  /** Points expired up to `now` (≥ 0). */
  readonly expired: number;
  /** Every expiry up to `now`, oldest first. */
  readonly lines: readonly DerivedExpiry[];
  /** Points still alive at `now` that expire within the next `soonDays` days, and when the first of them does. */
  readonly expiringSoon: number;
  readonly nextExpiryAt: string | null;
}

interface Lot {
  id: string;
  customerId: string;
  expiresAt: number;
  remaining: number;
}

/**
 * What the replay reads of a live ledger line: its id, customer, instant (ms), points, and for a reversal the
 * line it names (null otherwise). Readers that hold lines in another shape (the analytics' columns) build these
 * instead of whole documents, so the rule stays in this one place.
 */
export interface ExpiryLine {
  readonly id: string;
  readonly customerId: string;
  readonly at: number;
  readonly points: number;
  readonly reversesId: string | null;
}

const byTimeThenId = (a: ExpiryLine, b: ExpiryLine): number => {
  const d = a.at - b.at;
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** A ledger document as the replay reads it (tombstones are left out by the callers). */
const expiryLine = (e: LoyaltyEntry): ExpiryLine => ({
  id: e.id,
  customerId: e.customerId,
  at: Date.parse(e.occurredAt),
  points: e.points,
  reversesId: e.kind === 'reversal' ? e.reversesId : null,
});

/**
 * The lots and debt a ledger leaves at `until` (ms), with the points that expired on the way and, when `record`,
 * each expiry as a line (the dashboard needs only the sum, over every customer: no lines, no lookup table of
 * lots unless a reversal needs it).
 */
function replay(ledger: readonly ExpiryLine[], expiryDays: number, until: number, record = true) {
  const sorted = ledger.filter((e) => e.at <= until).sort(byTimeThenId);
  const lots: Lot[] = [];
  const byId = sorted.some((e) => e.reversesId !== null) ? new Map<string, Lot>() : null;
  const lines: DerivedExpiry[] = [];
  let expired = 0;
  let debt = 0;
  let next = 0; // lots before `next` have expired (lots expire in creation order: one fixed lifetime)
  const expireUpTo = (t: number) => {
    for (; next < lots.length && lots[next]!.expiresAt <= t; next++) {
      const lot = lots[next]!;
      expired += lot.remaining;
      if (record && lot.remaining > 0) lines.push({ id: `expire:${lot.id}`, lotId: lot.id, customerId: lot.customerId, at: new Date(lot.expiresAt).toISOString(), points: -lot.remaining });
      lot.remaining = 0;
    }
  };
  const consume = (points: number) => {
    for (let i = next; i < lots.length && points > 0; i++) {
      const take = Math.min(points, lots[i]!.remaining);
      lots[i]!.remaining -= take;
      points -= take;
    }
    debt += points;
  };
  for (const e of sorted) {
    const t = e.at;
    expireUpTo(t);
    if (e.points > 0) {
      const paid = Math.min(debt, e.points);
      debt -= paid;
      const lot = { id: e.id, customerId: e.customerId, expiresAt: t + expiryDays * DAY_MS, remaining: e.points - paid };
      lots.push(lot);
      byId?.set(e.id, lot);
      continue;
    }
    const target = e.reversesId !== null ? byId?.get(e.reversesId) : undefined;
    const cancel = target ? Math.min(target.remaining, -e.points) : 0;
    if (target) target.remaining -= cancel;
    consume(-e.points - cancel);
  }
  expireUpTo(until);
  return { lots: lots.slice(next), lines, debt, expired };
}

/**
 * The derived expiry of a ledger (any order, tombstones skipped) at `now`: what has expired, each expiry line,
 * and what expires within `soonDays` days (assuming nothing is spent meanwhile). Nothing expires when the
 * programme has no expiry.
 */
export function expiryState(entries: readonly LoyaltyEntry[], program: Pick<Program, 'expiryDays'>, now: Date, soonDays = 30): ExpiryState {
  if (program.expiryDays === null) return { expired: 0, lines: [], expiringSoon: 0, nextExpiryAt: null };
  const live = entries.filter((e) => !e._deleted).map(expiryLine);
  const { lots, lines } = replay(live, program.expiryDays, now.getTime());
  const horizon = now.getTime() + soonDays * DAY_MS;
  let expiringSoon = 0;
  let nextExpiryAt: string | null = null;
  for (const lot of lots) {
    if (lot.remaining <= 0 || lot.expiresAt > horizon) continue;
    expiringSoon += lot.remaining;
    nextExpiryAt ??= new Date(lot.expiresAt).toISOString();
  }
  return { expired: lines.reduce((sum, line) => sum - line.points, 0), lines, expiringSoon, nextExpiryAt };
}

/** Points of live `lines` expired by `nowMs` after `expiryDays` (the same replay as `expiryState`). */
export function expiredOfLines(lines: readonly ExpiryLine[], expiryDays: number, nowMs: number): number {
  return replay(lines, expiryDays, nowMs, false).expired;
}

/** Points expired by `now` (derived; 0 without expiry). */
export function expiredPoints(entries: readonly LoyaltyEntry[], program: Pick<Program, 'expiryDays'>, now: Date): number {
  return expiryState(entries, program, now).expired;
}

/** The balance a customer can spend at `now`: the ledger sum minus the expiry derived up to `now`. */
export function availableBalance(entries: readonly LoyaltyEntry[], program: Pick<Program, 'expiryDays'>, now: Date): number {
  let sum = 0;
  for (const e of entries) if (!e._deleted) sum += e.points;
  return sum - expiredPoints(entries, program, now);
}
