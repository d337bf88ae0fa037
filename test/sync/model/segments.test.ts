import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { churnRisk, segmentOf, visitStats } from '../../../src/sync/model/segments.ts';
import type { VisitStats } from '../../../src/sync/model/segments.ts';
import { DEFAULT_SEGMENT_RULES, SegmentRulesSchema } from '../../../src/sync/model/settings.ts';
import { VisitSchema } from '../../../src/sync/model/visit.ts';
import type { Visit } from '../../../src/sync/model/visit.ts';

// Defaults: new ≤ 30 days, window 90 days, regular ≥ 3 visits, VIP ≥ 8 visits and ≥ 5 000 000, at risk
// after 45 days away, churned after 120.
const RULES = DEFAULT_SEGMENT_RULES;
const NOW = new Date('2025-06-01T12:00:00.000Z');
/** ISO time `n` days before NOW (fractions allowed; negative = in the future). */
const ago = (n: number): string => new Date(NOW.getTime() - n * 86_400_000).toISOString();

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
let seq = 100;
/** A visit valid per VisitSchema (asserted), `daysAgo` before NOW, paying `total` minor units. */
function visit(daysAgo: number, total: number, over: Partial<Visit> = {}): Visit {
  seq += 1;
  return VisitSchema.parse({
    id: uuid(seq),
    merchantId: uuid(1),
    updatedAt: ago(daysAgo),
    _deleted: false,
    storeId: uuid(3),
    customerId: uuid(2),
    terminalId: uuid(4),
    staffId: uuid(5),
    occurredAt: ago(daysAgo),
    items: [{ name: 'espresso', quantity: 1, unitPrice: total }],
    subtotal: total,
    discount: 0,
    total,
    currency: 'IRR',
    paymentMethod: 'cash',
    pointsEarned: 0,
    notes: '',
    feedback: null,
    voided: false,
    voidedAt: null,
    voidedBy: null,
    voidReason: null,
    ...over,
  });
}

/** Segment stats: first and last visit `n` days ago, frequency and spend in the window. */
const stats = (first: number | null, last: number | null, visitsInWindow = 1, spendInWindow = 0) => ({
  firstVisitAt: first === null ? null : ago(first),
  lastVisitAt: last === null ? null : ago(last),
  visitsInWindow,
  spendInWindow,
});

describe('segmentOf', () => {
  it('none: never visited', () => {
    expect(segmentOf(stats(null, null, 0), RULES, NOW)).toBe('none');
  });

  it('churned from 120 days away, at-risk from 45', () => {
    expect(segmentOf(stats(400, 120, 0), RULES, NOW)).toBe('churned');
    expect(segmentOf(stats(400, 119.9, 0), RULES, NOW)).toBe('at-risk');
    expect(segmentOf(stats(400, 45, 0), RULES, NOW)).toBe('at-risk');
    expect(segmentOf(stats(400, 44.9, 3), RULES, NOW)).toBe('regular');
  });

  it('new: first visit at most 30 days ago', () => {
    expect(segmentOf(stats(30, 30), RULES, NOW)).toBe('new');
    expect(segmentOf(stats(30.01, 30.01), RULES, NOW)).toBe('none');
  });

  it('vip needs both the visits and the spend; else regular by visits', () => {
    expect(segmentOf(stats(200, 2, 8, 5_000_000), RULES, NOW)).toBe('vip');
    expect(segmentOf(stats(200, 2, 7, 9_000_000), RULES, NOW)).toBe('regular');
    expect(segmentOf(stats(200, 2, 8, 4_999_999), RULES, NOW)).toBe('regular');
    expect(segmentOf(stats(200, 2, 3, 0), RULES, NOW)).toBe('regular');
  });

  it('the occasional customer (past new, not yet at risk, below regular) has no segment', () => {
    expect(segmentOf(stats(200, 10, 2, 90_000), RULES, NOW)).toBe('none');
    expect(segmentOf(stats(40, 40, 1, 50_000), RULES, NOW)).toBe('none');
    // the brief's "one visit 60 days ago" is already at risk with the default 45 days
    expect(segmentOf(stats(60, 60, 1, 50_000), RULES, NOW)).toBe('at-risk');
  });

  it('precedence: recency over new and vip, new over vip', () => {
    expect(segmentOf(stats(20, 1, 12, 9_000_000), RULES, NOW)).toBe('new');
    expect(segmentOf(stats(300, 50, 20, 9_000_000), RULES, NOW)).toBe('at-risk');
    // Rules where a segment could never be reached are refused by the contract.
    expect(SegmentRulesSchema.safeParse({ ...RULES, atRiskDays: 200, churnedDays: 100 }).success).toBe(false);
    expect(SegmentRulesSchema.safeParse({ ...RULES, vipMinVisits: 1, regularMinVisits: 3 }).success).toBe(false);
  });

  it('a future-stamped visit (skewed clock) counts as now', () => {
    expect(segmentOf(stats(-2, -1, 1), RULES, NOW)).toBe('new');
  });
});

describe('visitStats', () => {
  it('ignores voided and tombstoned visits; window boundary included', () => {
    const visits = [
      visit(100, 70_000), // outside the 90-day window
      visit(90, 10_000), // exactly on the boundary: counts
      visit(30, 20_000),
      visit(5, 40_000),
      visit(3, 999_000, { voided: true, voidedAt: ago(2), voidedBy: uuid(5), voidReason: 'wrong customer' }),
      visit(1, 888_000, { _deleted: true }),
    ];
    // in window: 10 000 + 20 000 + 40 000 = 70 000 over 3 visits; 4 live visits in all
    expect(visitStats(visits, NOW, RULES)).toEqual({
      firstVisitAt: ago(100),
      lastVisitAt: ago(5),
      visitCount: 4,
      visitsInWindow: 3,
      spendInWindow: 70_000,
    });
  });

  it('orders visits given out of order', () => {
    const early = visit(1, 0, { occurredAt: '2025-05-31T10:00:00.000Z' });
    const late = visit(1, 0, { occurredAt: '2025-05-31T10:00:00.500Z' });
    const s = visitStats([late, early], NOW, RULES);
    expect(s.firstVisitAt).toBe('2025-05-31T10:00:00.000Z');
    expect(s.lastVisitAt).toBe('2025-05-31T10:00:00.500Z');
  });

  it('no visits', () => {
    expect(visitStats([], NOW, RULES)).toEqual({
      firstVisitAt: null,
      lastVisitAt: null,
      visitCount: 0,
      visitsInWindow: 0,
      spendInWindow: 0,
    });
  });
});

/** Stats of a customer with `count` visits spread evenly over `span` days, the last `away` days ago. */
const rhythm = (count: number, span: number, away: number): VisitStats => ({
  ...stats(away + span, away, count),
  visitCount: count,
});

describe('churnRisk', () => {
  it('is 0 for a customer who never visited', () => {
    expect(churnRisk({ ...stats(null, null, 0), visitCount: 0 }, NOW, RULES)).toBe(0);
  });

  it('weekly customer: 0 until a week, 1 after three weeks', () => {
    // 11 visits over 70 days → gap 7; horizon min(120, 21) = 21
    expect(churnRisk(rhythm(11, 70, 3), NOW, RULES)).toBe(0);
    expect(churnRisk(rhythm(11, 70, 7), NOW, RULES)).toBe(0);
    expect(churnRisk(rhythm(11, 70, 14), NOW, RULES)).toBeCloseTo(0.5, 12); // (14 − 7) / 14
    expect(churnRisk(rhythm(11, 70, 21), NOW, RULES)).toBe(1);
  });

  it('one visit: linear up to churnedDays', () => {
    expect(churnRisk(rhythm(1, 0, 60), NOW, RULES)).toBeCloseTo(0.5, 12); // 60 / 120
    expect(churnRisk(rhythm(1, 0, 120), NOW, RULES)).toBe(1);
  });

  it('a rhythm longer than churnedDays steps at churnedDays', () => {
    // 3 visits over 400 days → gap 200 ≥ horizon 120
    expect(churnRisk(rhythm(3, 400, 119), NOW, RULES)).toBe(0);
    expect(churnRisk(rhythm(3, 400, 120), NOW, RULES)).toBe(1);
  });

  it('same-day visits count as a one-day rhythm', () => {
    // gap max(1, 0) = 1, horizon 3: 2 days away → (2 − 1) / 2
    expect(churnRisk(rhythm(5, 0, 2), NOW, RULES)).toBeCloseTo(0.5, 12);
  });

  it('property: within 0..1, non-decreasing with time away, 1 when churned', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (count, span, a, b) => {
          const near = churnRisk(rhythm(count, span, Math.min(a, b)), NOW, RULES);
          const far = churnRisk(rhythm(count, span, Math.max(a, b)), NOW, RULES);
          expect(near >= 0 && far <= 1 && near <= far).toBe(true);
          const s = rhythm(count, span, Math.max(a, b));
          if (segmentOf(s, RULES, NOW) === 'churned') expect(far).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
