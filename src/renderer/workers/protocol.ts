import { z } from 'zod';
import { ProgramSchema, SegmentRulesSchema } from '../../sync/model/settings.ts';
import { AnalyticsQuerySchema, CustomerRowSchema, ListNameSchema, SnapshotSchema } from '../features/analytics/compute/schema.ts';

// The analytics worker's message protocol, validated with zod on both sides: the worker parses every request
// (analytics-handler.ts), the page parses every answer (features/analytics/analytics-client.ts).
//
// The replica is streamed in `load` chunks; their documents are the replica's own (RxDB already validated
// them against the collection schemas), so a chunk's envelope is validated and each document gets the
// aggregator's cheap field guard instead of a full zod parse — at a million visits a zod parse per document
// would cost seconds, several times the whole computation. Change-stream documents are few: each is checked
// to be an object with a string id.

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

/** Page → worker. */
export const ToWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('init'), settings: AnalyticsSettingsSchema }),
  z.strictObject({ type: z.literal('settings'), settings: AnalyticsSettingsSchema }),
  z.strictObject({ type: z.literal('load'), collection: AnalyticsCollectionSchema, docs: z.array(z.unknown()).max(100_000) }),
  z.strictObject({ type: z.literal('loaded') }),
  z.strictObject({ type: z.literal('changes'), changes: z.array(z.strictObject({ collection: AnalyticsCollectionSchema, doc: DocSchema })).max(100_000) }),
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
