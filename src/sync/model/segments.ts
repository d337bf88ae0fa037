import { z } from 'zod';
import { DAY_MS } from './dates.ts';
import type { SegmentRules } from './settings.ts';
import type { Visit } from './visit.ts';

// Recency / frequency / spend segments computed on the device from visits (analytics, counter badges).
// Times are business time (device clocks); a visit stamped in the future by a skewed clock counts as "now".


/**
 * Customer segments. `none` = no segment applies: never visited, or an occasional customer (see `segmentOf`).
 */
export const SEGMENTS = ['none', 'new', 'regular', 'vip', 'at-risk', 'churned'] as const;
/** A customer segment. */
export const SegmentSchema = z.enum(SEGMENTS);
/** A customer segment. */
export type Segment = z.infer<typeof SegmentSchema>;

/** What `segmentOf` reads: first and last visit (ISO business time) and frequency / spend in the window. */
export interface SegmentStats {
  readonly firstVisitAt: string | null;
  readonly lastVisitAt: string | null;
  readonly visitsInWindow: number;
  /** Minor units paid (after discount) in the window. */
  readonly spendInWindow: number;
}

/**
 * Segment inputs plus the visit count that `churnRisk` needs for the customer's own rhythm. Visits before Patron
 * (customer `priorVisits`) are not in it: they have no dates, so counting them against the span of the dated
 * visits would shorten the rhythm and call a customer overdue too early. The all-time count adds them
 * (customer-stats.ts, customer-story.ts).
 */
export interface VisitStats extends SegmentStats {
  readonly visitCount: number;
}

/** Whole or fractional days from `ms` to `nowMs`; never negative (a skewed future stamp counts as now). */
function daysSince(ms: number, nowMs: number): number {
  return Math.max(0, (nowMs - ms) / DAY_MS);
}

/**
 * Visit statistics of one customer's visits (the caller follows `mergedInto` and passes them all).
 * Voided and tombstoned visits are ignored. The window is the last `windowDays` days up to `now`,
 * boundary included; future-stamped visits count in it. Spend is the paid `total`, in minor units.
 */
export function visitStats(visits: readonly Visit[], now: Date, rules: SegmentRules): VisitStats {
  const windowStart = now.getTime() - rules.windowDays * DAY_MS;
  let first: { at: number; iso: string } | null = null;
  let last: { at: number; iso: string } | null = null;
  let visitCount = 0;
  let visitsInWindow = 0;
  let spendInWindow = 0;
  for (const visit of visits) {
    if (visit.voided || visit._deleted) continue;
    // Compare instants, not strings: "…00Z" and "…00.5Z" do not sort as text.
    const at = Date.parse(visit.occurredAt);
    visitCount += 1;
    if (first === null || at < first.at) first = { at, iso: visit.occurredAt };
    if (last === null || at > last.at) last = { at, iso: visit.occurredAt };
    if (at >= windowStart) {
      visitsInWindow += 1;
      spendInWindow += visit.total;
    }
  }
  return {
    firstVisitAt: first?.iso ?? null,
    lastVisitAt: last?.iso ?? null,
    visitCount,
    visitsInWindow,
    spendInWindow,
  };
}

/**
 * The customer's segment. Precedence, first match wins:
 *   1. none     — never visited (no last visit);
 *   2. churned  — last visit ≥ churnedDays ago;
 *   3. at-risk  — last visit ≥ atRiskDays ago;
 *   4. new      — first visit ≤ newDays ago (a newcomer who already spends big is still welcomed as new);
 *   5. vip      — visitsInWindow ≥ vipMinVisits AND spendInWindow ≥ vipMinSpend;
 *   6. regular  — visitsInWindow ≥ regularMinVisits;
 *   7. none     — the occasional customer: past the welcome period, seen within atRiskDays, but below the
 *                 regular frequency. Calling them `regular` or `at-risk` would make those words mean
 *                 something other than their rule (and `at-risk` would contradict a low `churnRisk` right
 *                 after a visit); once they stay away atRiskDays they become `at-risk` by recency.
 * Recency comes first so a lapsed VIP shows as at-risk, which is what a manager must act on.
 * Day counts are fractional: "≥ 45 days" means 45 × 24 hours have passed.
 */
export function segmentOf(stats: SegmentStats, rules: SegmentRules, now: Date): Segment {
  if (stats.lastVisitAt === null) return 'none';
  // A missing first visit with a known last one is inconsistent input; the last visit is then the first.
  const first = Date.parse(stats.firstVisitAt ?? stats.lastVisitAt);
  return segmentAt(1, first, Date.parse(stats.lastVisitAt), stats.visitsInWindow, stats.spendInWindow, rules, now.getTime());
}

/**
 * `segmentOf` over numbers — `count` all-time visits, first and last visit instants in milliseconds, window
 * frequency and spend — for callers that evaluate many customers and hold instants already parsed.
 */
export function segmentAt(count: number, firstMs: number, lastMs: number, windowVisits: number, windowSpend: number, rules: SegmentRules, nowMs: number): Segment {
  if (count === 0) return 'none';
  const sinceLast = daysSince(lastMs, nowMs);
  if (sinceLast >= rules.churnedDays) return 'churned';
  if (sinceLast >= rules.atRiskDays) return 'at-risk';
  if (daysSince(firstMs, nowMs) <= rules.newDays) return 'new';
  if (windowVisits >= rules.vipMinVisits && windowSpend >= rules.vipMinSpend) return 'vip';
  if (windowVisits >= rules.regularMinVisits) return 'regular';
  return 'none';
}

/**
 * Churn risk in 0..1 from how overdue the customer is against their own rhythm.
 * g = average gap between their visits, (last − first) / (visitCount − 1) days, at least one day; with a
 * single visit there is no rhythm and g = 0. The risk is 0 until g days have passed since the last visit
 * (not overdue yet), then rises linearly to 1 at H = min(churnedDays, 3g) — three missed rhythms, or the
 * merchant's churn line, whichever comes first (with one visit, H = churnedDays). Hence `churned` ⇒ 1.
 * When g ≥ H the step is immediate: 0 before H, 1 from H. Never visited → 0 (nothing to lose yet).
 * Non-decreasing in time away for a fixed history.
 */
export function churnRisk(stats: VisitStats, now: Date, rules: SegmentRules): number {
  if (stats.lastVisitAt === null) return 0;
  const first = Date.parse(stats.firstVisitAt ?? stats.lastVisitAt);
  return churnRiskAt(stats.visitCount, first, Date.parse(stats.lastVisitAt), rules, now.getTime());
}

/** `churnRisk` over numbers (visit count, first and last visit instants in milliseconds). */
export function churnRiskAt(count: number, firstMs: number, lastMs: number, rules: SegmentRules, nowMs: number): number {
  if (count === 0) return 0;
  const away = daysSince(lastMs, nowMs);
  const span = (lastMs - firstMs) / DAY_MS;
  const gap = count >= 2 ? Math.max(1, span / (count - 1)) : 0;
  const horizon = gap > 0 ? Math.min(rules.churnedDays, 3 * gap) : rules.churnedDays;
  const start = Math.min(gap, horizon);
  if (away >= horizon) return 1;
  if (away <= start) return 0;
  return (away - start) / (horizon - start);
}
