import { z } from 'zod';
import { IdSchema, IsoDateSchema, NonNegativeIntSchema, TierSchema, type Tier } from './common.ts';
import { CustomerStatusSchema, type CustomerStatus } from './customer.ts';
import { SegmentSchema, type Segment } from './segments.ts';

// A customer filter as the customers list, a saved group, analytics and exports share it: one schema, one
// evaluation (`matchesFilter`) over per-customer statistics (customer-stats.ts), and one sort. Nothing here
// reads a database: the terminal and the server CLI build the statistics from their own data and pass them in.

const Count = NonNegativeIntSchema.nullable();
const Amount = z.int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).nullable();

/**
 * A filter; `null` (and an empty tag list, `consent: 'any'`) means "no condition". Date ranges are whole days
 * in the merchant's time zone, both ends included; number ranges include both ends. Tags must all be present.
 * Store: the customer signed up there or visited it.
 */
export const CustomerFilterSchema = z
  .strictObject({
    lastVisitFrom: IsoDateSchema.nullable(),
    lastVisitTo: IsoDateSchema.nullable(),
    visitsMin: Count,
    visitsMax: Count,
    spendMin: Amount,
    spendMax: Amount,
    pointsMin: Amount,
    pointsMax: Amount,
    signedUpFrom: IsoDateSchema.nullable(),
    signedUpTo: IsoDateSchema.nullable(),
    tags: z.array(z.string().min(1).max(40)).max(30),
    birthdayMonth: z.int().min(1).max(12).nullable(),
    consent: z.enum(['any', 'yes', 'no']),
    storeId: IdSchema.nullable(),
    segment: SegmentSchema.nullable(),
    tier: TierSchema.nullable(),
    status: CustomerStatusSchema.nullable(),
  })
  .check((ctx) => {
    // A reversed range matches nobody: refuse it where it is typed instead of showing an empty list.
    const v = ctx.value;
    const pairs = [
      ['lastVisitFrom', 'lastVisitTo'],
      ['visitsMin', 'visitsMax'],
      ['spendMin', 'spendMax'],
      ['pointsMin', 'pointsMax'],
      ['signedUpFrom', 'signedUpTo'],
    ] as const;
    for (const [low, high] of pairs) {
      const a = v[low];
      const b = v[high];
      if (a !== null && b !== null && a > b) ctx.issues.push({ code: 'custom', message: 'RANGE_ORDER', input: b, path: [high] });
    }
  });
/** A customer filter. */
export type CustomerFilter = z.infer<typeof CustomerFilterSchema>;

/** The filter that matches every listed customer. */
export const EMPTY_FILTER: CustomerFilter = {
  lastVisitFrom: null,
  lastVisitTo: null,
  visitsMin: null,
  visitsMax: null,
  spendMin: null,
  spendMax: null,
  pointsMin: null,
  pointsMax: null,
  signedUpFrom: null,
  signedUpTo: null,
  tags: [],
  birthdayMonth: null,
  consent: 'any',
  storeId: null,
  segment: null,
  tier: null,
  status: null,
};

/**
 * What the filter and the sort read of one customer (a merge group, shown as its surviving customer):
 * document fields plus statistics derived from the group's visits and ledger. Days are in the merchant's zone.
 */
export interface CustomerStats {
  readonly id: string;
  readonly name: string;
  readonly nameKey: string;
  readonly phone: string;
  readonly email: string | null;
  readonly tags: readonly string[];
  readonly birthday: string | null;
  readonly marketingConsent: boolean;
  readonly status: CustomerStatus;
  /** Sign-up store. */
  readonly storeId: string;
  readonly createdAt: string;
  readonly signedUpDay: string;
  /** Sign-up store and every store with a live visit. */
  readonly stores: readonly string[];
  /** All-time visits: the live visits recorded in Patron plus `priorVisits`. */
  readonly visits: number;
  /** Visits before Patron (the merge group's sum), part of `visits`. */
  readonly priorVisits: number;
  /** Σ paid totals of live visits, minor units. */
  readonly spend: number;
  readonly firstVisitAt: string | null;
  readonly lastVisitAt: string | null;
  readonly lastVisitDay: string | null;
  /** Point balance net of derived expiry, as the card shows it. */
  readonly points: number;
  readonly tier: Tier;
  readonly segment: Segment;
}

function inRange(value: number, min: number | null, max: number | null): boolean {
  return (min === null || value >= min) && (max === null || value <= max);
}

function inDays(day: string | null, from: string | null, to: string | null): boolean {
  if (from === null && to === null) return true;
  // ISO days compare as text.
  return day !== null && (from === null || day >= from) && (to === null || day <= to);
}

/** Whether a customer matches every condition of `filter`. */
export function matchesFilter(c: CustomerStats, filter: CustomerFilter): boolean {
  return (
    inDays(c.lastVisitDay, filter.lastVisitFrom, filter.lastVisitTo) &&
    inDays(c.signedUpDay, filter.signedUpFrom, filter.signedUpTo) &&
    inRange(c.visits, filter.visitsMin, filter.visitsMax) &&
    inRange(c.spend, filter.spendMin, filter.spendMax) &&
    inRange(c.points, filter.pointsMin, filter.pointsMax) &&
    filter.tags.every((tag) => c.tags.includes(tag)) &&
    (filter.birthdayMonth === null || (c.birthday !== null && Number(c.birthday.slice(5, 7)) === filter.birthdayMonth)) &&
    (filter.consent === 'any' || c.marketingConsent === (filter.consent === 'yes')) &&
    (filter.storeId === null || c.stores.includes(filter.storeId)) &&
    (filter.segment === null || c.segment === filter.segment) &&
    (filter.tier === null || c.tier === filter.tier) &&
    (filter.status === null || c.status === filter.status)
  );
}

/** Whether a filter has any condition. */
export function isEmptyFilter(filter: CustomerFilter): boolean {
  return (Object.keys(EMPTY_FILTER) as (keyof CustomerFilter)[]).every((key) =>
    key === 'tags' ? filter.tags.length === 0 : filter[key] === EMPTY_FILTER[key],
  );
}

/** What the list can be sorted by. */
export const SORT_KEYS = ['name', 'lastVisit', 'visits', 'spend', 'points', 'signedUp'] as const;
/** A sort key. */
export const SortKeySchema = z.enum(SORT_KEYS);
/** A list order: a key and a direction. */
export const CustomerSortSchema = z.strictObject({ key: SortKeySchema, dir: z.enum(['asc', 'desc']) });
/** A list order. */
export type CustomerSort = z.infer<typeof CustomerSortSchema>;

type Comparable = string | number | null;
const SORT_VALUE: Record<CustomerSort['key'], (c: CustomerStats) => Comparable> = {
  name: (c) => c.nameKey,
  lastVisit: (c) => c.lastVisitAt && Date.parse(c.lastVisitAt),
  visits: (c) => c.visits,
  spend: (c) => c.spend,
  points: (c) => c.points,
  signedUp: (c) => Date.parse(c.createdAt),
};

/**
 * Sorts a copy of `rows`. Customers without a value (never visited, for the last visit) come last in either
 * direction; ties are broken by id so the order is total and stable across runs.
 */
export function sortCustomers(rows: readonly CustomerStats[], sort: CustomerSort): CustomerStats[] {
  const value = SORT_VALUE[sort.key];
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = rows.map((row) => ({ row, v: value(row) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) {
      if (a.v !== b.v) return a.v === null ? 1 : -1;
    } else if (a.v !== b.v) return (a.v < b.v ? -1 : 1) * sign;
    return a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
  });
  return keyed.map((k) => k.row);
}

/** The customers matching `filter`, in `sort` order. */
export function selectCustomers(rows: readonly CustomerStats[], filter: CustomerFilter, sort: CustomerSort): CustomerStats[] {
  return sortCustomers(
    rows.filter((row) => matchesFilter(row, filter)),
    sort,
  );
}
