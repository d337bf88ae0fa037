import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IsoDateTimeSchema } from './common.ts';

/** What the server found that needs a human. */
export const InboxKindSchema = z.enum(['overdraft', 'duplicate', 'rejected_write', 'conflict', 'reward_cap']);
/** Kind of inbox item. */
export type InboxKind = z.infer<typeof InboxKindSchema>;

/**
 * A server finding for managers. The server creates every item; terminals push only a manager's resolution
 * of one (`inboxResolutionProblem`). `details` is a flat map of strings so the UI can render any kind without
 * a schema per kind.
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
  /** When a manager resolved or dismissed the item; null while it is open. */
  resolvedAt: IsoDateTimeSchema.nullable(),
  /** The manager who last set `status` (resolved, dismissed, or reopened it); null until one did. */
  resolvedBy: IdSchema.nullable(),
});
/** An inbox item. */
export type InboxItem = z.infer<typeof InboxItemSchema>;
/** Where an item stands: open, resolved (a manager decided) or dismissed (read; nothing to decide). */
export type InboxStatus = InboxItem['status'];

/** The fields a manager's resolution changes; every other field is the server's finding. */
export const INBOX_RESOLUTION_FIELDS = ['status', 'resolvedAt', 'resolvedBy', 'updatedAt'] as const;
const RESOLUTION = new Set<string>(INBOX_RESOLUTION_FIELDS);
const FINDING_FIELDS = (Object.keys(InboxItemSchema.shape) as (keyof InboxItem)[]).filter((field) => !RESOLUTION.has(field));

/** The field of the finding that differs between two states of an item (null when the finding is the same). */
function changedFinding(a: InboxItem, b: InboxItem): keyof InboxItem | null {
  for (const field of FINDING_FIELDS) {
    if (field === 'details') {
      const [x, y] = [Object.entries(a.details), b.details];
      if (x.length !== Object.keys(y).length || x.some(([key, value]) => y[key] !== value)) return field;
    } else if (a[field] !== b[field]) return field;
  }
  return null;
}

/**
 * Why `next` is not a manager's resolution of the stored item (null when it is). The server refuses any other
 * push of an item, and the renderer checks its own writes with it. A resolution moves `status` from open to
 * resolved or dismissed, or back to open (an undo); `resolvedAt` is set exactly when the item is not open;
 * `resolvedBy` names who did it (the server checks that it is an active manager of the merchant, so it is
 * required on a reopen too); `updatedAt` is the business time. Nothing of the finding changes, and an item
 * is never deleted by a terminal.
 */
export function inboxResolutionProblem(stored: InboxItem, next: InboxItem): string | null {
  if (next._deleted !== stored._deleted) return 'terminals do not delete inbox items';
  const changed = changedFinding(stored, next);
  if (changed !== null) return `only a resolution may change an inbox item (${changed} changed)`;
  if ((stored.status === 'open') === (next.status === 'open')) return 'status must move from open to resolved or dismissed, or back to open';
  if ((next.status === 'open') !== (next.resolvedAt === null)) return 'resolvedAt is set exactly when the item is not open';
  if (next.resolvedBy === null) return 'resolvedBy must name the manager who acted';
  return null;
}

/**
 * The conflict rule for an item a manager changed while its master state moved on (another manager settled
 * or reopened it, or the server changed it). The master wins when its finding differs (the manager decided
 * on something that is no longer there) or when both sides agree on open vs settled (the first decision
 * stands, and nothing is left to push). When one side reopened and the other settled, the later business
 * time wins — as for any field changed on both sides (docs/architecture.md#conflicts) — and a tie goes to the settled side, so
 * the result does not depend on which side is which. The result is always a resolution the server accepts
 * on top of the master state.
 */
export function mergeInboxItem(master: InboxItem, local: InboxItem): InboxItem {
  if (changedFinding(master, local) !== null) return master;
  if ((master.status === 'open') === (local.status === 'open')) return master;
  const order = Date.parse(local.updatedAt) - Date.parse(master.updatedAt);
  const localWins = order > 0 || (order === 0 && local.status !== 'open');
  if (!localWins) return master;
  const { status, resolvedAt, resolvedBy, updatedAt } = local;
  return { ...master, status, resolvedAt, resolvedBy, updatedAt };
}
