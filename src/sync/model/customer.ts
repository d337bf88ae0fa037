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

/** An E.164 phone number as stored (`+989121234567`). */
export const E164Schema = z.string().regex(/^\+[1-9]\d{6,14}$/);

/** How the customer found the shop (seed S2/S4 "source"). */
export const CUSTOMER_SOURCES = ['walk-in', 'referral', 'social', 'search', 'advert', 'event', 'other'] as const;
/** How the customer found the shop. */
export const CustomerSourceSchema = z.enum(CUSTOMER_SOURCES);
/** How the customer found the shop. */
export type CustomerSource = z.infer<typeof CustomerSourceSchema>;

/** How the customer prefers to be contacted. */
export const CONTACT_CHANNELS = ['sms', 'email', 'phone'] as const;
/** A contact channel the customer prefers. */
export const ContactChannelSchema = z.enum(CONTACT_CHANNELS);
/** A contact channel the customer prefers. */
export type ContactChannel = z.infer<typeof ContactChannelSchema>;

/**
 * The id of a timeline note or consent entry: a UUID, or — for the entries the schema-version-1 migration
 * derives from version 0's `notes` and `marketingConsent` — the customer's id with `:note`, `:email` or `:sms`, so that the
 * server's SQL migration and every terminal's RxDB migration mint the same id without a UUID function.
 */
export const EntryIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:(note|email|sms))?$/);

/**
 * Most visits before Patron a customer may carry: a visit a day for more than 270 years. It bounds typos (an
 * amount pasted into the wrong column), not loyal customers.
 */
export const PRIOR_VISITS_MAX = 100_000;
/** Visits a customer made before the business used Patron (imported or corrected by a manager): a count, no dates. */
export const PriorVisitsSchema = z.int().min(0).max(PRIOR_VISITS_MAX);

/** Longest text of one timeline note (version 0's `notes` bound, so a migrated note always fits). */
export const NOTE_MAX = 4000;
/** Most notes a customer's timeline holds. */
export const TIMELINE_MAX = 100;

/** One note of a customer's timeline: what was written, when and by whom. Notes are only ever added. */
export const NoteEntrySchema = z.strictObject({
  id: EntryIdSchema,
  text: z.string().min(1).max(NOTE_MAX),
  at: IsoDateTimeSchema,
  by: IdSchema,
});
/** A timeline note. */
export type NoteEntry = z.infer<typeof NoteEntrySchema>;

/** Channels a customer consents to marketing on, each with its own history. */
export const CONSENT_CHANNELS = ['email', 'sms'] as const;
/** A marketing channel. */
export const ConsentChannelSchema = z.enum(CONSENT_CHANNELS);
/** A marketing channel. */
export type ConsentChannel = z.infer<typeof ConsentChannelSchema>;
/** Where a consent decision was recorded. `migrated` marks the entries derived from version 0's `marketingConsent`. */
export const CONSENT_SOURCES = ['counter', 'customer-request', 'import', 'migrated'] as const;
/** Where a consent decision was recorded. */
export const ConsentSourceSchema = z.enum(CONSENT_SOURCES);
/** Where a consent decision was recorded. */
export type ConsentSource = z.infer<typeof ConsentSourceSchema>;
/** Most entries a customer's consent history holds. */
export const CONSENT_MAX = 200;

/** One consent decision: a channel granted or withdrawn, when, where and by which staff member. Append-only. */
export const ConsentEntrySchema = z.strictObject({
  id: EntryIdSchema,
  channel: ConsentChannelSchema,
  state: z.enum(['granted', 'withdrawn']),
  at: IsoDateTimeSchema,
  source: ConsentSourceSchema,
  by: IdSchema,
});
/** A consent decision. */
export type ConsentEntry = z.infer<typeof ConsentEntrySchema>;

/** A history whose entries each have their own id: a second entry under a known id could shadow the first. */
function historySchema<T extends z.ZodType<{ id: string }>>(entry: T, max: number) {
  return z
    .array(entry)
    .max(max)
    .check((ctx) => {
      const ids = new Set<string>();
      ctx.value.forEach((item, i) => {
        if (ids.has(item.id)) ctx.issues.push({ code: 'custom', message: 'duplicate entry id', input: item.id, path: [i, 'id'] });
        ids.add(item.id);
      });
    });
}

/**
 * A customer document as replicated. `phone` is E.164; `phoneKey` and `phoneReversed` are the
 * index-backed lookup keys derived from it (see phone.ts), `nameKey` is the folded name (text.ts).
 */
export const CustomerSchema = z.strictObject({
  ...DocumentBaseShape,
  phone: E164Schema,
  phoneKey: z.string().regex(/^\d{4,20}$/),
  phoneReversed: z.string().regex(/^\d{7,15}$/),
  name: z.string().min(NAME_MIN).max(NAME_MAX),
  nameKey: z.string().max(200),
  email: z.email().max(254).nullable(),
  birthday: IsoDateSchema.nullable(),
  anniversary: IsoDateSchema.nullable(),
  /** A second number (E.164) with its lookup keys, as `phone` has them; all three null together. */
  phone2: E164Schema.nullable(),
  phone2Key: z.string().regex(/^\d{4,20}$/).nullable(),
  phone2Reversed: z.string().regex(/^\d{7,15}$/).nullable(),
  address: z.string().max(300),
  company: z.string().max(100),
  source: CustomerSourceSchema.nullable(),
  preferredChannel: ContactChannelSchema.nullable(),
  /** Notes oldest first; merged as a set by id, never edited in place. */
  timeline: historySchema(NoteEntrySchema, TIMELINE_MAX),
  preferences: PreferencesSchema,
  /** Tag names; the merchant's catalogue (settings `tagCatalogue`) gives them colours. */
  tags: z.array(z.string().min(1).max(40)).max(30),
  /** Consent decisions per channel, append-only (the server refuses a rewrite); the state is derived. */
  consent: historySchema(ConsentEntrySchema, CONSENT_MAX),
  status: CustomerStatusSchema,
  /**
   * Visits before Patron (no dates, so never in a window or a period). Optional, absent is 0: a customer stored
   * without it is valid as it is (docs/protocol.md §1). Managers set it; the server refuses a cashier's change.
   */
  priorVisits: PriorVisitsSchema.optional(),
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
  'phone2',
  'phone2Key',
  'phone2Reversed',
  'address',
  'company',
  'source',
  'preferredChannel',
  'timeline',
  'preferences',
  'tags',
  'consent',
  'status',
  'priorVisits',
  'mergedInto',
  '_deleted',
] as const satisfies readonly (keyof Customer)[];

/** A customer's visits before Patron (an absent count is none). */
export function priorVisitsOf(customer: Pick<Customer, 'priorVisits'>): number {
  return customer.priorVisits ?? 0;
}
