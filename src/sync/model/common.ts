import { z } from 'zod';

/** Canonical lower-case UUID (v4, v5 or v7); every document id and reference uses it. */
export const IdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'expected a lower-case UUID');

/** ISO-8601 UTC instant stamped by the device (business time); never used to order replication. */
export const IsoDateTimeSchema = z.iso.datetime({ offset: false, precision: 3 });

/** Calendar date `YYYY-MM-DD` (birthdays, anniversaries, reward validity). */
export const IsoDateSchema = z.iso.date();

/** Signed integer that JSON and IndexedDB hold exactly (points, minor units). */
export const IntSchema = z.int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** Non-negative safe integer. */
export const NonNegativeIntSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Loyalty tiers, lowest first (seed 000's bronze / silver / gold / platinum). */
export const TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
/** One loyalty tier. */
export const TierSchema = z.enum(TIERS);
/** One loyalty tier. */
export type Tier = z.infer<typeof TierSchema>;

/** Staff roles, least privileged first. */
export const ROLES = ['cashier', 'manager', 'owner'] as const;
/** A staff role. */
export const RoleSchema = z.enum(ROLES);
/** A staff role. */
export type Role = z.infer<typeof RoleSchema>;

/** A recorded losing value of a three-way merge, kept on the document for the manager's inbox. */
export const RecordedConflictSchema = z.strictObject({
  field: z.string().min(1).max(64),
  /** The value that lost, JSON-encoded so any field type fits one shape (cut to 3,999 characters + `…`). */
  lost: z.string().max(4000),
  /** The value that was kept, JSON-encoded. */
  kept: z.string().max(4000),
  /** Business time of the losing edit. */
  at: IsoDateTimeSchema,
});
/** A recorded losing value of a three-way merge. */
export type RecordedConflict = z.infer<typeof RecordedConflictSchema>;

/** Fields every replicated document carries. `_deleted` is RxDB's tombstone flag. */
export const DocumentBaseShape = {
  id: IdSchema,
  merchantId: IdSchema,
  /** Business time of the last change (device clock). */
  updatedAt: IsoDateTimeSchema,
  _deleted: z.boolean(),
};

/** Actor id of changes the server makes itself (duplicate merges, inbox items). */
export const SYSTEM_ACTOR_ID = '00000000-0000-0000-0000-000000000000';
