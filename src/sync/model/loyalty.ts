import { TIERS } from './common.ts';
import type { Tier } from './common.ts';
import { PatronError } from './errors.ts';
import type { ErrorCode } from './errors.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import { availableBalance } from './loyalty-expiry.ts';
import type { Program, TierRule } from './settings.ts';

// Pure loyalty rules over the ledger. A balance only ever exists as the sum of ledger lines (docs/architecture.md#balance-never-stored
// MUST); everything here derives from `LoyaltyEntry[]` and the merchant's `Program`. Tombstoned lines
// (`_deleted`) are not ledger lines and are skipped everywhere. Lines are unique by id (the collection's
// primary key, and deterministic ids for earnings and reversals), so nothing here de-duplicates.

/** Multipliers are applied exactly to six decimals, in integers, so float noise cannot lose a point. */
const MULTIPLIER_SCALE = 1_000_000n;

/** Points balance: the sum of the ledger — the only way a balance exists (docs/architecture.md#balance-never-stored, a MUST rule). */
export function balanceOf(entries: readonly LoyaltyEntry[]): number {
  let sum = 0;
  for (const e of entries) if (!e._deleted) sum += e.points;
  return sum;
}

/**
 * How one line moves the tier basis. Credits that were earned count (`earn`, positive `adjust`); a
 * negative `reversal` cancels a credit (a voided visit's earning) and counts against it. Redemptions,
 * expiry, negative adjustments and positive reversals (a refunded redemption) only move the balance:
 * spending or losing points never demotes a customer, and a refund is not new earning. The sign decides
 * what a reversal cancels — positive lines are credits, negative lines debits — so the basis is known from
 * the line alone, whatever order replication delivers lines in (which `applyEntry` relies on).
 * Known edge: reversing a refund (a negative reversal of a positive reversal) lowers the basis too.
 */
function tierBasisDelta(e: LoyaltyEntry): number {
  switch (e.kind) {
    case 'earn':
      return e.points;
    case 'adjust':
      return Math.max(e.points, 0);
    case 'reversal':
      return Math.min(e.points, 0);
    default:
      return 0;
  }
}

/**
 * Tier basis ("lifetime earned"): earns + positive adjustments + negative reversals (cancelled credits).
 * Redemptions and expiry never lower it. Negative only on a partial replica (a reversal without its earn).
 */
export function lifetimeEarned(entries: readonly LoyaltyEntry[]): number {
  let sum = 0;
  for (const e of entries) if (!e._deleted) sum += tierBasisDelta(e);
  return sum;
}

/** Tier rules sorted by threshold, so lookups do not depend on the array order of an unvalidated program. */
function sortedRules(program: Program): TierRule[] {
  return [...program.tiers].sort((a, b) => a.threshold - b.threshold);
}

/** The highest tier whose threshold is at most `lifetimePoints` (the lowest tier below every threshold). */
export function tierFor(lifetimePoints: number, program: Program): Tier {
  let tier: Tier = TIERS[0];
  for (const rule of sortedRules(program)) if (rule.threshold <= lifetimePoints) tier = rule.tier;
  return tier;
}

/** Earning multiplier of a tier (1 when the program does not list it). */
export function multiplierFor(tier: Tier, program: Program): number {
  return program.tiers.find((rule) => rule.tier === tier)?.multiplier ?? 1;
}

/** Where a customer stands: tier, the next tier, points still to earn, and progress 0..1 across the band. */
export interface TierProgress {
  readonly tier: Tier;
  readonly next: Tier | null;
  readonly pointsToNext: number;
  readonly progress: number;
}

/** Tier progress for a tier basis; at the top tier `next` is null, `pointsToNext` 0 and `progress` 1. */
export function tierProgressFor(lifetimePoints: number, program: Program): TierProgress {
  const rules = sortedRules(program);
  const tier = tierFor(lifetimePoints, program);
  const floor = rules.find((rule) => rule.tier === tier)?.threshold ?? 0;
  // The tier after the current one (not the first threshold above the points: a negative basis on a
  // partial replica is still bronze, heading for silver).
  const nextRule = rules.find((rule) => rule.threshold > Math.max(floor, lifetimePoints));
  if (!nextRule) return { tier, next: null, pointsToNext: 0, progress: 1 };
  const band = nextRule.threshold - floor;
  const progress = band > 0 ? Math.min(1, Math.max(0, (lifetimePoints - floor) / band)) : 0;
  return { tier, next: nextRule.tier, pointsToNext: nextRule.threshold - lifetimePoints, progress };
}

/** Tier progress of a customer's ledger (tier basis = `lifetimeEarned`). */
export function tierProgress(entries: readonly LoyaltyEntry[], program: Program): TierProgress {
  return tierProgressFor(lifetimeEarned(entries), program);
}

function isSafeNonNegativeInt(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Points for a visit: floor(floor(total / earnPer) × earnPoints × multiplier) + visitBonus.
 * Only whole `earnPer` blocks earn (125 999 IRR at 1 pt / 1000 → 125 blocks); the tier multiplier is then
 * applied and rounded DOWN (silver 125 × 1.25 = 156.25 → 156), computed in integers with the multiplier
 * exact to six decimals so that 100 × 1.15 is 115, never float 114.999… → 114. A 0 total earns the bonus only.
 * `total` is what was paid after discount, in minor units; anything but a non-negative safe integer throws.
 */
export function pointsForVisit(visit: { total: number; tier: Tier }, program: Program): number {
  if (!isSafeNonNegativeInt(visit.total)) throw new PatronError('VALIDATION_FAILED', { field: 'total' });
  const micro = BigInt(Math.round(multiplierFor(visit.tier, program) * Number(MULTIPLIER_SCALE)));
  const blocks = BigInt(visit.total) / BigInt(program.earnPer);
  const earned = Number((blocks * BigInt(program.earnPoints) * micro) / MULTIPLIER_SCALE) + program.visitBonus;
  if (!Number.isSafeInteger(earned)) throw new PatronError('VALIDATION_FAILED', { field: 'total' });
  return earned;
}

/** Why a redemption is refused (codes of errors.ts, translated by the UI). */
export type RedeemRefusal = Extract<
  ErrorCode,
  'VALIDATION_FAILED' | 'INSUFFICIENT_POINTS' | 'OFFLINE_REDEEM_CAP' | 'OFFLINE_DATA_TOO_OLD'
>;

/** Outcome of `checkRedeem`. */
export type RedeemCheck = { ok: true } | { ok: false; code: RedeemRefusal };

/** What `checkRedeem` needs to know about one redemption at the counter. */
export interface RedeemRequest {
  readonly entries: readonly LoyaltyEntry[];
  readonly points: number;
  readonly online: boolean;
  /** Hours since the replica last synced; `Infinity` when it never has. */
  readonly dataAgeHours: number;
  /** Points this terminal already redeemed offline for this customer today. */
  readonly offlineRedeemedToday: number;
  /** The moment of the redemption: expired points (derived, loyalty-expiry.ts) cannot be spent. */
  readonly now: Date;
}

/**
 * Whether a redemption may go ahead (docs/architecture.md#offline-redemption). Online the derived balance must cover it. Offline, the
 * replica must be at most `offlineMaxDataAgeHours` old — checked first, because a stale balance proves
 * nothing — then the balance available at `now` (expired points excluded) must cover it, and the offline total for the day must stay within
 * `offlineRedeemCap`. `points` must be a positive safe integer; ages and counters must not be NaN or negative.
 */
export function checkRedeem(request: RedeemRequest, program: Program): RedeemCheck {
  const { points, online, dataAgeHours, offlineRedeemedToday } = request;
  if (!Number.isSafeInteger(points) || points <= 0) return { ok: false, code: 'VALIDATION_FAILED' };
  if (!online) {
    if (Number.isNaN(dataAgeHours) || dataAgeHours < 0 || !isSafeNonNegativeInt(offlineRedeemedToday))
      return { ok: false, code: 'VALIDATION_FAILED' };
    if (dataAgeHours > program.offlineMaxDataAgeHours) return { ok: false, code: 'OFFLINE_DATA_TOO_OLD' };
  }
  if (availableBalance(request.entries, program, request.now) < points) return { ok: false, code: 'INSUFFICIENT_POINTS' };
  if (!online && offlineRedeemedToday + points > program.offlineRedeemCap)
    return { ok: false, code: 'OFFLINE_REDEEM_CAP' };
  return { ok: true };
}

/** A customer's loyalty at a glance; `redeemed` is the gross of `redeem` lines (refunds show in the balance). */
export interface LedgerSummary extends TierProgress {
  readonly balance: number;
  readonly lifetimeEarned: number;
  readonly redeemed: number;
}

function withTier(balance: number, earned: number, redeemed: number, program: Program): LedgerSummary {
  return { balance, lifetimeEarned: earned, redeemed, ...tierProgressFor(earned, program) };
}

/** Balance, tier basis, redeemed total and tier progress in one pass over the ledger. */
export function summarize(entries: readonly LoyaltyEntry[], program: Program): LedgerSummary {
  let balance = 0;
  let earned = 0;
  let redeemed = 0;
  for (const e of entries) {
    if (e._deleted) continue;
    balance += e.points;
    earned += tierBasisDelta(e);
    if (e.kind === 'redeem') redeemed -= e.points;
  }
  return withTier(balance, earned, redeemed, program);
}

/**
 * `summary` with one more line, without rescanning: equals `summarize` over the same lines in any order,
 * because every total is a sum of per-line terms. Feed each line once (ids are unique).
 */
export function applyEntry(summary: LedgerSummary, entry: LoyaltyEntry, program: Program): LedgerSummary {
  if (entry._deleted) return summary;
  return withTier(
    summary.balance + entry.points,
    summary.lifetimeEarned + tierBasisDelta(entry),
    summary.redeemed + (entry.kind === 'redeem' ? -entry.points : 0),
    program,
  );
}
