import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import { ANALYTICS_PROJECTIONS, columnBuffers, packCustomers, packLoyaltyEntries, packVisits } from '../../../src/renderer/features/analytics/compute/input-shapes.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { SETTINGS, customer, entry, reward, uid, visit } from './fixture.ts';
import { referenceSnapshot } from './reference.ts';

// A hand-computed dashboard. Merchant time zone Asia/Tehran (UTC+03:30). now = 2025-06-15 12:00 UTC.
// Period: local days 2025-06-01 … 2025-06-15 (to = 2025-06-16, exclusive). Segment rules: new ≤ 30 days,
// window 90 days, regular ≥ 3 visits in it, at-risk ≥ 45 days away, churned ≥ 120 days away.
//
//   customer   visits (UTC, store, total IRR)                                        notes
//   A          01-10 08:00 S1 100 000 · 06-02 08:00 S1 200 000 · 06-10 08:00 S2 300 000 (rated 5)
//   B          06-05 08:00 S1 50 000 · 06-06 08:00 S1 999 999 VOIDED (rated 1)
//   C          01-20 08:00 S2 80 000                                                  churned
//   D → B      06-12 08:00 S2 40 000                                                  merged into B
//   E          06-03 08:00 S1 10 000 (rated 4)                                        erased (tombstone)
//   F          —                                                                      never visited
//   G          05-31 21:00 S1 70 000 (rated 3)  = 06-01 00:30 in Tehran: in the period
//   H          06-15 20:45 S1 60 000            = 06-16 00:15 in Tehran: after the period
//   I          04-01, 05-01, 05-20 08:00 S1 100 000 each                              regular
//   J          04-15 08:00 S2 20 000                                                  at risk

const [S1, S2] = [uid(1), uid(2)];
const [A, B, C, D, E, F, G, H, I, J] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map(uid) as [string, string, string, string, string, string, string, string, string, string];

const customers = [
  customer(A, 'Ali'), customer(B, 'Bahar'), customer(C, 'Cyrus'), customer(D, 'Bahar (dup)', { mergedInto: B }),
  customer(E, 'Erased', { _deleted: true }), customer(F, 'Farid'), customer(G, 'Golnar'), customer(H, 'Hamid'),
  customer(I, 'Iran'), customer(J, 'Jaleh'),
];
const visits = [
  visit(A, S1, '2025-01-10T08:00:00.000Z', 100_000),
  visit(A, S1, '2025-06-02T08:00:00.000Z', 200_000),
  visit(A, S2, '2025-06-10T08:00:00.000Z', 300_000, { feedback: { rating: 5 } }),
  visit(B, S1, '2025-06-05T08:00:00.000Z', 50_000),
  visit(B, S1, '2025-06-06T08:00:00.000Z', 999_999, { voided: true, feedback: { rating: 1 } }),
  visit(C, S2, '2025-01-20T08:00:00.000Z', 80_000),
  visit(D, S2, '2025-06-12T08:00:00.000Z', 40_000),
  visit(E, S1, '2025-06-03T08:00:00.000Z', 10_000, { feedback: { rating: 4 } }),
  visit(G, S1, '2025-05-31T21:00:00.000Z', 70_000, { feedback: { rating: 3 } }),
  visit(H, S1, '2025-06-15T20:45:00.000Z', 60_000),
  visit(I, S1, '2025-04-01T08:00:00.000Z', 100_000),
  visit(I, S1, '2025-05-01T08:00:00.000Z', 100_000),
  visit(I, S1, '2025-05-20T08:00:00.000Z', 100_000),
  visit(J, S2, '2025-04-15T08:00:00.000Z', 20_000),
];
// Ledger. Balances: A 100+200+300−250 = 350 · B group 50+40−120+999−999 = −30 (overdrawn) · C 80−80 = 0 ·
// I 300+600 = 900 · J 20−5 = 15 · E 10 (erased: not counted). Outstanding = 350 + 900 + 15 = 1265.
// Tier basis (earn + positive adjust + negative reversal): A 600 silver · B 90 · C 80 · I 900 silver · J 20.
const loyaltyEntries = [
  entry(A, S1, 'earn', 100, '2025-01-10T08:00:00.000Z'),
  entry(A, S1, 'earn', 200, '2025-06-02T08:00:00.000Z'),
  entry(A, S2, 'earn', 300, '2025-06-10T08:00:00.000Z'),
  entry(A, S2, 'redeem', -250, '2025-06-11T08:00:00.000Z'),
  entry(B, S1, 'earn', 50, '2025-06-05T08:00:00.000Z'),
  entry(B, S1, 'earn', 999, '2025-06-06T08:00:00.000Z'),
  entry(B, S1, 'reversal', -999, '2025-06-07T08:00:00.000Z'),
  entry(D, S2, 'earn', 40, '2025-06-12T08:00:00.000Z'),
  entry(D, S2, 'redeem', -120, '2025-06-13T08:00:00.000Z'),
  entry(C, S2, 'earn', 80, '2025-01-20T08:00:00.000Z'),
  entry(C, S2, 'expire', -80, '2025-06-01T08:00:00.000Z'),
  entry(E, S1, 'earn', 10, '2025-06-03T08:00:00.000Z'),
  entry(I, S1, 'earn', 100, '2025-04-01T08:00:00.000Z'),
  entry(I, S1, 'earn', 100, '2025-05-01T08:00:00.000Z'),
  entry(I, S1, 'earn', 100, '2025-05-20T08:00:00.000Z'),
  entry(I, S1, 'adjust', 600, '2025-06-14T08:00:00.000Z'),
  entry(J, S2, 'earn', 20, '2025-04-15T08:00:00.000Z'),
  entry(J, S1, 'adjust', -5, '2025-06-03T08:00:00.000Z'),
];
// Catalog: 50 000 IRR for 100 points (500/pt), 200 000 for 200 (1000/pt); an inactive one and a non-money one
// are ignored → value per point = median(500, 1000) = 750 → liability = 1265 × 750 = 948 750 IRR.
const rewards = [reward(100, 50_000), reward(200, 200_000), reward(100, 1_000_000, false), reward(300, 0)];

const QUERY: AnalyticsQuery = { from: '2025-06-01', to: '2025-06-16', storeId: null, now: '2025-06-15T12:00:00.000Z', calendar: 'gregory', listLimit: 20 };

function loaded() {
  const aggregator = createAggregator(SETTINGS);
  aggregator.add({ customers, visits, loyaltyEntries, rewards });
  return aggregator;
}

describe('analytics snapshot (hand-computed)', () => {
  const snapshot = loaded().snapshot(QUERY);

  it('counts visits and revenue in merchant-local days, without voided visits', () => {
    // In the period: A 200 000 + 300 000, B 50 000, D→B 40 000, E 10 000, G 70 000 (Tehran 06-01) = 6 visits.
    expect(snapshot.kpis).toEqual({
      visits: 6,
      revenue: 670_000,
      averageTicket: 111_667, // 670 000 / 6 = 111 666.67
      voidedVisits: 1,
      activeCustomers: 3, // A, B (with D), G — E is erased
      newCustomers: 2, // B (first 06-05), G (first 06-01 local)
      returningCustomers: 1, // A (first 01-10)
      customers: 8, // A B C F G H I J (D merged, E erased)
    });
    expect(snapshot.daily).toHaveLength(15);
    expect(snapshot.daily[0]).toEqual({ day: '2025-06-01', visits: 1, revenue: 70_000 });
    expect(snapshot.daily.reduce((sum, d) => sum + d.revenue, 0)).toBe(670_000);
  });

  it('distributes visit frequency per merged customer', () => {
    // A 2 visits, B+D 2 visits, G 1 visit.
    expect(snapshot.frequency).toEqual([
      { bucket: '1', customers: 1 }, { bucket: '2', customers: 2 }, { bucket: '3', customers: 0 },
      { bucket: '4', customers: 0 }, { bucket: '5-9', customers: 0 }, { bucket: '10+', customers: 0 },
    ]);
  });

  it('segments customers with the model rules', () => {
    // A: last visit 5 days ago, first 156 days ago, 2 visits in 90 days → none (occasional).
    // B, G, H: first visit ≤ 30 days ago → new (H's visit is in the future: counts as now).
    // C: 146 days away → churned. I: 3 visits in window, last 26 days ago → regular. J: 61 days away → at-risk.
    expect(snapshot.segments).toEqual({ none: 1, new: 3, regular: 1, vip: 0, 'at-risk': 1, churned: 1 });
    expect(snapshot.segmentMembers.new.map((r) => r.name)).toEqual(['Bahar', 'Golnar', 'Hamid']); // by spend 90k, 70k, 60k
    expect(snapshot.segmentMembers.churned.map((r) => r.id)).toEqual([C]);
  });

  it('ranks top customers, CLV and churn risk', () => {
    expect(snapshot.topCustomers.map((r) => [r.name, r.periodSpend, r.periodVisits])).toEqual([
      ['Ali', 500_000, 2], ['Bahar', 90_000, 2], ['Golnar', 70_000, 1],
    ]);
    // Spend to date: A 600k, I 300k, B 90k, C 80k, G 70k, H 60k, J 20k → 1 220 000 over 7 = 174 285.7.
    expect(snapshot.clv).toMatchObject({ customers: 7, total: 1_220_000, average: 174_286 });
    expect(snapshot.clv.top.map((r) => r.spend)).toEqual([600_000, 300_000, 90_000, 80_000, 70_000, 60_000, 20_000]);
    const c = snapshot.clv.top.find((r) => r.id === C)!;
    expect(c.projectedClv).toBe(80_000); // churned: risk 1, nothing projected
    // A: tenure 156 d 4 h = 5.1307 months → 600 000 / 5.1307 × 12 × (1 − 0) = 1 403 320.9 → +1 403 321.
    expect(snapshot.clv.top[0]!.projectedClv).toBe(600_000 + Math.round((600_000 / ((156 + 4 / 24) / 30.4375)) * 12));
    // J: one visit 61 d 4 h ago → 61.1667 / 120 = 0.5097. G: 14 d 15 h → 14.625 / 120 = 0.1219.
    // I: gap 49/2 = 24.5 d, horizon 73.5 d, away 26.1667 d → (26.1667 − 24.5) / 49 = 0.0340. C is churned: not listed.
    expect(snapshot.churn.map((r) => r.name)).toEqual(['Jaleh', 'Golnar', 'Iran']);
    expect(snapshot.churn[0]!.churnRisk).toBeCloseTo(61.1667 / 120, 4);
    expect(snapshot.churn[1]!.churnRisk).toBeCloseTo(0.121875, 6);
    expect(snapshot.churn[2]!.churnRisk).toBeCloseTo((26 + 4 / 24 - 24.5) / 49, 6);
  });

  it('builds monthly retention cohorts of first visits', () => {
    // Cohorts July 2024 … June 2025. January: A, C (A back in June). April: I, J (I back in May). June: B, G.
    expect(snapshot.cohorts).toHaveLength(12);
    expect(snapshot.cohorts[0]!.monthStart).toBe('2024-07-01');
    const byMonth = Object.fromEntries(snapshot.cohorts.map((c) => [c.monthStart, c]));
    expect(byMonth['2025-01-01']).toEqual({ monthStart: '2025-01-01', size: 2, retained: [2, 0, 0, 0, 0, 1] });
    expect(byMonth['2025-04-01']).toEqual({ monthStart: '2025-04-01', size: 2, retained: [2, 1, 0] });
    expect(byMonth['2025-06-01']).toEqual({ monthStart: '2025-06-01', size: 2, retained: [2] });
    expect(snapshot.cohorts.reduce((sum, c) => sum + c.size, 0)).toBe(6); // H's first visit is after the period
  });

  it('reports loyalty points and the liability', () => {
    // Period lines: earned 200+300+50+999+40+10 = 1599 · redeemed 250+120 · expired 80 · adjusted +600 / −5 · reversed −999.
    expect(snapshot.loyalty).toEqual({
      earned: 1599, redeemed: 370, expired: 80, adjustedUp: 600, adjustedDown: 5, reversed: -999, issued: 2199,
      outstanding: 1265, overdrawn: 30, valuePerPoint: 750, liability: 948_750,
    });
    // Bronze: B C F G H J; silver: A (600), I (900).
    expect(snapshot.tiers).toEqual({ bronze: 6, silver: 2, gold: 0, platinum: 0 });
  });

  it('the liability leaves out expired points, as balances do (derived expiry, programme expiry 365 days)', () => {
    // K: earned 500 on 2024-05-01 (expired 2025-05-01, nothing spent from it by then) and 100 on 2025-06-01,
    // redeemed 50 on 2025-06-02 from the live lot → ledger sum 550, expired 500, balance 50. L: a 300 earn of
    // 2024-04-01 voided (reversed) before it expired, and 40 on 2025-06-10 → 40. Outstanding 90 × 750 = 67 500.
    const [K, L] = [uid(21), uid(22)];
    const earnL = entry(L, S1, 'earn', 300, '2024-04-01T08:00:00.000Z');
    const aggregator = createAggregator(SETTINGS);
    aggregator.add({
      customers: [customer(K, 'Kaveh'), customer(L, 'Leila')],
      visits: [visit(K, S1, '2025-06-01T08:00:00.000Z', 100_000), visit(L, S1, '2025-06-10T08:00:00.000Z', 40_000)],
      loyaltyEntries: [
        entry(K, S1, 'earn', 500, '2024-05-01T08:00:00.000Z'),
        entry(K, S1, 'earn', 100, '2025-06-01T08:00:00.000Z'),
        entry(K, S1, 'redeem', -50, '2025-06-02T08:00:00.000Z'),
        earnL,
        { ...entry(L, S1, 'reversal', -300, '2024-04-02T08:00:00.000Z'), reversesId: earnL.id },
        entry(L, S1, 'earn', 40, '2025-06-10T08:00:00.000Z'),
      ],
      rewards,
    });
    const expiring = aggregator.snapshot(QUERY);
    expect(expiring.loyalty).toMatchObject({ outstanding: 90, overdrawn: 0, valuePerPoint: 750, liability: 67_500 });
    expect(expiring.clv.top.map((r) => [r.name, r.balance])).toEqual([['Kaveh', 50], ['Leila', 40]]);
    // Without expiry nothing leaves: 550 + 40.
    aggregator.setSettings({ ...SETTINGS, program: { ...SETTINGS.program, expiryDays: null } });
    expect(aggregator.snapshot(QUERY).loyalty).toMatchObject({ outstanding: 590, liability: 442_500 });
  });

  it('summarises feedback ratings of live visits', () => {
    // A 5, E 4, G 3 (B's voided 1 is excluded) → average 4.
    expect(snapshot.feedback).toEqual({ count: 3, average: 4, distribution: [0, 0, 1, 1, 1] });
  });

  it('restricts to one store', () => {
    const s2 = loaded().snapshot({ ...QUERY, storeId: S2 });
    // S2 in the period: A 06-10 300 000, D→B 06-12 40 000. Both are new to S2 (their first S2 visit is in it).
    expect(s2.kpis).toEqual({ visits: 2, revenue: 340_000, averageTicket: 170_000, voidedVisits: 0, activeCustomers: 2, newCustomers: 2, returningCustomers: 0, customers: 4 });
    expect(s2.loyalty).toMatchObject({ earned: 340, redeemed: 370, expired: 80, adjustedUp: 0, adjustedDown: 0, outstanding: 1265 });
    expect(s2.segments).toEqual({ none: 0, new: 2, regular: 0, vip: 0, 'at-risk': 1, churned: 1 });
  });

  it('buckets cohorts in Persian months for the Persian calendar', () => {
    // Khordad 1404 starts 2025-05-22; Dey 1403 2024-12-21 (30 days, so C's 01-20 is 1 Bahman, its own cohort);
    // Farvardin 1404 2025-03-21 (31 days: I's 04-01 and J's 04-15; I's 05-01 and 05-20 are Ordibehesht).
    const fa = loaded().snapshot({ ...QUERY, calendar: 'persian' });
    const byMonth = Object.fromEntries(fa.cohorts.map((c) => [c.monthStart, c]));
    expect(fa.cohorts[11]!.monthStart).toBe('2025-05-22');
    expect(byMonth['2024-12-21']).toEqual({ monthStart: '2024-12-21', size: 1, retained: [1, 0, 0, 0, 0, 1] });
    expect(byMonth['2025-01-20']).toEqual({ monthStart: '2025-01-20', size: 1, retained: [1, 0, 0, 0, 0] });
    expect(byMonth['2025-03-21']).toEqual({ monthStart: '2025-03-21', size: 2, retained: [2, 1, 0] });
    expect(byMonth['2025-05-22']).toEqual({ monthStart: '2025-05-22', size: 2, retained: [2] });
  });

  it('agrees with the reference built on the model functions', () => {
    const data = { customers, visits, loyaltyEntries, rewards };
    for (const q of [QUERY, { ...QUERY, storeId: S2 }, { ...QUERY, calendar: 'persian' as const }, { ...QUERY, storeId: S1, from: '2025-01-01', to: '2025-07-01' }])
      expect(loaded().snapshot(q)).toEqual(referenceSnapshot(data, SETTINGS, q));
  });

  it('gives the same dashboards from columns as the page sends them (packed, transferred, in pages)', () => {
    // The worker's path: each page packed into columns and structured-cloned with its buffers transferred,
    // pages of 4 (customers first, as the client streams them), then added through `addColumns`.
    const sent = <D, C extends Parameters<typeof columnBuffers>[0]>(docs: readonly D[], pack: (page: readonly D[]) => C) =>
      Array.from({ length: Math.ceil(docs.length / 4) }, (_, p) => {
        const columns = pack(docs.slice(4 * p, 4 * p + 4));
        return structuredClone(columns, { transfer: columnBuffers(columns) });
      });
    const aggregator = createAggregator(SETTINGS);
    for (const columns of sent(customers, packCustomers)) aggregator.addColumns({ customers: columns });
    for (const columns of sent(visits, packVisits)) aggregator.addColumns({ visits: columns });
    for (const columns of sent(loyaltyEntries, packLoyaltyEntries)) aggregator.addColumns({ loyaltyEntries: columns });
    aggregator.addColumns({ rewards: structuredClone(rewards.map(ANALYTICS_PROJECTIONS.rewards)) });
    expect(aggregator.replica.skipped).toEqual({ visits: 0, customers: 0, loyaltyEntries: 0 });
    const data = { customers, visits, loyaltyEntries, rewards };
    for (const q of [QUERY, { ...QUERY, storeId: S2 }, { ...QUERY, calendar: 'persian' as const }, { ...QUERY, storeId: S1, from: '2025-01-01', to: '2025-07-01' }]) {
      const fromColumns = aggregator.snapshot(q);
      expect(fromColumns).toEqual(loaded().snapshot(q));
      expect(fromColumns).toEqual(referenceSnapshot(data, SETTINGS, q));
    }
    expect(aggregator.snapshot(QUERY)).toEqual(snapshot);
  });

  it('refuses a period that is not one', () => {
    expect(() => loaded().snapshot({ ...QUERY, to: QUERY.from })).toThrow(/not a period/);
    expect(() => loaded().snapshot({ ...QUERY, from: '2025-02-30' })).toThrow(/not a period/);
  });
});
