import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import { columnBuffers, kindIndex, packCustomers, packLoyaltyEntries, packVisits } from '../../../src/renderer/features/analytics/compute/input-shapes.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { SETTINGS, customer, entry, uid, visit } from './fixture.ts';
import { referenceSnapshot } from './reference.ts';

// The cold path's columns (input-shapes.ts): what the page packs, and the worker's checks as it reads them — a
// document lacking a field the analytics read is skipped and counted, whether it came as columns (the
// worker's `load`) or as documents (`add`, and the change stream's inserts, which pack them).

const [S1, S2] = [uid(1), uid(2)];
const [A, B, C] = [uid(11), uid(12), uid(13)];
const QUERY: AnalyticsQuery = { from: '2025-06-01', to: '2025-06-16', storeId: null, now: '2025-06-15T12:00:00.000Z', calendar: 'gregory', listLimit: 20 };
const AT = '2025-06-05T08:00:00.000Z';
/** A document with fields the types do not allow (as a broken replica or page could carry). */
const odd = <T>(doc: T, patch: Record<string, unknown>): T => ({ ...doc, ...patch }) as T;

const validCustomers = [customer(A, 'Ali'), customer(B, 'Bahar', { mergedInto: A }), customer(C, 'Cyrus')];
const validVisits = [
  visit(A, S1, AT, 100_000),
  visit(B, S2, '2025-06-06T08:00:00.000Z', 50_000, { feedback: { rating: 4 } }),
  visit(C, S1, '2025-06-07T08:00:00.000Z', 70_000, { voided: true }),
  visit(C, S1, '2025-06-08T08:00:00.000Z', 20_000, { _deleted: true, feedback: { rating: 2 } }),
  visit(C, S2, '2025-06-09T08:00:00.000Z', 30_000, { feedback: { rating: 5 } }),
];
const validEntries = [entry(A, S1, 'earn', 100, AT), entry(B, S2, 'redeem', -40, AT), entry(C, S1, 'adjust', -5, AT), entry(C, S1, 'reversal', -3, AT)];

// Each of these lacks a field the analytics read.
const badCustomers = [odd(customer(uid(90), 'No id'), { id: 42 }), odd(customer(uid(91), 'Null id'), { id: null })];
const badVisits = [
  odd(visit(A, S1, AT, 1000), { customerId: 5 }),
  odd(visit(A, S1, AT, 1000), { storeId: null }),
  visit(A, S1, 'yesterday', 1000),
  odd(visit(A, S1, AT, 1000), { occurredAt: Date.parse(AT) }),
  odd(visit(A, S1, AT, 1000), { total: '1000' }),
  visit(A, S1, AT, 1.5),
  visit(A, S1, AT, NaN),
  visit(A, S1, AT, 2 ** 60),
  visit(A, S1, AT, Infinity),
  odd(visit(A, S1, AT, 1000), { total: undefined }),
];
const badEntries = [
  odd(entry(A, S1, 'earn', 10, AT), { customerId: undefined }),
  odd(entry(A, S1, 'earn', 10, AT), { storeId: 3 }),
  entry(A, S1, 'earn', 10, '2025-13-45T08:00:00.000Z'),
  entry(A, S1, 'bonus', 10, AT),
  odd(entry(A, S1, 'earn', 10, AT), { kind: 3 }),
  odd(entry(A, S1, 'earn', 10, AT), { points: '10' }),
  entry(A, S1, 'earn', 1.5, AT),
  entry(A, S1, 'earn', NaN, AT),
  entry(A, S1, 'earn', 2 ** 53, AT),
];
const SKIPPED = { customers: badCustomers.length, visits: badVisits.length, loyaltyEntries: badEntries.length };

/** Interleaves the bad documents with the good ones (so a skip does not shift what follows it). */
const mixed = <T>(good: readonly T[], bad: readonly T[]): T[] => good.flatMap((doc, i) => (bad[i] ? [bad[i]!, doc] : [doc])).concat(bad.slice(good.length));

describe('analytics columns', () => {
  it('packs what the analytics read: numbers as numbers (NaN for anything else), flags and kinds as bytes', () => {
    const visits = packVisits([validVisits[0]!, validVisits[1]!, validVisits[2]!, validVisits[3]!, badVisits[4]!, badVisits[5]!, odd(visit(A, S1, AT, 1), { feedback: { rating: 9 } })]);
    expect(visits.n).toBe(7);
    expect([...visits.total]).toEqual([100_000, 50_000, 70_000, 20_000, NaN, 1.5, 1]);
    expect([...visits.live]).toEqual([1, 1, 0, 0, 1, 1, 1]);
    expect([...visits.rating]).toEqual([0, 4, 0, 2, 0, 0, 0]);
    expect(visits.customerId).toEqual([A, B, C, C, A, A, A]);
    expect(visits.id).toEqual([validVisits[0]!.id, validVisits[1]!.id, validVisits[2]!.id, validVisits[3]!.id, badVisits[4]!.id, badVisits[5]!.id, expect.any(String)]);

    const entries = packLoyaltyEntries([...validEntries, badEntries[3]!, badEntries[4]!, badEntries[5]!, { ...validEntries[0]!, _deleted: true }]);
    expect([...entries.kind]).toEqual([kindIndex('earn'), kindIndex('redeem'), kindIndex('adjust'), kindIndex('reversal'), -1, -1, 0, 0]);
    expect([...entries.points]).toEqual([100, -40, -5, -3, 10, 10, NaN, 100]);
    expect([...entries.deleted]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);

    const customers = packCustomers([...validCustomers, { ...validCustomers[2]!, _deleted: true }]);
    expect(customers).toMatchObject({ n: 4, id: [A, B, C, C], name: ['Ali', 'Bahar', 'Cyrus', 'Cyrus'], mergedInto: [null, A, null, null] });
    expect([...customers.deleted]).toEqual([0, 0, 0, 1]);
    // Every column holds n entries; the typed ones share one buffer (one transfer).
    for (const page of [visits, entries, customers]) for (const [name, column] of Object.entries(page)) if (name !== 'n') expect((column as { length: number }).length, name).toBe(page.n);
    expect(columnBuffers(visits)).toHaveLength(1);
    expect(columnBuffers(entries)).toEqual([entries.points.buffer]);
    // Text columns are packed arrays (V8 serialises a holey one key by key).
    expect(Object.keys(visits.id)).toHaveLength(7);
  });

  it('skips and counts, as the worker reads the columns, every document lacking a field the analytics read', () => {
    const aggregator = createAggregator(SETTINGS);
    const send = <T extends Parameters<typeof columnBuffers>[0]>(columns: T): T => structuredClone(columns, { transfer: columnBuffers(columns) });
    aggregator.addColumns({ customers: send(packCustomers(mixed(validCustomers, badCustomers))) });
    aggregator.addColumns({ visits: send(packVisits(mixed(validVisits, badVisits))) });
    aggregator.addColumns({ loyaltyEntries: send(packLoyaltyEntries(mixed(validEntries, badEntries))) });
    expect(aggregator.replica.skipped).toEqual(SKIPPED);
    expect(aggregator.replica.visits.count).toBe(validVisits.length);
    expect(aggregator.replica.ledger.columns.count).toBe(validEntries.length);

    // Nothing of them got in: the dashboard is the valid documents' alone.
    const valid = { customers: validCustomers, visits: validVisits, loyaltyEntries: validEntries, rewards: [] };
    const clean = createAggregator(SETTINGS);
    clean.add(valid);
    for (const q of [QUERY, { ...QUERY, storeId: S2 }]) {
      expect(aggregator.snapshot(q)).toEqual(clean.snapshot(q));
      expect(aggregator.snapshot(q)).toEqual(referenceSnapshot(valid, SETTINGS, q));
    }
    expect(aggregator.snapshot(QUERY).kpis).toMatchObject({ visits: 3, revenue: 180_000, voidedVisits: 2 });

    // Documents go through the same columns: the same counts.
    const fromDocs = createAggregator(SETTINGS);
    fromDocs.add({ customers: mixed(validCustomers, badCustomers), visits: mixed(validVisits, badVisits), loyaltyEntries: mixed(validEntries, badEntries) });
    expect(fromDocs.replica.skipped).toEqual(SKIPPED);
    expect(fromDocs.snapshot(QUERY)).toEqual(clean.snapshot(QUERY));
  });

  it('skips and counts invalid documents of the change stream the same way', () => {
    const aggregator = createAggregator(SETTINGS);
    aggregator.add({ customers: validCustomers, visits: validVisits, loyaltyEntries: validEntries });
    const before = aggregator.snapshot(QUERY);
    // Documents not in the replica (each would be an insert), of customers it knows (a change without a string
    // customer id is nobody's: the aggregator drops it before any table sees it).
    const visits = badVisits.filter((v) => typeof v.customerId === 'string').map((doc) => ({ collection: 'visits' as const, doc }));
    const entries = badEntries.filter((e) => typeof e.customerId === 'string').map((doc) => ({ collection: 'loyaltyEntries' as const, doc }));
    aggregator.apply([...visits, ...entries]);
    expect(aggregator.replica.skipped).toEqual({ customers: 0, visits: visits.length, loyaltyEntries: entries.length });
    expect(aggregator.snapshot(QUERY)).toEqual(before);
  });
});
