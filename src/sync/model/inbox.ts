import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IsoDateTimeSchema } from './common.ts';

/** What the server found that needs a human. */
export const InboxKindSchema = z.enum(['overdraft', 'duplicate', 'rejected_write', 'conflict']);
/** Kind of inbox item. */
export type InboxKind = z.infer<typeof InboxKindSchema>;

/**
 * A server finding for managers (pull-only on terminals). `details` is a flat map of strings so the
 * UI can render any kind without a schema per kind.
 */
export const InboxItemSchema = z.strictObject({
  ...DocumentBaseShape,
  kind: InboxKindSchema,
  status: z.enum(['open', 'resolved', 'dismissed']),
  customerId: IdSchema.nullable(),
  /** The other customer of a duplicate pair, or the document a rejected write named. */
  relatedId: z.string().max(64).nullable(),
  /** The collection a finding is about (`collection` is reserved by RxDB documents). */
  targetCollection: z.string().max(32).nullable(),
  /** Machine-readable reason (an error code). */
  code: z.string().max(64),
  details: z.record(z.string().max(64), z.string().max(4000)),
  createdAt: IsoDateTimeSchema,
  resolvedAt: IsoDateTimeSchema.nullable(),
  resolvedBy: IdSchema.nullable(),
});
/** An inbox item. */
export type InboxItem = z.infer<typeof InboxItemSchema>;
