import { z } from 'zod';
import {
  DocumentBaseShape,
  IdSchema,
  IsoDateSchema,
  IsoDateTimeSchema,
  RecordedConflictSchema,
} from './common.ts';

/** Name length bounds from seed 001 (`name`: required, 3–100 characters). */
export const NAME_MIN = 3;
/** Upper bound of a customer name. */
export const NAME_MAX = 100;

/** Statuses a person sets; `blocked` customers are found but cannot earn or redeem. */
export const EDITABLE_CUSTOMER_STATUSES = ['active', 'inactive', 'blocked'] as const;
/** A status a person sets in the customer form. */
export const EditableCustomerStatusSchema = z.enum(EDITABLE_CUSTOMER_STATUSES);
/** Customer status; `erased` is set only by an erasure (privacy.ts), on a tombstone. */
export const CustomerStatusSchema = z.enum([...EDITABLE_CUSTOMER_STATUSES, 'erased']);
/** Customer status. */
export type CustomerStatus = z.infer<typeof CustomerStatusSchema>;

/** What the counter wants to remember about a customer's taste (seed 001 `preferences`). */
export const PreferencesSchema = z.strictObject({
  favorites: z.array(z.string().min(1).max(60)).max(20),
  allergies: z.array(z.string().min(1).max(60)).max(20),
  preferredTime: z.enum(['morning', 'afternoon', 'evening']).nullable(),
});
/** Customer preferences. */
export type Preferences = z.infer<typeof PreferencesSchema>;

/**
 * A customer document as replicated. `phone` is E.164; `phoneKey` and `phoneReversed` are the
 * index-backed lookup keys derived from it (see phone.ts), `nameKey` is the folded name (text.ts).
 */
export const CustomerSchema = z.strictObject({
  ...DocumentBaseShape,
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/),
  phoneKey: z.string().regex(/^\d{4,20}$/),
  phoneReversed: z.string().regex(/^\d{7,15}$/),
  name: z.string().min(NAME_MIN).max(NAME_MAX),
  nameKey: z.string().max(200),
  email: z.email().max(254).nullable(),
  birthday: IsoDateSchema.nullable(),
  anniversary: IsoDateSchema.nullable(),
  notes: z.string().max(4000),
  preferences: PreferencesSchema,
  tags: z.array(z.string().min(1).max(40)).max(30),
  marketingConsent: z.boolean(),
  status: CustomerStatusSchema,
  /** Set by a duplicate merge: reads follow it to the surviving customer. */
  mergedInto: IdSchema.nullable(),
  /** Store where the customer signed up. */
  storeId: IdSchema,
  createdAt: IsoDateTimeSchema,
  /** Staff member who made the last change; the server checks their role. */
  updatedBy: IdSchema,
  conflicts: z.array(RecordedConflictSchema).max(20),
});
/** A customer document. */
export type Customer = z.infer<typeof CustomerSchema>;

/** Customer fields a three-way merge treats one by one (everything a person edits). */
export const CUSTOMER_MERGE_FIELDS = [
  'phone',
  'phoneKey',
  'phoneReversed',
  'name',
  'nameKey',
  'email',
  'birthday',
  'anniversary',
  'notes',
  'preferences',
  'tags',
  'marketingConsent',
  'status',
  'mergedInto',
  '_deleted',
] as const satisfies readonly (keyof Customer)[];
