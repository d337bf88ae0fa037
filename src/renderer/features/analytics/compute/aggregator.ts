import { TIERS } from '../../../../sync/model/common.ts';
import { SEGMENTS, type Segment } from '../../../../sync/model/segments.ts';
import type { Program, SegmentRules } from '../../../../sync/model/settings.ts';
import { liabilityOf, tierThresholds } from './customer-math.ts';
import { packCustomers, packLoyaltyEntries, packVisits } from './input-shapes.ts';
import {
  L_ADJUSTED_DOWN, L_ADJUSTED_UP, L_EARNED, L_EXPIRED, L_REDEEMED, L_REVERSED, Replica, V_RATING, V_REVENUE, V_VISITS, V_VOIDED,
  type CustomerColumns, type CustomerLike, type EntryColumns, type EntryLike, type RewardLike, type VisitColumns, type VisitLike,
} from './replica.ts';
import { FREQUENCY_BUCKETS, groupKeyOf, MAX_GROUPS, type AnalyticsQuery, type CustomerRow, type ListName, type QueryGroup, type Snapshot } from './schema.ts';
import { createMonthIndex, dayKey, dayOfKey, isoOf, parseIsoMs, type CalendarName, type MonthIndex } from './time.ts';
import { COHORT_MONTHS, COUNT, FIRST_MS, LAST_MS, P_COUNT, P_SPEND, SPEND, View } from './view.ts';

// The incremental dashboard aggregator (the analytics worker's engine, pure and synchronous):
//   addColumns(batch) the cold path — pages of the replica as columns (input-shapes.ts), appended without
//                     duplicate checks; `add(batch)` takes documents and packs them into the same columns;
//   apply(changes)    the change stream — upserts (a new visit, a void, late feedback, a ledger line, a customer
//                     edit, merge or undo, a reward); each touches only the customer group concerned;
//   setMembers(g, ids) the customers of a saved group, as the page selected them (its filter over the customers
//                     list's statistics: one evaluation for the list, exports and the dashboard);
//   snapshot(query)   the dashboard for a period / store / now / calendar / group.
// A snapshot for a new question builds a View (one pass over the visit columns, not the documents); the last
// few views are kept and updated by `apply`, ranked lists included, so refreshing the same question after a
// visit costs that customer's visits, the list lengths and the period's days — never a pass over everyone.
// (A merge or an undone merge re-resolves every customer's root once: O(customers), rare.)
//
// Definitions (docs/architecture.md#analytics):
// - voided and tombstoned visits count nowhere but `voidedVisits`; money is summed in integers (minor units);
// - a merged duplicate counts as its surviving customer (mergedInto followed, up to 10 hops; a cycle or a
//   longer chain leaves a customer on its own); erased (tombstoned) customers keep their visits in the visit
//   and revenue totals but count in no customer figure and appear in no list;
// - with a store chosen, visits and ledger lines are that store's, and customer figures are about the
//   customers who visited it, computed from their visits there; points balances, tiers, outstanding points and
//   the liability are merchant-wide (points are spent anywhere), and tiers come from the whole ledger;
// - with a group chosen, every figure is the one the same definitions give over the data of the merge groups
//   whose surviving customer is a member: their visits (voided ones included), ledger lines and balances.

/** The settings the analytics read. */
export interface AnalyticsSettings {
  timeZone: string;
  currency: string;
  program: Program;
  segments: SegmentRules;
}

/** A document change for `apply`: the document's new state (tombstones carry `_deleted: true`). */
export type AnalyticsChange =
  | { collection: 'customers'; doc: CustomerLike }
  | { collection: 'visits'; doc: VisitLike }
  | { collection: 'loyaltyEntries'; doc: EntryLike }
  | { collection: 'rewards'; doc: RewardLike };

/** A chunk of the replica for `add`, as documents. */
export interface AnalyticsBatch {
  customers?: readonly CustomerLike[];
  visits?: readonly VisitLike[];
  loyaltyEntries?: readonly EntryLike[];
  rewards?: readonly RewardLike[];
}

/** A chunk of the replica for `addColumns`, as the worker receives it (input-shapes.ts; rewards stay documents). */
export interface ColumnBatch {
  customers?: CustomerColumns;
  visits?: VisitColumns;
  loyaltyEntries?: EntryColumns;
  rewards?: readonly RewardLike[];
}

/** A query that names no real period. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

const MAX_VIEWS = 4;
const MAX_PERIOD_DAYS = 3700;

/** A document's text field as a row shows it ('' when the document had none). */
const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Creates an aggregator for a merchant's settings. */
export function createAggregator(initial: AnalyticsSettings) {
  let settings = initial;
  let tiers = tierThresholds(settings.program);
  const replica = new Replica(settings.timeZone);
  const views = new Map<string, View>();
  const memberships = new Map<string, ReadonlySet<string>>();
  const monthIndexes = new Map<CalendarName, MonthIndex>();

  const monthsFor = (calendar: CalendarName): MonthIndex => {
    let index = monthIndexes.get(calendar);
    if (!index) {
      index = createMonthIndex(calendar);
      monthIndexes.set(calendar, index);
    }
    return index;
  };

  const detach = (r: number) => {
    for (const view of views.values()) view.detach(r);
  };
  const attach = (r: number) => {
    for (const view of views.values()) view.attach(r);
  };
  const settle = () => {
    if (!replica.needsRoots) return;
    replica.resolveRoots();
    views.clear();
  };
  /** Drops the views restricted to a group (all, or those built on one set of members). */
  const dropGroupViews = (members?: ReadonlySet<string>) => {
    for (const [key, view] of views) if (view.spec.members !== null && (members === undefined || view.spec.members === members)) views.delete(key);
  };

  function applyCustomer(doc: CustomerLike): void {
    if (typeof doc.id !== 'string') return;
    const known = replica.customerIndex.get(doc.id);
    const before = known >= 0 ? replica.root[known]! : -1;
    if (before >= 0) detach(before);
    const changed = replica.putCustomer(doc);
    // Roots move: a restricted view's day totals are subtracted by walking the chains they were added from,
    // which no longer hold; it is rebuilt at the next snapshot (merges are rare).
    if (changed) dropGroupViews();
    const touched = new Set<number>([replica.customerIndex.get(doc.id)]);
    if (before >= 0) touched.add(before);
    if (changed) {
      // A merge, an undo or a tombstone: every group that lost or gained a member is recomputed (detach
      // subtracts what the view stored for the group, so doing it after the change is exact).
      for (const { customer, from } of replica.resolveRoots()) {
        detach(from);
        touched.add(from);
        touched.add(customer);
      }
    }
    for (const r of touched) attach(replica.root[r]!);
    for (const r of touched) attach(r);
  }

  function applyVisitOrEntry(kind: 'visits' | 'loyaltyEntries', doc: VisitLike | EntryLike): void {
    if (typeof doc.customerId !== 'string') return;
    const known = replica.customerIndex.get(doc.customerId);
    const before = known >= 0 ? replica.root[known]! : -1;
    if (before >= 0) detach(before);
    const c = kind === 'visits' ? replica.visits.upsert(doc as VisitLike) : replica.ledger.upsert(doc as EntryLike);
    if (before >= 0) attach(before);
    if (c >= 0 && replica.root[c] !== before) attach(replica.root[c]!);
  }

  function rowOf(view: View, r: number): CustomerRow {
    const count = view.stat(r, COUNT);
    return {
      id: replica.customerIds[r]!,
      name: textOf(replica.names[r]),
      phone: textOf(replica.phones[r]),
      // All-time: the visits recorded in Patron and the group's visits before it (no dates: no period, no first or last).
      visits: count + replica.groupPrior(r),
      spend: view.stat(r, SPEND),
      periodVisits: view.stat(r, P_COUNT),
      periodSpend: view.stat(r, P_SPEND),
      firstVisitAt: count > 0 ? isoOf(view.stat(r, FIRST_MS)) : null,
      lastVisitAt: count > 0 ? isoOf(view.stat(r, LAST_MS)) : null,
      segment: view.segment[r]! >= 0 ? SEGMENTS[view.segment[r]!]! : 'none',
      churnRisk: view.risk[r]!,
      projectedClv: view.projected[r]!,
      tier: TIERS[Math.max(0, view.tier[r]!)]!,
      balance: view.groupBalance[r]!,
    };
  }

  function viewFor(query: AnalyticsQuery): View {
    settle();
    const fromDay = dayOfKey(query.from);
    const toDay = dayOfKey(query.to);
    const nowMs = parseIsoMs(query.now);
    if (fromDay === null || toDay === null || toDay <= fromDay || toDay - fromDay > MAX_PERIOD_DAYS || Number.isNaN(nowMs))
      throw new QueryError(`not a period: ${query.from} → ${query.to} at ${query.now}`);
    const store = query.storeId === null ? -1 : replica.storeSlot(query.storeId);
    const groupKey = groupKeyOf(query.group);
    const members = groupKey === null ? null : memberships.get(groupKey);
    if (members === undefined) throw new QueryError(`no members were given for group ${query.group!.id}`);
    const key = `${store}|${fromDay}|${toDay}|${nowMs}|${query.calendar}|${groupKey ?? ''}`;
    let view = views.get(key);
    if (view) {
      views.delete(key);
      views.set(key, view); // most recently used last
      return view;
    }
    view = new View(replica, { store, fromDay, toDay, nowMs, rules: settings.segments, tiers, expiryDays: settings.program.expiryDays, months: monthsFor(query.calendar), members });
    views.set(key, view);
    while (views.size > MAX_VIEWS) views.delete(views.keys().next().value!);
    return view;
  }

  function addColumns(batch: ColumnBatch): void {
    if (batch.customers) replica.putCustomers(batch.customers);
    if (batch.visits) replica.visits.insert(batch.visits);
    if (batch.loyaltyEntries) replica.ledger.insert(batch.loyaltyEntries);
    for (const doc of batch.rewards ?? []) replica.putReward(doc);
    views.clear();
  }

  return {
    /** The replica's compact copy (tests and the benchmark may read it). */
    replica,

    /**
     * Streams pages of columns in (the cold path: the worker's `load`), customers first. Any kept view is
     * dropped; the next snapshot rebuilds it.
     */
    addColumns,

    /** Streams documents in: packed into columns (input-shapes.ts) and added as the worker adds its pages. */
    add(batch: AnalyticsBatch): void {
      addColumns({
        customers: batch.customers && packCustomers(batch.customers),
        visits: batch.visits && packVisits(batch.visits),
        loyaltyEntries: batch.loyaltyEntries && packLoyaltyEntries(batch.loyaltyEntries),
        rewards: batch.rewards,
      });
    },

    /** Applies change-stream documents (upserts; repeats and documents already added are harmless). */
    apply(changes: readonly AnalyticsChange[]): void {
      settle();
      for (const change of changes) {
        if (change.collection === 'customers') applyCustomer(change.doc);
        else if (change.collection === 'rewards') replica.putReward(change.doc);
        else applyVisitOrEntry(change.collection, change.doc);
      }
    },

    /** New settings: a time zone change re-buckets every day; program or segment rules rebuild the views. */
    setSettings(next: AnalyticsSettings): void {
      settings = next;
      tiers = tierThresholds(next.program);
      replica.setTimeZone(next.timeZone);
      views.clear();
    },

    /**
     * The members of a saved group (customer ids; anything else in the list is ignored), for the questions
     * restricted to it. Its kept views are dropped; the oldest group beyond MAX_GROUPS is forgotten.
     */
    setMembers(group: QueryGroup, ids: readonly unknown[]): void {
      const key = groupKeyOf(group)!;
      const old = memberships.get(key);
      if (old) dropGroupViews(old);
      memberships.delete(key);
      memberships.set(key, new Set(ids.filter((id): id is string => typeof id === 'string')));
      while (memberships.size > MAX_GROUPS) {
        const oldest = memberships.keys().next().value!;
        dropGroupViews(memberships.get(oldest));
        memberships.delete(oldest);
      }
    },

    /** The dashboard for a question. Throws QueryError for a period that is not one, or a group without members. */
    snapshot(query: AnalyticsQuery): Snapshot {
      const view = viewFor(query);
      const { store, fromDay, toDay } = view.spec;
      const scoped = view.days;
      const visitTotals = replica.visits.totals;
      const visitSums = scoped ? scoped.visitSums() : visitTotals.sum(store, fromDay, toDay);
      const ledgerSums = scoped ? scoped.ledgerSums() : replica.ledger.totals.sum(store, fromDay, toDay);
      const onDay = (day: number, col: number) => (scoped ? scoped.visitsOn(day, col) : visitTotals.get(store, day, col));
      const visits = visitSums[V_VISITS]!;
      const revenue = visitSums[V_REVENUE]!;
      const daily: Snapshot['daily'] = [];
      for (let day = fromDay; day < toDay; day++) daily.push({ day: dayKey(day), visits: onDay(day, V_VISITS), revenue: onDay(day, V_REVENUE) });
      const distribution = [0, 1, 2, 3, 4].map((i) => visitSums[V_RATING + i]!);
      const rated = distribution.reduce((a, b) => a + b, 0);
      const ratingSum = distribution.reduce((sum, n, i) => sum + n * (i + 1), 0);
      const endSlot = COHORT_MONTHS - 1;
      const cohorts = view.cohortStarts.map((start, slot) => ({
        monthStart: dayKey(start),
        size: view.cohortSize[slot]!,
        retained: Array.from({ length: endSlot - slot + 1 }, (_, k) => view.cohortCells[slot * COHORT_MONTHS + k]!),
      }));
      const lists: ListName[] = [{ kind: 'top' }, { kind: 'clv' }, { kind: 'churn' }, ...SEGMENTS.map((segment) => ({ kind: 'segment' as const, segment }))];
      const [top, clvTop, churn, ...segmentLists] = view.rank(lists, query.listLimit).map((items) => items.map((r) => rowOf(view, r)));
      const perPoint = replica.valuePerPoint();
      const earned = ledgerSums[L_EARNED]!;
      const adjustedUp = ledgerSums[L_ADJUSTED_UP]!;
      return {
        currency: settings.currency,
        timeZone: settings.timeZone,
        query,
        kpis: {
          visits,
          revenue,
          averageTicket: visits > 0 ? Math.round(revenue / visits) : 0,
          voidedVisits: visitSums[V_VOIDED]!,
          activeCustomers: view.active,
          newCustomers: view.newCustomers,
          returningCustomers: view.returning,
          customers: view.customers,
        },
        daily,
        frequency: FREQUENCY_BUCKETS.map((bucket, i) => ({ bucket, customers: view.frequency[i]! })),
        cohorts,
        segments: Object.fromEntries(SEGMENTS.map((s, i) => [s, view.segments[i]!])) as Record<Segment, number>,
        segmentMembers: Object.fromEntries(SEGMENTS.map((segment, i) => [segment, segmentLists[i]!])) as Record<Segment, CustomerRow[]>,
        topCustomers: top!,
        clv: {
          customers: view.clvCustomers,
          total: view.clvTotal,
          average: view.clvCustomers > 0 ? Math.round(view.clvTotal / view.clvCustomers) : 0,
          projectedAverage: view.clvCustomers > 0 ? Math.round(view.projectedTotal / view.clvCustomers) : 0,
          top: clvTop!,
        },
        churn: churn!,
        loyalty: {
          earned,
          redeemed: ledgerSums[L_REDEEMED]!,
          expired: ledgerSums[L_EXPIRED]!,
          adjustedUp,
          adjustedDown: ledgerSums[L_ADJUSTED_DOWN]!,
          reversed: ledgerSums[L_REVERSED]!,
          issued: earned + adjustedUp,
          outstanding: view.outstanding,
          overdrawn: view.overdrawn,
          valuePerPoint: perPoint,
          liability: liabilityOf(view.outstanding, perPoint),
        },
        tiers: Object.fromEntries(TIERS.map((t, i) => [t, view.tiers[i]!])) as Record<(typeof TIERS)[number], number>,
        feedback: { count: rated, average: rated > 0 ? ratingSum / rated : null, distribution },
      };
    },

    /** A whole list, ranked, from `offset` (for drill-down paging and CSV export). */
    members(query: AnalyticsQuery, list: ListName, offset = 0, limit = Number.MAX_SAFE_INTEGER): CustomerRow[] {
      const view = viewFor(query);
      return view.rank([list], offset + Math.min(limit, replica.customerCount))[0]!.slice(offset).map((r) => rowOf(view, r));
    },
  };
}

/** An aggregator. */
export type Aggregator = ReturnType<typeof createAggregator>;
