import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../../src/sync/model/common.ts';
import {
  CustomerFilterSchema, EMPTY_FILTER, isEmptyFilter, matchesFilter, selectCustomers, SORT_KEYS, sortCustomers,
  type CustomerFilter, type CustomerStats,
} from '../../../src/sync/model/customer-filter.ts';
import { buildCustomerStats } from '../../../src/sync/model/customer-stats.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { SEGMENTS } from '../../../src/sync/model/segments.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES } from '../../../src/sync/model/settings.ts';
import type { Visit } from '../../../src/sync/model/visit.ts';

// The one evaluation of a customer filter (lists, saved groups, analytics, exports): a filter is the
// conjunction of its conditions, each condition is what it says, the empty filter keeps everyone, and a sort
// is a total order with customers lacking the value last. Seeded runs; the seed is printed.

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const RUNS = { numRuns: 150, seed: SEED };
console.log(`customer-filter properties: FC_SEED=${SEED}`);

const STORES = ['0196a3b2-0000-7000-8000-000000000001', '0196a3b2-0000-7000-8000-000000000002', '0196a3b2-0000-7000-8000-000000000003'];
const TAGS = ['vip', 'قهوه', 'staff', 'wholesale'];
const day = fc.integer({ min: 0, max: 800 }).map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
const instantOn = (d: string) => `${d}T10:00:00.000Z`;

const stats: fc.Arbitrary<CustomerStats> = fc
  .record({
    n: fc.integer({ min: 0, max: 1e9 }),
    name: fc.string({ minLength: 3, maxLength: 8 }),
    tags: fc.subarray(TAGS),
    birthday: fc.option(day, { nil: null }),
    consent: fc.boolean(),
    status: fc.constantFrom('active', 'inactive', 'blocked' as const),
    store: fc.constantFrom(...STORES),
    visitedStores: fc.subarray(STORES),
    signedUp: day,
    lastVisit: fc.option(day, { nil: null }),
    visits: fc.integer({ min: 0, max: 50 }),
    prior: fc.integer({ min: 0, max: 40 }),
    spend: fc.integer({ min: 0, max: 5_000_000 }),
    points: fc.integer({ min: -500, max: 5_000 }),
    tier: fc.constantFrom(...TIERS),
    segment: fc.constantFrom(...SEGMENTS),
  })
  .map((r) => ({
    id: `0196a3b2-0000-7000-8000-${String(r.n).padStart(12, '0')}`,
    name: r.name,
    nameKey: r.name.toLowerCase(),
    phone: '+989120000000',
    email: null,
    tags: r.tags,
    birthday: r.birthday,
    marketingConsent: r.consent,
    status: r.status,
    storeId: r.store,
    createdAt: instantOn(r.signedUp),
    signedUpDay: r.signedUp,
    stores: [...new Set([r.store, ...r.visitedStores])],
    visits: (r.lastVisit === null ? 0 : Math.max(1, r.visits)) + r.prior,
    priorVisits: r.prior,
    spend: r.spend,
    firstVisitAt: r.lastVisit && instantOn(r.lastVisit),
    lastVisitAt: r.lastVisit && instantOn(r.lastVisit),
    lastVisitDay: r.lastVisit,
    points: r.points,
    tier: r.tier,
    segment: r.segment,
  }));

const range = <T extends number | string>(value: fc.Arbitrary<T>) => fc.tuple(fc.option(value, { nil: null }), fc.option(value, { nil: null })).map(([a, b]: [T | null, T | null]) => (a !== null && b !== null && a > b ? [b, a] : [a, b]) as [T | null, T | null]);
const filter: fc.Arbitrary<CustomerFilter> = fc
  .record({
    lastVisit: range(day),
    signedUp: range(day),
    visits: range(fc.integer({ min: 0, max: 50 })),
    spend: range(fc.integer({ min: 0, max: 5_000_000 })),
    points: range(fc.integer({ min: -500, max: 5_000 })),
    tags: fc.subarray(TAGS, { maxLength: 2 }),
    birthdayMonth: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
    consent: fc.constantFrom('any', 'yes', 'no' as const),
    storeId: fc.option(fc.constantFrom(...STORES), { nil: null }),
    segment: fc.option(fc.constantFrom(...SEGMENTS), { nil: null }),
    tier: fc.option(fc.constantFrom(...TIERS), { nil: null }),
    status: fc.option(fc.constantFrom('active', 'inactive', 'blocked' as const), { nil: null }),
  })
  .map((f) => ({
    ...EMPTY_FILTER,
    lastVisitFrom: f.lastVisit[0],
    lastVisitTo: f.lastVisit[1],
    signedUpFrom: f.signedUp[0],
    signedUpTo: f.signedUp[1],
    visitsMin: f.visits[0],
    visitsMax: f.visits[1],
    spendMin: f.spend[0],
    spendMax: f.spend[1],
    pointsMin: f.points[0],
    pointsMax: f.points[1],
    tags: f.tags,
    birthdayMonth: f.birthdayMonth,
    consent: f.consent,
    storeId: f.storeId,
    segment: f.segment,
    tier: f.tier,
    status: f.status,
  }));

/** Each condition of a filter alone, as the filter that has only it. */
function conditions(f: CustomerFilter): CustomerFilter[] {
  const single = (patch: Partial<CustomerFilter>) => ({ ...EMPTY_FILTER, ...patch });
  const keys = Object.keys(EMPTY_FILTER) as (keyof CustomerFilter)[];
  return [...keys.filter((k) => k !== 'tags').map((k) => single({ [k]: f[k] })), ...f.tags.map((tag) => single({ tags: [tag] }))];
}

/** What each condition means, written out independently of the module. */
function oracle(c: CustomerStats, f: CustomerFilter): boolean {
  const within = (v: number | string | null, lo: number | string | null, hi: number | string | null) =>
    (lo === null && hi === null) || (v !== null && (lo === null || v >= lo) && (hi === null || v <= hi));
  return (
    within(c.lastVisitDay, f.lastVisitFrom, f.lastVisitTo) &&
    within(c.signedUpDay, f.signedUpFrom, f.signedUpTo) &&
    within(c.visits, f.visitsMin, f.visitsMax) &&
    within(c.spend, f.spendMin, f.spendMax) &&
    within(c.points, f.pointsMin, f.pointsMax) &&
    f.tags.every((t) => c.tags.includes(t)) &&
    (f.birthdayMonth === null || (c.birthday !== null && new Date(`${c.birthday}T00:00:00Z`).getUTCMonth() + 1 === f.birthdayMonth)) &&
    (f.consent === 'any' || (f.consent === 'yes') === c.marketingConsent) &&
    (f.storeId === null || c.stores.includes(f.storeId)) &&
    [f.segment ?? c.segment, f.tier ?? c.tier, f.status ?? c.status].join() === [c.segment, c.tier, c.status].join()
  );
}

describe('customer filter evaluation', () => {
  it('every generated filter is valid, the empty one keeps everyone and is the only empty one', () => {
    fc.assert(
      fc.property(filter, stats, (f, c) => {
        expect(CustomerFilterSchema.safeParse(f).success).toBe(true);
        expect(matchesFilter(c, EMPTY_FILTER)).toBe(true);
        expect(isEmptyFilter(f)).toBe(conditions(f).every((single) => JSON.stringify(single) === JSON.stringify(EMPTY_FILTER)));
      }),
      RUNS,
    );
  });

  it('a filter is the conjunction of its conditions, and each condition means what the oracle says', () => {
    fc.assert(
      fc.property(filter, stats, (f, c) => {
        expect(matchesFilter(c, f)).toBe(conditions(f).every((single) => matchesFilter(c, single)));
        expect(matchesFilter(c, f)).toBe(oracle(c, f));
      }),
      RUNS,
    );
  });

  it('selecting keeps exactly the matches, in a total order with missing values last', () => {
    fc.assert(
      fc.property(fc.array(stats, { maxLength: 30 }), filter, fc.constantFrom(...SORT_KEYS), fc.constantFrom('asc', 'desc' as const), (rows, f, key, dir) => {
        const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
        const selected = selectCustomers(unique, f, { key, dir });
        expect(new Set(selected.map((r) => r.id))).toEqual(new Set(unique.filter((r) => oracle(r, f)).map((r) => r.id)));
        const value = (r: CustomerStats) => ({ name: r.nameKey, lastVisit: r.lastVisitAt, visits: r.visits, spend: r.spend, points: r.points, signedUp: r.createdAt })[key] ?? null;
        for (let i = 1; i < selected.length; i++) {
          const [a, b] = [value(selected[i - 1]!), value(selected[i]!)];
          if (a === null) expect(b).toBeNull();
          else if (b !== null && a !== b) expect(dir === 'asc' ? a < b : a > b).toBe(true);
        }
        expect(sortCustomers([...unique].reverse(), { key, dir })).toEqual(sortCustomers(unique, { key, dir }));
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('refuses a reversed range and names the field', () => {
    const parsed = CustomerFilterSchema.safeParse({ ...EMPTY_FILTER, lastVisitFrom: '2026-05-01', lastVisitTo: '2026-04-01' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['lastVisitTo'], message: 'RANGE_ORDER' });
  });
});

describe('statistics of merge groups, and a group’s visits in a period', () => {
  const root = STORES[0]!.replace(/1$/, 'a');
  const dup = STORES[0]!.replace(/1$/, 'b');
  const customer = (id: string, mergedInto: string | null, priorVisits?: number) =>
    ({ id, mergedInto, priorVisits, _deleted: false, name: 'Sara', nameKey: 'sara', phone: '+989120000000', email: null, tags: [], birthday: null, consent: [], status: 'active', storeId: STORES[0]!, createdAt: '2026-03-20T21:00:00.000Z' }) as unknown as Customer;
  const visit = (id: string, customerId: string, occurredAt: string, total: number, voided = false) =>
    ({ id, customerId, occurredAt, total, voided, _deleted: false, storeId: STORES[1]! }) as unknown as Visit;
  const visits = [
    visit('v1', root, '2026-03-20T20:00:00.000Z', 100),
    // 21:00 UTC is already 21 March in Tehran (+03:30): the first local day of the period.
    visit('v2', dup, '2026-03-20T21:00:00.000Z', 250),
    visit('v3', dup, '2026-03-25T08:00:00.000Z', 999, true),
  ];

  it('counts a merged duplicate’s visits for the surviving customer and leaves voided visits out', () => {
    const [stats] = buildCustomerStats({ customers: [customer(root, null), customer(dup, root)], visits, entries: [] }, { program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES, timeZone: 'Asia/Tehran' }, new Date('2026-04-01T00:00:00.000Z'));
    expect(stats).toMatchObject({ id: root, visits: 2, spend: 350, stores: [STORES[0], STORES[1]], signedUpDay: '2026-03-21', lastVisitDay: '2026-03-21' });
  });

  it('adds every record’s visits before Patron to the all-time count, never to a date or a segment', () => {
    const settings = { program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES, timeZone: 'Asia/Tehran' };
    const now = new Date('2026-04-01T00:00:00.000Z');
    const [stats] = buildCustomerStats({ customers: [customer(root, null, 30), customer(dup, root, 12)], visits, entries: [] }, settings, now);
    expect(stats).toMatchObject({ id: root, visits: 44, priorVisits: 42, spend: 350, lastVisitDay: '2026-03-21', firstVisitAt: '2026-03-20T20:00:00.000Z' });
    const [without] = buildCustomerStats({ customers: [customer(root, null), customer(dup, root)], visits, entries: [] }, settings, now);
    expect(stats!.segment).toBe(without!.segment);
    // Only visits before Patron: counted, but no last visit, so no segment.
    const [only] = buildCustomerStats({ customers: [customer(root, null, 7)], visits: [], entries: [] }, settings, now);
    expect(only).toMatchObject({ visits: 7, priorVisits: 7, lastVisitAt: null, segment: 'none' });
  });
});
