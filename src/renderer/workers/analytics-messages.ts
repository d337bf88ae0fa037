import { z } from 'zod';
import { ProgramSchema, SegmentRulesSchema } from '../../sync/model/settings.ts';
import type { CustomerColumns, EntryColumns, VisitColumns } from '../features/analytics/compute/input-shapes.ts';
import { AnalyticsQuerySchema, CustomerRowSchema, ListNameSchema, QueryGroupSchema, SnapshotSchema } from '../features/analytics/compute/schema.ts';

// The analytics worker's message protocol, validated with zod on both sides: the worker parses every request
// (analytics-handler.ts), the page parses every answer (features/analytics/analytics-client.ts).
//
// The replica is streamed in `load` pages of columns (compute/input-shapes.ts; rewards as documents). Their
// values are the replica's own (RxDB already validated them against the collection schemas), so a page's
// shape is validated — each column the right kind of array, all `n` long — and each entry gets the
// aggregator's cheap field guard as it is read instead of a zod parse: at a million visits a (jitless) zod
// parse per document or per string would cost seconds, several times the whole computation. Change-stream
// documents are few: each is checked to be an object with a string id. A saved group's members are ids the
// page selected (features/analytics/compute/schema.ts QueryGroupSchema): the list is checked as a whole, and
// the aggregator ignores anything in it that is not a string.

/** Collections the analytics read. */
export const ANALYTICS_COLLECTIONS = ['customers', 'visits', 'loyaltyEntries', 'rewards'] as const;
/** A collection the analytics read. */
export const AnalyticsCollectionSchema = z.enum(ANALYTICS_COLLECTIONS);
/** A collection the analytics read. */
export type AnalyticsCollection = z.infer<typeof AnalyticsCollectionSchema>;

/** The settings the worker needs. */
export const AnalyticsSettingsSchema = z.strictObject({
  timeZone: z.string().min(1).max(64),
  currency: z.string().regex(/^[A-Z]{3}$/),
  program: ProgramSchema,
  segments: SegmentRulesSchema,
});

const DocSchema = z.looseObject({ id: z.string().max(64) });
const RequestId = z.int().min(0);

/** Most documents in one `load` page. */
export const MAX_LOAD_PAGE = 100_000;
/** Most members of one saved group. */
export const MAX_GROUP_MEMBERS = 5_000_000;

// A column is checked as a whole (its kind, its length), never element by element.
const list = z.custom<readonly unknown[]>((value) => Array.isArray(value), 'expected an array');
const f64 = z.custom<Float64Array>((value) => value instanceof Float64Array, 'expected a Float64Array');
const u8 = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected a Uint8Array');
const i8 = z.custom<Int8Array>((value) => value instanceof Int8Array, 'expected an Int8Array');

/** A page's columns: exactly these, each of its kind, every one `n` long. */
function columnsSchema<Shape extends Record<string, z.ZodType<{ readonly length: number }>>>(shape: Shape) {
  const names = Object.keys(shape);
  return z
    .strictObject({ n: z.int().min(0).max(MAX_LOAD_PAGE), ...shape })
    .refine((page) => {
      const columns = page as unknown as Record<string, { length: number }> & { n: number };
      return names.every((name) => columns[name]!.length === columns.n);
    }, 'every column must hold n entries');
}

const CustomerColumnsSchema: z.ZodType<CustomerColumns> = columnsSchema({ id: list, name: list, phone: list, mergedInto: list, prior: f64, deleted: u8 });
const VisitColumnsSchema: z.ZodType<VisitColumns> = columnsSchema({ id: list, customerId: list, storeId: list, occurredAt: list, total: f64, live: u8, rating: u8 });
const EntryColumnsSchema: z.ZodType<EntryColumns> = columnsSchema({ id: list, customerId: list, storeId: list, occurredAt: list, reversesId: list, kind: i8, points: f64, deleted: u8 });

/** A page of the replica (the cold stream): columns, or a handful of reward documents. */
const LoadSchema = z.discriminatedUnion('collection', [
  z.strictObject({ type: z.literal('load'), collection: z.literal('customers'), columns: CustomerColumnsSchema }),
  z.strictObject({ type: z.literal('load'), collection: z.literal('visits'), columns: VisitColumnsSchema }),
  z.strictObject({ type: z.literal('load'), collection: z.literal('loyaltyEntries'), columns: EntryColumnsSchema }),
  z.strictObject({ type: z.literal('load'), collection: z.literal('rewards'), docs: z.array(z.unknown()).max(MAX_LOAD_PAGE) }),
]);
/** A `load` message. */
export type LoadMessage = z.infer<typeof LoadSchema>;

/** Page → worker. */
export const ToWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('init'), settings: AnalyticsSettingsSchema }),
  z.strictObject({ type: z.literal('settings'), settings: AnalyticsSettingsSchema }),
  LoadSchema,
  z.strictObject({ type: z.literal('loaded') }),
  z.strictObject({ type: z.literal('changes'), changes: z.array(z.strictObject({ collection: AnalyticsCollectionSchema, doc: DocSchema })).max(100_000) }),
  /** The members of a saved group, for the questions restricted to it (sent again when they change). */
  z.strictObject({ type: z.literal('group'), group: QueryGroupSchema, members: list.refine((ids) => ids.length <= MAX_GROUP_MEMBERS, 'too many members') }),
  z.strictObject({ type: z.literal('snapshot'), id: RequestId, query: AnalyticsQuerySchema }),
  z.strictObject({ type: z.literal('members'), id: RequestId, query: AnalyticsQuerySchema, list: ListNameSchema, offset: z.int().min(0), limit: z.int().min(1) }),
]);
/** Page → worker. */
export type ToWorker = z.infer<typeof ToWorkerSchema>;

const Counts = z.strictObject(Object.fromEntries(ANALYTICS_COLLECTIONS.map((c) => [c, z.int().min(0)])) as Record<AnalyticsCollection, z.ZodInt>);

/** Worker → page. */
export const FromWorkerSchema = z.discriminatedUnion('type', [
  /** Documents received so far; `ready` once the stream is complete. */
  z.strictObject({ type: z.literal('progress'), loaded: Counts, ready: z.boolean() }),
  /** The data changed (a change-stream batch was applied): open dashboards ask again. */
  z.strictObject({ type: z.literal('changed'), version: z.int().min(0) }),
  z.strictObject({ type: z.literal('snapshot'), id: RequestId, snapshot: SnapshotSchema }),
  z.strictObject({ type: z.literal('members'), id: RequestId, rows: z.array(CustomerRowSchema) }),
  /** A request failed (id null: a message that could not be read at all). */
  z.strictObject({ type: z.literal('error'), id: RequestId.nullable(), code: z.enum(['INVALID_MESSAGE', 'NOT_READY', 'BAD_QUERY', 'INTERNAL']), message: z.string().max(2000) }),
]);
/** Worker → page. */
export type FromWorker = z.infer<typeof FromWorkerSchema>;
