import { TIERS } from '../../../src/sync/model/common.ts';
import type { LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import { summarize, tierFor } from '../../../src/sync/model/loyalty.ts';
import { availableBalance } from '../../../src/sync/model/loyalty-expiry.ts';
import { SEGMENTS, churnRisk, segmentOf, visitStats, type Segment } from '../../../src/sync/model/segments.ts';
import type { Visit } from '../../../src/sync/model/visit.ts';
import type { AnalyticsSettings } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import { frequencyBucket, liabilityOf, projectedClv, valuePerPoint } from '../../../src/renderer/features/analytics/compute/customer-math.ts';
import type { CustomerLike, EntryLike, RewardLike, VisitLike } from '../../../src/renderer/features/analytics/compute/replica.ts';
import { FREQUENCY_BUCKETS, type AnalyticsQuery, type CustomerRow, type ListName, type Snapshot } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { DAY_MS, dayKey, dayOfKey, daysFromCivil } from '../../../src/renderer/features/analytics/compute/time.ts';

// The dashboard computed the obvious way, straight from the final documents and the model's own functions
// (visitStats, segmentOf, churnRisk, summarize, tierFor) with Intl for every day and month: slow, and the
// oracle the incremental aggregator is checked against. It is the specification in executable form.

/** The final state of a replica. */
export interface ReferenceData {
  customers: readonly CustomerLike[];
  visits: readonly VisitLike[];
  loyaltyEntries: readonly EntryLike[];
  rewards: readonly RewardLike[];
}

const formats = new Map<string, Intl.DateTimeFormat>();
const format = (locale: string, timeZone: string) => {
  const key = `${locale}|${timeZone}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formats.set(key, f);
  }
  return f;
};

function localDay(ms: number, timeZone: string): number {
  const parts = format('en-US', timeZone).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return daysFromCivil(get('year'), get('month'), get('day'));
}

function monthOf(day: number, calendar: AnalyticsQuery['calendar']): number {
  const parts = format(`en-US-u-ca-${calendar}`, 'UTC').formatToParts(day * DAY_MS);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return get('year') * 12 + get('month') - 1;
}

/** The reference dashboard. */
export function referenceSnapshot(data: ReferenceData, settings: AnalyticsSettings, query: AnalyticsQuery): Snapshot {
  const rules = settings.segments;
  const program = settings.program;
  const now = new Date(query.now);
  const fromDay = dayOfKey(query.from)!;
  const toDay = dayOfKey(query.to)!;
  const customers = new Map(data.customers.map((c) => [c.id, c]));
  const ids = new Set<string>([...customers.keys()]);
  for (const v of data.visits) ids.add(v.customerId);
  for (const e of data.loyaltyEntries) ids.add(e.customerId);
  for (const c of data.customers) if (c.mergedInto) ids.add(c.mergedInto);
  const parent = (id: string) => {
    const p = customers.get(id)?.mergedInto ?? null;
    return p === id ? null : p;
  };
  const rootOf = (id: string): string => {
    let current = id;
    for (let hop = 0; hop < 10; hop++) {
      const next = parent(current);
      if (next === null) return current;
      if (next === id) return id;
      current = next;
    }
    return parent(current) === null ? current : id;
  };
  const deleted = (id: string) => customers.get(id)?._deleted === true;
  const withData = new Set([...data.visits.map((v) => v.customerId), ...data.loyaltyEntries.map((e) => e.customerId), ...customers.keys()]);
  // A group counts when its root is not erased and some member has a document, visits or ledger lines.
  const counts = (root: string) => !deleted(root) && [...ids].some((id) => rootOf(id) === root && withData.has(id));
  const inStore = (storeId: string) => query.storeId === null || storeId === query.storeId;

  const visitsOf = new Map<string, { visit: VisitLike; day: number; ms: number }[]>();
  const entriesOf = new Map<string, EntryLike[]>();
  let visits = 0, revenue = 0, voided = 0;
  const distribution = [0, 0, 0, 0, 0];
  const daily = new Map<number, { visits: number; revenue: number }>();
  for (const visit of data.visits) {
    if (!inStore(visit.storeId)) continue;
    const ms = Date.parse(visit.occurredAt);
    const day = localDay(ms, settings.timeZone);
    const live = !visit.voided && !visit._deleted;
    const inPeriod = day >= fromDay && day < toDay;
    if (!live) {
      if (inPeriod) voided++;
      continue;
    }
    if (inPeriod) {
      visits++;
      revenue += visit.total;
      const d = daily.get(day) ?? { visits: 0, revenue: 0 };
      d.visits++;
      d.revenue += visit.total;
      daily.set(day, d);
      if (visit.feedback) distribution[visit.feedback.rating - 1]!++;
    }
    const r = rootOf(visit.customerId);
    visitsOf.set(r, [...(visitsOf.get(r) ?? []), { visit, day, ms }]);
  }
  const ledger = { earned: 0, redeemed: 0, expired: 0, adjustedUp: 0, adjustedDown: 0, reversed: 0 };
  for (const entry of data.loyaltyEntries) {
    if (entry._deleted) continue;
    const r = rootOf(entry.customerId);
    entriesOf.set(r, [...(entriesOf.get(r) ?? []), entry]);
    if (!inStore(entry.storeId)) continue;
    const day = localDay(Date.parse(entry.occurredAt), settings.timeZone);
    if (day < fromDay || day >= toDay) continue;
    if (entry.kind === 'earn') ledger.earned += entry.points;
    else if (entry.kind === 'redeem') ledger.redeemed -= entry.points;
    else if (entry.kind === 'expire') ledger.expired -= entry.points;
    else if (entry.kind === 'adjust' && entry.points > 0) ledger.adjustedUp += entry.points;
    else if (entry.kind === 'adjust') ledger.adjustedDown -= entry.points;
    else ledger.reversed += entry.points;
  }

  // Cohort months: the 12 ending with the period's last month; their first days by walking back.
  const endMonth = monthOf(toDay - 1, query.calendar);
  const monthStarts = new Map<number, number>();
  for (let day = toDay - 1; ; day--) {
    const month = monthOf(day, query.calendar);
    if (month < endMonth - 11) break;
    monthStarts.set(month, day);
  }
  const cohortSize = new Array<number>(12).fill(0);
  const cells = Array.from({ length: 12 }, (_, slot) => new Array<number>(12 - slot).fill(0));

  const kpis = { activeCustomers: 0, newCustomers: 0, returningCustomers: 0, customers: 0 };
  const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  const frequency = FREQUENCY_BUCKETS.map(() => 0);
  const tiers = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<(typeof TIERS)[number], number>;
  let outstanding = 0, overdrawn = 0, clvCustomers = 0, clvTotal = 0, projectedTotal = 0;
  const rows: CustomerRow[] = [];
  for (const id of ids) {
    if (rootOf(id) !== id || !counts(id)) continue;
    const lines = (entriesOf.get(id) ?? []).map((e) => ({ reversesId: null, ...e, _deleted: false })) as LoyaltyEntry[];
    const summary = summarize(lines, program);
    // The balance a customer can spend: net of the expiry derived at `now`, as the card shows it.
    const balance = availableBalance(lines, program, now);
    if (balance > 0) outstanding += balance;
    else overdrawn -= balance;
    const own = visitsOf.get(id) ?? [];
    if (query.storeId !== null && own.length === 0) continue;
    kpis.customers++;
    const tier = tierFor(summary.lifetimeEarned, program);
    tiers[tier]++;
    if (own.length === 0) continue;
    const stats = visitStats(own.map((o) => ({ ...o.visit, voided: false, _deleted: false })) as unknown as Visit[], now, rules);
    const segment = segmentOf(stats, rules, now);
    const risk = churnRisk(stats, now, rules);
    const spend = own.reduce((sum, o) => sum + o.visit.total, 0);
    const first = own.reduce((a, b) => (b.ms < a.ms ? b : a));
    const projected = projectedClv(spend, first.ms, risk, now.getTime());
    segments[segment]++;
    clvCustomers++;
    clvTotal += spend;
    projectedTotal += projected;
    const period = own.filter((o) => o.day >= fromDay && o.day < toDay);
    if (period.length > 0) {
      kpis.activeCustomers++;
      frequency[frequencyBucket(period.length)]!++;
      if (first.day >= fromDay) kpis.newCustomers++;
      else kpis.returningCustomers++;
    }
    const firstMonth = monthOf(first.day, query.calendar);
    if (first.day < toDay && firstMonth >= endMonth - 11) {
      const slot = firstMonth - (endMonth - 11);
      cohortSize[slot]!++;
      const active = new Set(own.filter((o) => o.day < toDay).map((o) => monthOf(o.day, query.calendar)));
      for (let k = 0; k < 12 - slot; k++) if (active.has(firstMonth + k)) cells[slot]![k]!++;
    }
    const doc = customers.get(id);
    rows.push({
      id,
      name: doc?.name ?? '',
      phone: doc?.phone ?? '',
      // All-time: the group's live records' visits before Patron too.
      visits: own.length + [...ids].filter((m) => rootOf(m) === id && !deleted(m)).reduce((sum, m) => sum + (customers.get(m)?.priorVisits ?? 0), 0),
      spend,
      periodVisits: period.length,
      periodSpend: period.reduce((sum, o) => sum + o.visit.total, 0),
      firstVisitAt: stats.firstVisitAt,
      lastVisitAt: stats.lastVisitAt,
      segment,
      churnRisk: risk,
      projectedClv: projected,
      tier,
      balance,
    });
  }
  const ranked = (list: ListName): CustomerRow[] => {
    const pick = rows
      .map((row) => {
        if (list.kind === 'top') return row.periodVisits > 0 ? { row, score: row.periodSpend } : null;
        if (list.kind === 'clv') return { row, score: row.spend };
        if (list.kind === 'churn') return row.churnRisk > 0 && row.segment !== 'churned' ? { row, score: row.churnRisk } : null;
        return row.segment === list.segment ? { row, score: row.spend } : null;
      })
      .filter((x): x is { row: CustomerRow; score: number } => x !== null);
    pick.sort((a, b) => (a.score !== b.score ? b.score - a.score : a.row.id < b.row.id ? -1 : 1));
    return pick.slice(0, query.listLimit).map((x) => x.row);
  };
  const perPoint = valuePerPoint(data.rewards);
  const rated = distribution.reduce((a, b) => a + b, 0);
  const orderedMonths = [...monthStarts.entries()].sort((a, b) => a[0] - b[0]);
  return {
    currency: settings.currency,
    timeZone: settings.timeZone,
    query,
    kpis: { visits, revenue, averageTicket: visits > 0 ? Math.round(revenue / visits) : 0, voidedVisits: voided, ...kpis },
    daily: Array.from({ length: toDay - fromDay }, (_, i) => ({ day: dayKey(fromDay + i), visits: daily.get(fromDay + i)?.visits ?? 0, revenue: daily.get(fromDay + i)?.revenue ?? 0 })),
    frequency: FREQUENCY_BUCKETS.map((bucket, i) => ({ bucket, customers: frequency[i]! })),
    cohorts: orderedMonths.map(([, start], slot) => ({ monthStart: dayKey(start), size: cohortSize[slot]!, retained: cells[slot]! })),
    segments,
    segmentMembers: Object.fromEntries(SEGMENTS.map((segment) => [segment, ranked({ kind: 'segment', segment })])) as Snapshot['segmentMembers'],
    topCustomers: ranked({ kind: 'top' }),
    clv: {
      customers: clvCustomers,
      total: clvTotal,
      average: clvCustomers > 0 ? Math.round(clvTotal / clvCustomers) : 0,
      projectedAverage: clvCustomers > 0 ? Math.round(projectedTotal / clvCustomers) : 0,
      top: ranked({ kind: 'clv' }),
    },
    churn: ranked({ kind: 'churn' }),
    loyalty: { ...ledger, issued: ledger.earned + ledger.adjustedUp, outstanding, overdrawn, valuePerPoint: perPoint, liability: liabilityOf(outstanding, perPoint) },
    tiers,
    feedback: { count: rated, average: rated > 0 ? distribution.reduce((s, n, i) => s + n * (i + 1), 0) / rated : null, distribution },
  };
}
