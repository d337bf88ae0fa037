import type { CustomerStats } from './customer-filter.ts';
import { priorVisitsOf, type Customer } from './customer.ts';
import { hasConsent } from './customer-profile.ts';
import { DAY_MS, zonedDate } from './dates.ts';
import { expiredPoints } from './loyalty-expiry.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import { summarize } from './loyalty.ts';
import { segmentOf, visitStats } from './segments.ts';
import type { Settings } from './settings.ts';
import type { Visit } from './visit.ts';

// Per-customer statistics for filters, sorts and exports, derived in one pass over a replica's documents (or
// the server's): each merge group counts once, as its surviving customer, with every member's visits and ledger
// lines — as the card and the analytics count them. The same function runs on the terminal and in the CLI, so
// a group's filter selects the same customers everywhere.

const MAX_MERGE_HOPS = 10;

/** The documents statistics are derived from (tombstones and merged duplicates may be included). */
export interface StatsSources {
  customers: Iterable<Customer>;
  visits: Iterable<Visit>;
  entries: Iterable<LoyaltyEntry>;
}

/** The surviving customer of `id` following `mergedInto` (a chain longer than the limit stops where it is). */
function rootOf(id: string, parent: ReadonlyMap<string, string>): string {
  let current = id;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const next = parent.get(current);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

function groupBy<T extends { customerId: string; _deleted: boolean }>(docs: Iterable<T>, root: (id: string) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const doc of docs) {
    if (doc._deleted) continue;
    const key = root(doc.customerId);
    const list = groups.get(key);
    if (list) list.push(doc);
    else groups.set(key, [doc]);
  }
  return groups;
}

/** The listed customers (live, not merged into another) and the surviving customer of any customer id. */
export function mergeRoots(customers: Iterable<Customer>): { listed: Customer[]; rootOf(id: string): string } {
  const parent = new Map<string, string>();
  const listed: Customer[] = [];
  for (const c of customers) {
    if (c._deleted) continue;
    if (c.mergedInto) parent.set(c.id, c.mergedInto);
    else listed.push(c);
  }
  return { listed, rootOf: (id) => rootOf(id, parent) };
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * `zonedDate` remembered per quarter hour (exported for callers that map many instants to local days): every time zone's offset is a multiple of 15 minutes, so all instants
 * of one UTC quarter hour fall on the same local day, and thousands of customers cost a few hundred Intl calls.
 */
export function dayCache(timeZone: string): (iso: string) => string {
  const days = new Map<number, string>();
  return (iso) => {
    const ms = Date.parse(iso);
    const key = Math.floor(ms / QUARTER_HOUR_MS);
    let day = days.get(key);
    if (day === undefined) {
      day = zonedDate(new Date(ms), timeZone);
      days.set(key, day);
    }
    return day;
  };
}

/** Visits before Patron of each merge group, by surviving customer: every live record's count adds up. */
export function groupPriorVisits(customers: Iterable<Customer>, rootOf: (id: string) => string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const c of customers) {
    if (c._deleted || priorVisitsOf(c) === 0) continue;
    const root = rootOf(c.id);
    sums.set(root, (sums.get(root) ?? 0) + priorVisitsOf(c));
  }
  return sums;
}

/** Statistics of every listed customer at `now`. */
export function buildCustomerStats(sources: StatsSources, settings: Pick<Settings, 'program' | 'segments' | 'timeZone'>, now: Date): CustomerStats[] {
  const customers = [...sources.customers];
  const { listed, rootOf: root } = mergeRoots(customers);
  const visits = groupBy(sources.visits, root);
  const entries = groupBy(sources.entries, root);
  const priors = groupPriorVisits(customers, root);
  const dayOf = dayCache(settings.timeZone);
  return listed.map((c) => statsOf(c, visits.get(c.id) ?? [], entries.get(c.id) ?? [], settings, now, dayOf, priors.get(c.id) ?? 0));
}

/**
 * Points of `entries` expired by `now` (loyalty-expiry.ts). Nothing has expired unless some earned line is older
 * than the expiry period — most customers — and then the replay is skipped.
 */
function expiredBy(entries: readonly LoyaltyEntry[], program: Settings['program'], now: Date): number {
  if (program.expiryDays === null) return 0;
  const cutoff = now.getTime() - program.expiryDays * DAY_MS;
  const old = entries.some((e) => !e._deleted && e.points > 0 && Date.parse(e.occurredAt) <= cutoff);
  return old ? expiredPoints(entries, program, now) : 0;
}

/**
 * One customer's statistics from its merge group's visits, ledger lines and visits before Patron (`priorVisits`,
 * the group's sum; the customer's own count by default). Visits before Patron add to the all-time count only:
 * they have no dates, so they are in no window, segment, first or last visit.
 */
export function statsOf(
  c: Customer,
  visits: readonly Visit[],
  entries: readonly LoyaltyEntry[],
  settings: Pick<Settings, 'program' | 'segments' | 'timeZone'>,
  now: Date,
  dayOf: (iso: string) => string = (iso) => zonedDate(new Date(iso), settings.timeZone),
  priorVisits: number = priorVisitsOf(c),
): CustomerStats {
  const stats = visitStats(visits, now, settings.segments);
  const stores = new Set([c.storeId]);
  let spend = 0;
  for (const v of visits) {
    if (v.voided || v._deleted) continue;
    spend += v.total;
    stores.add(v.storeId);
  }
  const summary = summarize(entries, settings.program);
  return {
    id: c.id,
    name: c.name,
    nameKey: c.nameKey,
    phone: c.phone,
    email: c.email,
    tags: c.tags,
    birthday: c.birthday,
    // Consented on either channel (the filter's yes/no; per-channel states are on the card).
    marketingConsent: hasConsent(c, 'email') || hasConsent(c, 'sms'),
    status: c.status,
    storeId: c.storeId,
    createdAt: c.createdAt,
    signedUpDay: dayOf(c.createdAt),
    stores: [...stores],
    visits: stats.visitCount + priorVisits,
    priorVisits,
    spend,
    firstVisitAt: stats.firstVisitAt,
    lastVisitAt: stats.lastVisitAt,
    lastVisitDay: stats.lastVisitAt === null ? null : dayOf(stats.lastVisitAt),
    points: summary.balance - expiredBy(entries, settings.program, now),
    tier: summary.tier,
    segment: segmentOf(stats, settings.segments, now),
  };
}
