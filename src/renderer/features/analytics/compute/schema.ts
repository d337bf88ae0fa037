import { z } from 'zod';
import { TIERS } from '../../../../sync/model/common.ts';
import { CustomerFilterSchema, EMPTY_FILTER, type CustomerFilter } from '../../../../sync/model/customer-filter.ts';
import { SEGMENTS } from '../../../../sync/model/segments.ts';

// The dashboard's question and answer. Both cross the worker boundary, so they are zod schemas (validated on
// both sides, workers/analytics-messages.ts) and the TypeScript types are inferred from them.

const DayKeySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const IsoSchema = z.string().min(20).max(40);
const Count = z.int().min(0);
const Money = z.int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/**
 * A saved group the dashboard is restricted to: its id and the filter it had when asked. The filter is part of
 * the question, so an answer for an edited group is never taken for the new one; the worker does not evaluate
 * it — the page sends the members it selects (workers/analytics-messages.ts `group`).
 */
export const QueryGroupSchema = z.strictObject({ id: z.string().max(64), filter: CustomerFilterSchema });
/** A group of a question. */
export type QueryGroup = z.infer<typeof QueryGroupSchema>;

/**
 * A dashboard question: whole local days [from, to) in the merchant's time zone, one store or all (null),
 * `now` for everything time-dependent (segments, churn risk, CLV projection), the calendar months are
 * bucketed in (cohorts), how many rows each list carries, and the saved group every figure is restricted to
 * (null or absent: all customers).
 */
export const AnalyticsQuerySchema = z.strictObject({
  from: DayKeySchema,
  to: DayKeySchema,
  storeId: z.string().max(64).nullable(),
  now: IsoSchema,
  calendar: z.enum(['gregory', 'persian']),
  listLimit: z.int().min(1).max(1000),
  group: QueryGroupSchema.nullable().optional(),
});

/** Saved groups whose members the worker keeps (the client mirrors them, in the same order: analytics-client.ts). */
export const MAX_GROUPS = 4;

/**
 * What identifies a question's group — its id and its filter's conditions in the schema's order (a filter
 * read from the replica and the same one parsed by the worker give one key) — or null for all customers.
 */
export function groupKeyOf(group: QueryGroup | null | undefined): string | null {
  if (!group) return null;
  const conditions = (Object.keys(EMPTY_FILTER) as (keyof CustomerFilter)[]).map((key) => group.filter[key]);
  return JSON.stringify([group.id, conditions]);
}
/** A dashboard question. */
export type AnalyticsQuery = z.infer<typeof AnalyticsQuerySchema>;

/** One customer (a merge group, shown as its surviving customer) in a list. Money in minor units. */
export const CustomerRowSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  phone: z.string(),
  visits: Count,
  spend: Money,
  periodVisits: Count,
  periodSpend: Money,
  firstVisitAt: IsoSchema.nullable(),
  lastVisitAt: IsoSchema.nullable(),
  segment: z.enum(SEGMENTS),
  churnRisk: z.number().min(0).max(1),
  projectedClv: Money,
  tier: z.enum(TIERS),
  balance: Money,
});
/** One customer row. */
export type CustomerRow = z.infer<typeof CustomerRowSchema>;

/** Lists a snapshot carries (the first `listLimit` rows) and `members` pages through in full. */
export const ListNameSchema = z.union([
  z.strictObject({ kind: z.literal('top') }),
  z.strictObject({ kind: z.literal('clv') }),
  z.strictObject({ kind: z.literal('churn') }),
  z.strictObject({ kind: z.literal('segment'), segment: z.enum(SEGMENTS) }),
]);
/** A list name. */
export type ListName = z.infer<typeof ListNameSchema>;

/** Visit-frequency buckets: customers by their number of visits in the period. */
export const FREQUENCY_BUCKETS = ['1', '2', '3', '4', '5-9', '10+'] as const;

const SegmentCounts = z.strictObject(Object.fromEntries(SEGMENTS.map((s) => [s, Count])) as Record<(typeof SEGMENTS)[number], typeof Count>);
const TierCounts = z.strictObject(Object.fromEntries(TIERS.map((t) => [t, Count])) as Record<(typeof TIERS)[number], typeof Count>);

/** The dashboard's answer. Every amount is an integer in minor units of `currency`; points are integers. */
export const SnapshotSchema = z.strictObject({
  currency: z.string(),
  timeZone: z.string(),
  query: AnalyticsQuerySchema,
  kpis: z.strictObject({
    visits: Count,
    revenue: Money,
    /** round(revenue / visits), 0 without visits. */
    averageTicket: Money,
    voidedVisits: Count,
    /** Customers (merge groups) with at least one visit in the period. */
    activeCustomers: Count,
    /** Active customers whose first visit ever (in scope) falls in the period. */
    newCustomers: Count,
    /** Active customers who had visited before the period. */
    returningCustomers: Count,
    /** Live customers in scope (all stores: every customer; one store: those who ever visited it). */
    customers: Count,
  }),
  daily: z.array(z.strictObject({ day: DayKeySchema, visits: Count, revenue: Money })),
  frequency: z.array(z.strictObject({ bucket: z.enum(FREQUENCY_BUCKETS), customers: Count })),
  cohorts: z.array(
    z.strictObject({
      /** First local day of the cohort's month (label it in the query's calendar). */
      monthStart: DayKeySchema,
      size: Count,
      /** Customers of the cohort active in month +k, k = 0… up to the period's last month. */
      retained: z.array(Count),
    }),
  ),
  segments: SegmentCounts,
  segmentMembers: z.strictObject(Object.fromEntries(SEGMENTS.map((s) => [s, z.array(CustomerRowSchema)])) as Record<(typeof SEGMENTS)[number], z.ZodArray<typeof CustomerRowSchema>>),
  topCustomers: z.array(CustomerRowSchema),
  clv: z.strictObject({
    customers: Count,
    /** Σ spend to date of customers with visits in scope. */
    total: Money,
    /** round(total / customers). */
    average: Money,
    /** Average of `projectedClv` (see clv.ts). */
    projectedAverage: Money,
    top: z.array(CustomerRowSchema),
  }),
  churn: z.array(CustomerRowSchema),
  loyalty: z.strictObject({
    earned: z.int(),
    redeemed: z.int(),
    expired: z.int(),
    adjustedUp: z.int(),
    adjustedDown: z.int(),
    reversed: z.int(),
    /** earned + adjustedUp: points handed out in the period. */
    issued: z.int(),
    /** Σ max(balance, 0) over live customers, merchant-wide, now. */
    outstanding: z.int(),
    /** Σ max(−balance, 0): points customers owe after offline overdrafts. */
    overdrawn: z.int(),
    valuePerPoint: z.number().nullable(),
    /** round(outstanding × valuePerPoint) in minor units; null when the catalog implies no value. */
    liability: Money.nullable(),
  }),
  tiers: TierCounts,
  feedback: z.strictObject({ count: Count, average: z.number().nullable(), distribution: z.array(Count).length(5) }),
});
/** The dashboard's answer. */
export type Snapshot = z.infer<typeof SnapshotSchema>;
