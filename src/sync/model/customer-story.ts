import { segmentOf, visitStats, type Segment } from './segments.ts';
import type { SegmentRules } from './settings.ts';
import type { Visit } from './visit.ts';

/** What the customer card says about a customer's history with the business. */
export interface CustomerStory {
  /** Visits that count (voided and deleted ones do not), with the visits before Patron. */
  readonly visitCount: number;
  /** Visits before Patron (part of `visitCount`). */
  readonly priorVisits: number;
  /** Paid totals of those visits, minor units. */
  readonly lifetimeSpend: number;
  /** Lifetime spend per visit, rounded to a minor unit; null before the first visit. */
  readonly averageTicket: number | null;
  /** The segment by the merchant's rules (the same `segmentOf` as the customer list and the analytics). */
  readonly segment: Segment;
}

/**
 * The story of a merge group's visits at `now` (voided visits are left out, as in the segment rules), with the
 * group's visits before Patron in the count — not in the average ticket, whose spend Patron never saw.
 */
export function customerStory(visits: readonly Visit[], now: Date, rules: SegmentRules, priorVisits = 0): CustomerStory {
  const stats = visitStats(visits, now, rules);
  let lifetimeSpend = 0;
  for (const visit of visits) if (!visit.voided && !visit._deleted) lifetimeSpend += visit.total;
  return {
    visitCount: stats.visitCount + priorVisits,
    priorVisits,
    lifetimeSpend,
    averageTicket: stats.visitCount > 0 ? Math.round(lifetimeSpend / stats.visitCount) : null,
    segment: segmentOf(stats, rules, now),
  };
}
