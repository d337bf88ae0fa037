import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import type { CustomerLike } from '../../../src/renderer/features/analytics/compute/replica.ts';
import type { AnalyticsQuery, QueryGroup, Snapshot } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { EMPTY_FILTER } from '../../../src/sync/model/customer-filter.ts';
import { SETTINGS, customer, entry, uid, visit } from './fixture.ts';
import { coldLoad, customerIdOf, opArb, queryArb, replay, settingsArb } from './ops.ts';
import { referenceSnapshot, type ReferenceData } from './reference.ts';

// The dashboard restricted to a saved group is the dashboard of the group's customers alone: for any history
// and any members, the restricted snapshot — cold, or kept up to date change by change, with the members sent
// again half-way — equals the unrestricted snapshot computed over only the merge groups whose surviving
// customer is a member, with their visits and ledger lines (and the model-based reference over the same data).
// The seed is printed; FC_SEED=<n> replays one.

const GROUP: QueryGroup = { id: uid(900), filter: { ...EMPTY_FILTER, visitsMin: 2 } };

/** Surviving customer of each id, as the reference resolves merges (cycles and long chains stay put). */
function rootsOf(customers: readonly CustomerLike[]): (id: string) => string {
  const byId = new Map(customers.map((c) => [c.id, c]));
  const parent = (id: string) => {
    const p = byId.get(id)?.mergedInto ?? null;
    return p === id ? null : p;
  };
  return (id) => {
    let current = id;
    for (let hop = 0; hop < 10; hop++) {
      const next = parent(current);
      if (next === null) return current;
      if (next === id) return id;
      current = next;
    }
    return parent(current) === null ? current : id;
  };
}

/**
 * The data of the members' merge groups only. A kept customer's merge pointer to a customer outside them is
 * dropped: it leads nowhere in the group's data, as it led nowhere before (a cycle, or a chain too long).
 */
function onlyMembers(data: ReferenceData, members: readonly string[]): ReferenceData {
  const rootOf = rootsOf(data.customers);
  const roots = new Set(members.map(rootOf));
  const inGroup = (id: string) => roots.has(rootOf(id));
  return {
    customers: data.customers.filter((c) => inGroup(c.id)).map((c) => (c.mergedInto && !inGroup(c.mergedInto) ? { ...c, mergedInto: null } : c)),
    visits: data.visits.filter((v) => inGroup(v.customerId)),
    loyaltyEntries: data.loyaltyEntries.filter((e) => inGroup(e.customerId)),
    rewards: data.rewards,
  };
}

/** `snapshot` as the question without a group would have it. */
const withoutGroup = (snapshot: Snapshot): Snapshot => ({ ...snapshot, query: { ...snapshot.query, group: undefined } });

const membersArb = fc.subarray([0, 1, 2, 3, 4, 5, 6, 7].map(customerIdOf));

describe('the dashboard restricted to a saved group', () => {
  it('equals the dashboard over only the members’ customers, visits and ledger, cold and kept up to date', () => {
    const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`group restriction property: seed ${seed} (FC_SEED=${seed} replays it)`);
    fc.assert(
      fc.property(settingsArb, fc.array(opArb, { maxLength: 60 }), fc.nat(), queryArb, membersArb, membersArb, (settings, ops, cut, plain, early, members) => {
        const query: AnalyticsQuery = { ...plain, group: GROUP };
        const { changes, final } = replay(ops);
        const split = changes.length === 0 ? 0 : cut % (changes.length + 1);

        const incremental = createAggregator(settings);
        incremental.add(coldLoad(changes.slice(0, split)));
        incremental.setMembers(GROUP, early);
        incremental.snapshot(query);
        incremental.snapshot(plain);
        const rest = changes.slice(split);
        rest.forEach((change, i) => {
          incremental.apply([change]);
          // The page selects the members again as the data changes.
          if (i === rest.length >> 1) incremental.setMembers(GROUP, members);
          if (i % 3 === 2) incremental.snapshot(query);
        });
        if (rest.length === 0) incremental.setMembers(GROUP, members);
        const updated = incremental.snapshot(query);

        const cold = createAggregator(settings);
        cold.add(final);
        cold.setMembers(GROUP, members);
        expect(updated).toEqual(cold.snapshot(query));
        const subset = onlyMembers(final, members);
        const alone = createAggregator(settings);
        alone.add(subset);
        expect(withoutGroup(updated)).toEqual(alone.snapshot(plain));
        expect(withoutGroup(updated)).toEqual(referenceSnapshot(subset, settings, plain));
        // The whole merchant's dashboard, kept beside it, is untouched by the group's.
        expect(incremental.snapshot(plain)).toEqual(cold.snapshot(plain));
        expect(incremental.members(query, { kind: 'clv' })).toEqual(alone.members(plain, { kind: 'clv' }));
      }),
      { seed, numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  }, 300_000);

  it('counts a merged duplicate once, with its surviving customer, and its points in the group’s loyalty', () => {
    const [S1, S2] = [uid(1), uid(2)];
    const [A, B, D, X] = [uid(11), uid(12), uid(14), uid(19)];
    const aggregator = createAggregator(SETTINGS);
    aggregator.add({
      customers: [customer(A, 'Ali'), customer(B, 'Bahar'), customer(D, 'Bahar (dup)', { mergedInto: B }), customer(X, 'Xerxes')],
      visits: [
        visit(A, S1, '2025-06-02T08:00:00.000Z', 200_000),
        visit(B, S1, '2025-06-05T08:00:00.000Z', 50_000),
        visit(B, S1, '2025-06-06T08:00:00.000Z', 999_999, { voided: true }),
        visit(D, S2, '2025-06-12T08:00:00.000Z', 40_000, { feedback: { rating: 2 } }),
        visit(X, S2, '2025-06-13T08:00:00.000Z', 70_000),
      ],
      loyaltyEntries: [entry(A, S1, 'earn', 200, '2025-06-02T08:00:00.000Z'), entry(B, S1, 'earn', 50, '2025-06-05T08:00:00.000Z'), entry(D, S2, 'earn', 40, '2025-06-12T08:00:00.000Z'), entry(D, S2, 'redeem', -30, '2025-06-13T08:00:00.000Z')],
    });
    const plain: AnalyticsQuery = { from: '2025-06-01', to: '2025-06-16', storeId: null, now: '2025-06-15T12:00:00.000Z', calendar: 'gregory', listLimit: 20 };
    const query = { ...plain, group: GROUP };
    expect(() => aggregator.snapshot(query)).toThrow(/no members/);
    // The page lists surviving customers only: Bahar stands for her merged duplicate.
    aggregator.setMembers(GROUP, [B, X]);
    const snapshot = aggregator.snapshot(query);
    expect(snapshot.kpis).toEqual({ visits: 3, revenue: 160_000, averageTicket: 53_333, voidedVisits: 1, activeCustomers: 2, newCustomers: 2, returningCustomers: 0, customers: 2 });
    expect(snapshot.daily.find((d) => d.day === '2025-06-12')).toEqual({ day: '2025-06-12', visits: 1, revenue: 40_000 });
    expect(snapshot.frequency.find((f) => f.bucket === '2')?.customers).toBe(1);
    expect(snapshot.loyalty).toMatchObject({ earned: 90, redeemed: 30, issued: 90, outstanding: 60 });
    expect(snapshot.feedback).toEqual({ count: 1, average: 2, distribution: [0, 1, 0, 0, 0] });
    expect(snapshot.topCustomers.map((r) => [r.name, r.periodVisits, r.periodSpend])).toEqual([['Bahar', 2, 90_000], ['Xerxes', 1, 70_000]]);
    expect(aggregator.members(query, { kind: 'clv' }).map((r) => r.id)).toEqual([B, X]);
    // One store: the group's visits and lines there.
    expect(aggregator.snapshot({ ...query, storeId: S2 }).kpis).toMatchObject({ visits: 2, revenue: 110_000, customers: 2 });
    // The whole merchant is still there for the question without a group.
    expect(aggregator.snapshot(plain).kpis).toMatchObject({ visits: 4, customers: 3 });
  });
});
