import { TIERS, type Tier } from '../../../../sync/model/common.ts';
import type { Segment } from '../../../../sync/model/segments.ts';
import type { Program } from '../../../../sync/model/settings.ts';
import { DAY_MS } from './time.ts';
import { FREQUENCY_BUCKETS } from './schema.ts';

// Per-customer formulas of the dashboard over plain numbers (milliseconds, minor units). Segments and churn
// risk are the model's own (sync/model/segments.ts `segmentAt`, `churnRiskAt`).

/** Index of each segment in SEGMENTS order. */
export const SEGMENT_INDEX: Readonly<Record<Segment, number>> = { none: 0, new: 1, regular: 2, vip: 3, 'at-risk': 4, churned: 5 };

const daysSince = (ms: number, nowMs: number): number => Math.max(0, (nowMs - ms) / DAY_MS);

/** Average days in a month, for tenure in months. */
export const DAYS_PER_MONTH = 30.4375;
/** Months ahead the CLV projection looks. */
export const CLV_HORIZON_MONTHS = 12;

/**
 * Customer lifetime value. Historical CLV is the spend to date (Σ paid totals of live visits, minor units).
 * The projection adds the next CLV_HORIZON_MONTHS months at the customer's average monthly spend, weighted by
 * the chance they stay: projected = spend + round(monthly × 12 × (1 − churnRisk)), where monthly = spend ÷
 * tenure in months (first visit → now, at least one month). A churned customer (risk 1) projects no more.
 */
export function projectedClv(spend: number, firstMs: number, risk: number, nowMs: number): number {
  const tenureMonths = Math.max(1, daysSince(firstMs, nowMs) / DAYS_PER_MONTH);
  return spend + Math.round((spend / tenureMonths) * CLV_HORIZON_MONTHS * (1 - risk));
}

/** Tier thresholds in TIERS order, for `tierIndexOf` (the program's rules sorted once, as `tierFor` does). */
export function tierThresholds(program: Program): { tier: Tier; threshold: number }[] {
  return [...program.tiers].sort((a, b) => a.threshold - b.threshold).map(({ tier, threshold }) => ({ tier, threshold }));
}

/** `tierFor` with the rules sorted beforehand: the highest tier whose threshold is ≤ the tier basis. */
export function tierIndexOf(basis: number, sorted: readonly { tier: Tier; threshold: number }[]): number {
  let tier: Tier = TIERS[0];
  for (const rule of sorted) if (rule.threshold <= basis) tier = rule.tier;
  return TIERS.indexOf(tier);
}

/** The frequency bucket (index into FREQUENCY_BUCKETS) of a number of visits in the period (≥ 1). */
export function frequencyBucket(visits: number): number {
  if (visits >= 10) return FREQUENCY_BUCKETS.indexOf('10+');
  if (visits >= 5) return FREQUENCY_BUCKETS.indexOf('5-9');
  return visits - 1;
}

/** What `valuePerPoint` reads of a reward. */
export interface RewardValue {
  readonly pointsCost: number;
  readonly value: number;
  readonly active: boolean;
  readonly _deleted?: boolean;
}

/**
 * What one point is worth, in minor units, as the catalog implies it: the median of value ÷ pointsCost over
 * active rewards that have a money value. The program itself names no point value, and a points liability
 * needs one; the median keeps one generous or token reward from setting it. Null without such a reward
 * (the dashboard then shows points only).
 */
export function valuePerPoint(rewards: Iterable<RewardValue>): number | null {
  const ratios: number[] = [];
  for (const r of rewards) if (r.active && !r._deleted && r.value > 0 && r.pointsCost > 0) ratios.push(r.value / r.pointsCost);
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const mid = ratios.length >> 1;
  return ratios.length % 2 === 1 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
}

/** round(outstanding points × value per point), or null without a value. */
export function liabilityOf(outstanding: number, perPoint: number | null): number | null {
  return perPoint === null ? null : Math.round(outstanding * perPoint);
}
