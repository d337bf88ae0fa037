import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAggregator, type AnalyticsChange, type AnalyticsSettings } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import type { CustomerLike, EntryLike, VisitLike } from '../../../src/renderer/features/analytics/compute/replica.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import { uid } from './fixture.ts';
import { coldLoad, iso, NOW, opArb, queryArb, replay, settingsArb, STORES, type Op } from './ops.ts';
import { referenceSnapshot } from './reference.ts';

// Property: whatever happens to the replica — visits, voids, late feedback, ledger lines, new customers,
// merges, undone merges, merge cycles, erasures, catalog changes, repeated change events — the aggregator
// updated incrementally gives exactly the snapshot of a cold aggregator over the final documents, and both
// equal the reference computed from the model's functions (reference.ts).

describe('incremental aggregator', () => {
  it('equals a cold recompute and the model-based reference after any sequence of changes', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(opArb, { maxLength: 60 }), fc.nat(), queryArb, (settings, ops, cut, query) => {
        const { changes, final } = replay(ops);
        const split = changes.length === 0 ? 0 : cut % (changes.length + 1);

        // Incremental: the first changes streamed in as a cold load, then a view, then the rest as events.
        const incremental = createAggregator(settings);
        incremental.add(coldLoad(changes.slice(0, split)));
        incremental.snapshot(query);
        // Snapshots between changes too: the kept lists are then updated in place across many changes.
        changes.slice(split).forEach((change, i) => {
          incremental.apply([change]);
          if (i % 3 === 2) incremental.snapshot(query);
        });
        const updated = incremental.snapshot(query);

        const cold = createAggregator(settings);
        cold.add(final);
        expect(updated).toEqual(cold.snapshot(query));
        expect(updated).toEqual(referenceSnapshot(final, settings, query));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  }, 300_000);

  it('pages whole lists for drill-down and export', () => {
    const { final } = replay(
      Array.from({ length: 30 }, (_, i): Op => ({ op: 'visit', customer: i % 7, store: i % 2, at: -i * 600, total: 1000 * (i + 1), voided: false, rating: null })),
    );
    const aggregator = createAggregator({ timeZone: 'UTC', currency: 'IRR', program: DEFAULT_PROGRAM, segments: { newDays: 30, windowDays: 90, regularMinVisits: 3, vipMinVisits: 8, vipMinSpend: 0, atRiskDays: 45, churnedDays: 120 } });
    aggregator.add(final);
    const query: AnalyticsQuery = { from: '2025-01-01', to: '2025-04-01', storeId: null, now: new Date(NOW).toISOString(), calendar: 'gregory', listLimit: 2 };
    const all = aggregator.members(query, { kind: 'clv' });
    expect(all).toHaveLength(7);
    expect(all.map((r) => r.spend)).toEqual([...all.map((r) => r.spend)].sort((a, b) => b - a));
    expect(aggregator.members(query, { kind: 'clv' }, 2, 3)).toEqual(all.slice(2, 5));
    expect(aggregator.snapshot(query).clv.top).toEqual(all.slice(0, 2));
  });
});

describe('at a few thousand customers (the id index grows several times)', () => {
  it('equals the reference, every customer counted once', async () => {
    const { v7 } = await import('uuid');
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const customers = Array.from({ length: 2500 }, (_, i): CustomerLike => ({ id: v7(), name: `c${i}`, phone: `+98912${String(i).padStart(7, '0')}`, mergedInto: null, _deleted: false }));
    const visits = Array.from({ length: 8000 }, (): VisitLike => ({
      id: v7(), customerId: customers[Math.floor(random() * customers.length)]!.id, storeId: STORES[Math.floor(random() * 2)]!, occurredAt: iso(-Math.floor(random() * 200 * 24 * 60)),
      total: Math.floor(random() * 500) * 1000, voided: random() < 0.02, feedback: random() < 0.1 ? { rating: 1 + Math.floor(random() * 5) } : null, _deleted: false,
    }));
    const loyaltyEntries = visits.map((v): EntryLike => ({ id: v7(), customerId: v.customerId, storeId: v.storeId, kind: 'earn', points: 1 + v.total / 1000, occurredAt: v.occurredAt, _deleted: false }));
    const settings: AnalyticsSettings = { timeZone: 'Asia/Tehran', currency: 'IRR', program: DEFAULT_PROGRAM, segments: { newDays: 30, windowDays: 90, regularMinVisits: 3, vipMinVisits: 8, vipMinSpend: 1_000_000, atRiskDays: 45, churnedDays: 120 } };
    const query: AnalyticsQuery = { from: '2025-01-01', to: '2025-03-21', storeId: null, now: new Date(NOW).toISOString(), calendar: 'persian', listLimit: 10 };
    const aggregator = createAggregator(settings);
    aggregator.add({ customers, visits, loyaltyEntries });
    const snapshot = aggregator.snapshot(query);
    expect(snapshot.kpis.customers).toBe(2500);
    expect(snapshot).toEqual(referenceSnapshot({ customers, visits, loyaltyEntries, rewards: [] }, settings, query));
  });
});

describe('across column blocks (the columns grow in blocks of 65,536 documents)', () => {
  it('loads in chunks that straddle blocks, applies changes to visits in every block, and equals a cold load and the reference', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const customers = Array.from({ length: 300 }, (_, i): CustomerLike => ({ id: uid(10_000 + i), name: `c${i}`, phone: `+98912${String(i).padStart(7, '0')}`, mergedInto: null, _deleted: false }));
    const visits = Array.from({ length: 150_000 }, (_, i): VisitLike => ({
      id: uid(100_000 + i), customerId: customers[Math.floor(random() * customers.length)]!.id, storeId: STORES[i % 2]!, occurredAt: iso(-Math.floor(random() * 200 * 24 * 60)),
      total: Math.floor(random() * 500) * 1000, voided: false, feedback: null, _deleted: false,
    }));
    const loyaltyEntries = visits.slice(0, 70_000).map((v, i): EntryLike => ({ id: uid(300_000 + i), customerId: v.customerId, storeId: v.storeId, kind: 'earn', points: 1 + v.total / 1000, occurredAt: v.occurredAt, _deleted: false }));
    const settings: AnalyticsSettings = { timeZone: 'Asia/Tehran', currency: 'IRR', program: DEFAULT_PROGRAM, segments: { newDays: 30, windowDays: 90, regularMinVisits: 3, vipMinVisits: 8, vipMinSpend: 1_000_000, atRiskDays: 45, churnedDays: 120 } };
    const query: AnalyticsQuery = { from: '2025-01-01', to: '2025-03-21', storeId: null, now: new Date(NOW).toISOString(), calendar: 'gregory', listLimit: 10 };

    const incremental = createAggregator(settings);
    incremental.add({ customers });
    for (let i = 0; i < visits.length; i += 7000) incremental.add({ visits: visits.slice(i, i + 7000) });
    for (let i = 0; i < loyaltyEntries.length; i += 7000) incremental.add({ loyaltyEntries: loyaltyEntries.slice(i, i + 7000) });
    incremental.snapshot(query);
    // Visits at the ends of blocks and in the last one change; a ledger line at a block's end is erased; new
    // documents arrive; a customer merges.
    const changes: AnalyticsChange[] = [];
    for (const at of [0, 65_535, 65_536, 131_071, 131_072, 149_999]) {
      visits[at] = at % 2 === 0 ? { ...visits[at]!, voided: true } : { ...visits[at]!, feedback: { rating: 4 } };
      changes.push({ collection: 'visits', doc: visits[at]! });
    }
    loyaltyEntries[65_535] = { ...loyaltyEntries[65_535]!, _deleted: true };
    changes.push({ collection: 'loyaltyEntries', doc: loyaltyEntries[65_535]! });
    const late: VisitLike = { ...visits[5]!, id: uid(900_000), occurredAt: iso(-60), total: 77_000 };
    visits.push(late);
    changes.push({ collection: 'visits', doc: late });
    customers[1] = { ...customers[1]!, mergedInto: customers[2]!.id };
    changes.push({ collection: 'customers', doc: customers[1]! });
    incremental.apply(changes);
    const updated = incremental.snapshot(query);

    const cold = createAggregator(settings);
    cold.add({ customers, visits, loyaltyEntries });
    expect(updated).toEqual(cold.snapshot(query));
    expect(updated).toEqual(referenceSnapshot({ customers, visits, loyaltyEntries, rewards: [] }, settings, query));
    expect(incremental.members(query, { kind: 'clv' })).toEqual(cold.members(query, { kind: 'clv' }));

    // A new time zone re-buckets every block's days.
    const ny = { ...settings, timeZone: 'America/New_York' };
    incremental.setSettings(ny);
    const moved = createAggregator(ny);
    moved.add({ customers, visits, loyaltyEntries });
    expect(incremental.snapshot(query)).toEqual(moved.snapshot(query));
  }, 120_000);
});
