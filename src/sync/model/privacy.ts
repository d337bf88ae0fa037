import { z } from 'zod';
import type { Customer } from './customer.ts';

// Erasure (GDPR Art. 17) of a customer, as one replicated write: every personal field is replaced by a fixed
// value, the status becomes `erased`, and the document becomes a tombstone. What stays is what the books and
// the replication need: the id (visits and ledger lines point at it), the merchant, the sign-up store and
// date, the merge pointer, and the erasure's own marker (docs/privacy.md).

/** The status of an erased customer: with `_deleted`, the marker every replica and the server recognise. */
export const ERASED_STATUS = 'erased';

/** Longest reason a manager gives for an erasure (it is kept: no personal data belongs in it). */
export const ERASURE_REASON_MAX = 300;

/** A manager's reason for an erasure: required, one short text. */
export const ErasureReasonSchema = z.string().trim().min(3, 'REQUIRED').max(ERASURE_REASON_MAX, 'TOO_LONG');

/** Who erased a customer, when, and why — what the erased document keeps of the erasure. */
export interface Erasure {
  /** Business time of the erasure (the document's `updatedAt`). */
  at: string;
  /** The manager or owner who erased (the document's `updatedBy`; the server checked the role). */
  by: string;
  reason: string;
}

/** The id of the erased timeline's one note, the reason: fixed, so every replica writes the same document. */
const ERASURE_NOTE_ID = '00000000-0000-4000-8000-000000000000';

/** An E.164 number no country code uses (+999 is unassigned), so a redacted phone can never reach a person. */
const ERASED_PHONE = '+99900000000';

/**
 * THE list of a customer's personal fields, each with the value an erasure leaves in it. Redaction, the
 * server's un-erase check and the export all follow it; a new customer field must be classified here or in
 * CUSTOMER_KEPT_FIELDS (the type check below fails otherwise). The reason is kept as the timeline's one note
 * (with the eraser and the time), the one free text an erased document has, so the marker needs no field of its own.
 */
export const CUSTOMER_PERSONAL_FIELDS = {
  phone: () => ERASED_PHONE,
  phoneKey: () => '0000',
  phoneReversed: () => '0000000',
  name: () => '---',
  nameKey: () => '',
  email: () => null,
  birthday: () => null,
  anniversary: () => null,
  phone2: () => null,
  phone2Key: () => null,
  phone2Reversed: () => null,
  address: () => '',
  company: () => '',
  source: () => null,
  preferredChannel: () => null,
  timeline: (erasure: Erasure) => [{ id: ERASURE_NOTE_ID, text: erasure.reason, at: erasure.at, by: erasure.by }],
  preferences: () => ({ favorites: [], allergies: [], preferredTime: null }),
  tags: () => [],
  consent: () => [],
  conflicts: () => [],
} as const satisfies { readonly [K in keyof Customer]?: (erasure: Erasure) => Customer[K] };

/** A personal field of a customer. */
export type CustomerPersonalField = keyof typeof CUSTOMER_PERSONAL_FIELDS;

/**
 * The fields an erasure keeps: ids, the sign-up store and date, the marker (status, updatedAt/By), and the count
 * of visits before Patron — a number that names nobody once the person's fields are gone, like the visits
 * themselves, which the books keep.
 */
export const CUSTOMER_KEPT_FIELDS = ['id', 'merchantId', 'storeId', 'createdAt', 'mergedInto', 'status', 'priorVisits', 'updatedAt', 'updatedBy', '_deleted'] as const satisfies readonly (keyof Customer)[];

type Unclassified = Exclude<keyof Customer, CustomerPersonalField | (typeof CUSTOMER_KEPT_FIELDS)[number]>;
/** Compile-time guard: every customer field is either personal or kept (a new field must be listed). */
export const EVERY_CUSTOMER_FIELD_CLASSIFIED: [Unclassified] extends [never] ? true : { unclassified: Unclassified } = true;

/** The personal fields, in their list's order. */
export const PERSONAL_FIELD_NAMES = Object.keys(CUSTOMER_PERSONAL_FIELDS) as CustomerPersonalField[];

/** The values an erasure writes into every personal field. */
export function redactedFields(erasure: Erasure): Pick<Customer, CustomerPersonalField> {
  const out: Record<string, unknown> = {};
  for (const field of PERSONAL_FIELD_NAMES) out[field] = CUSTOMER_PERSONAL_FIELDS[field](erasure);
  return out as Pick<Customer, CustomerPersonalField>;
}

/** The erased state of `customer`: personal fields redacted, status erased, a tombstone, stamped by the eraser. */
export function eraseCustomer(customer: Customer, erasure: Erasure): Customer {
  return { ...customer, ...redactedFields(erasure), status: ERASED_STATUS, updatedAt: erasure.at, updatedBy: erasure.by, _deleted: true };
}

/** Whether a customer document is an erasure (whatever else it holds: the server checks that separately). */
export function isErased(customer: Pick<Customer, 'status'>): boolean {
  return customer.status === ERASED_STATUS;
}

/** The erasure marker of an erased customer (null for any other). */
export function erasureOf(customer: Customer): Erasure | null {
  return isErased(customer) ? { at: customer.updatedAt, by: customer.updatedBy, reason: customer.timeline[0]?.text ?? '' } : null;
}

/**
 * Why `customer` is not a complete erasure (null when it is): a tombstone whose every personal field holds
 * exactly the redacted value. The server refuses any other document that calls itself erased, so no erased
 * row ever carries personal data.
 */
export function erasureProblem(customer: Customer): string | null {
  if (!customer._deleted) return 'an erased customer is a tombstone';
  const erasure = erasureOf(customer);
  if (!erasure || ErasureReasonSchema.safeParse(erasure.reason).success === false) return 'an erasure needs a reason';
  const expected = redactedFields(erasure);
  const kept = PERSONAL_FIELD_NAMES.find((field) => JSON.stringify(customer[field]) !== JSON.stringify(expected[field]));
  return kept === undefined ? null : `an erasure keeps personal data (${kept})`;
}
