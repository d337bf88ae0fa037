import {
  CONSENT_CHANNELS, ConsentEntrySchema, CustomerSchema, NoteEntrySchema,
  type ConsentChannel, type ConsentEntry, type ConsentSource, type ContactChannel, type Customer, type CustomerSource, type NoteEntry, type Preferences,
} from './customer.ts';
import { earnEntryId, newId, reversalEntryId, stampEntryId } from './ids.ts';
import { LoyaltyEntrySchema, type LoyaltyEntry } from './loyalty-entry.ts';
import { normalizePhone, phoneKeys } from './phone.ts';
import { foldName } from './text.ts';
import { VisitSchema, itemsSubtotal, type AppliedReward, type PaymentMethod, type Visit, type VisitItem } from './visit.ts';

/** Where a write happens: the merchant, store, terminal and signed-in staff member, and the device clock. */
export interface WriteContext {
  merchantId: string;
  storeId: string;
  terminalId: string;
  staffId: string;
  /** Business time of the write (ISO-8601 UTC). */
  now: string;
  /** Whether the terminal is offline (recorded on ledger entries). */
  offline: boolean;
}

/** What a cashier enters to sign a customer up (already validated by the form). */
export interface NewCustomerInput {
  phone: string;
  name: string;
  email?: string | null;
  birthday?: string | null;
  anniversary?: string | null;
  phone2?: string | null;
  address?: string;
  company?: string;
  source?: CustomerSource | null;
  preferredChannel?: ContactChannel | null;
  /** The timeline's first note, when not empty. */
  notes?: string;
  preferences?: Partial<Preferences>;
  tags?: string[];
  /** The first consent decision per channel: a `true` is a granted entry from `consentSource` (the counter by default). */
  consent?: { email?: boolean; sms?: boolean };
  consentSource?: ConsentSource;
  /** Visits before Patron (a manager's import or edit; the server refuses a cashier's). */
  priorVisits?: number;
}

/** An edit of a customer's details: the fields that change (phones as typed; their keys are derived). */
export type CustomerChanges = Partial<Omit<NewCustomerInput, 'notes' | 'consent' | 'consentSource'>> & { status?: Customer['status'] };

/** A timeline note written now by the signed-in staff member. */
export function noteEntry(text: string, ctx: Pick<WriteContext, 'now' | 'staffId'>, id = newId()): NoteEntry {
  return NoteEntrySchema.parse({ id, text, at: ctx.now, by: ctx.staffId });
}

/** A consent decision recorded now by the signed-in staff member. */
export function consentEntry(channel: ConsentChannel, state: ConsentEntry['state'], source: ConsentSource, ctx: Pick<WriteContext, 'now' | 'staffId'>, id = newId()): ConsentEntry {
  return ConsentEntrySchema.parse({ id, channel, state, at: ctx.now, source, by: ctx.staffId });
}

/** The second phone's fields: E.164 and its lookup keys, or all null. */
function secondPhone(input: string | null | undefined, defaultRegion: string): Pick<Customer, 'phone2' | 'phone2Key' | 'phone2Reversed'> {
  if (!input) return { phone2: null, phone2Key: null, phone2Reversed: null };
  const phone2 = normalizePhone(input, defaultRegion);
  const keys = phoneKeys(phone2, defaultRegion);
  return { phone2, phone2Key: keys.phoneKey, phone2Reversed: keys.phoneReversed };
}

/**
 * A new customer document with its derived lookup keys (E.164 phone, national-prefix and reversed-digit
 * keys, folded name). Throws PatronError INVALID_PHONE_FORMAT or a ZodError for bad input.
 */
export function newCustomer(input: NewCustomerInput, ctx: WriteContext, defaultRegion: string, id = newId()): Customer {
  const phone = normalizePhone(input.phone, defaultRegion);
  const notes = input.notes?.trim() ?? '';
  const granted = CONSENT_CHANNELS.filter((channel) => input.consent?.[channel] === true);
  return CustomerSchema.parse({
    id,
    merchantId: ctx.merchantId,
    updatedAt: ctx.now,
    _deleted: false,
    phone,
    ...phoneKeys(phone, defaultRegion),
    ...secondPhone(input.phone2, defaultRegion),
    name: input.name.trim(),
    nameKey: foldName(input.name),
    email: input.email?.trim() || null,
    birthday: input.birthday || null,
    anniversary: input.anniversary || null,
    address: input.address?.trim() ?? '',
    company: input.company?.trim() ?? '',
    source: input.source ?? null,
    preferredChannel: input.preferredChannel ?? null,
    // The first entries' ids derive from the customer's, as the version-1 migration's do: a sign-up built
    // twice from the same input (a retried form, the demo's seeded data) is the same document.
    timeline: notes === '' ? [] : [noteEntry(notes, ctx, `${id}:note`)],
    preferences: { favorites: [], allergies: [], preferredTime: null, ...input.preferences },
    tags: input.tags ?? [],
    consent: granted.map((channel) => consentEntry(channel, 'granted', input.consentSource ?? 'counter', ctx, `${id}:${channel}`)),
    status: 'active',
    // Absent is none: a customer without visits before Patron is written as every earlier one was.
    ...(input.priorVisits ? { priorVisits: input.priorVisits } : {}),
    mergedInto: null,
    storeId: ctx.storeId,
    createdAt: ctx.now,
    updatedBy: ctx.staffId,
    conflicts: [],
  });
}

/** An edit of a customer: the changed fields applied, derived keys recomputed, business time stamped. */
export function editCustomer(current: Customer, changes: CustomerChanges, ctx: WriteContext, defaultRegion: string): Customer {
  const { phone2: typed2, ...rest } = changes;
  const phone = changes.phone !== undefined ? normalizePhone(changes.phone, defaultRegion) : current.phone;
  const name = changes.name !== undefined ? changes.name.trim() : current.name;
  return CustomerSchema.parse({
    ...current,
    ...rest,
    phone,
    ...phoneKeys(phone, defaultRegion),
    ...(typed2 !== undefined ? secondPhone(typed2, defaultRegion) : {}),
    name,
    nameKey: foldName(name),
    email: changes.email !== undefined ? changes.email?.trim() || null : current.email,
    preferences: { ...current.preferences, ...changes.preferences },
    updatedAt: ctx.now,
    updatedBy: ctx.staffId,
  });
}

/** What the counter records for a visit. */
export interface NewVisitInput {
  customerId: string;
  items: VisitItem[];
  /** Paid amount before discount when there are no item lines (minor units). */
  amount?: number;
  /** Everything taken off, the applied rewards' discounts included. */
  discount?: number;
  /** Rewards redeemed on the sale (reward-rules.ts applyRewards), with their redemption lines' ids. */
  rewards?: AppliedReward[];
  currency: string;
  paymentMethod: PaymentMethod;
  notes?: string;
}

/**
 * A visit and, when it earns anything, its earning entry — whose id is derived from the visit id so a
 * retried earning collides instead of crediting twice (docs/architecture.md#deterministic-ids).
 */
export function newVisit(input: NewVisitInput, points: number, ctx: WriteContext, id = newId()): { visit: Visit; earn: LoyaltyEntry | null } {
  const subtotal = input.items.length > 0 ? itemsSubtotal(input.items) : (input.amount ?? 0);
  const discount = Math.min(input.discount ?? 0, subtotal);
  const visit = VisitSchema.parse({
    id,
    merchantId: ctx.merchantId,
    updatedAt: ctx.now,
    _deleted: false,
    storeId: ctx.storeId,
    customerId: input.customerId,
    terminalId: ctx.terminalId,
    staffId: ctx.staffId,
    occurredAt: ctx.now,
    items: input.items,
    subtotal,
    discount,
    total: subtotal - discount,
    currency: input.currency,
    paymentMethod: input.paymentMethod,
    pointsEarned: points,
    notes: input.notes ?? '',
    feedback: null,
    voided: false,
    voidedAt: null,
    voidedBy: null,
    voidReason: null,
    ...(input.rewards && input.rewards.length > 0 ? { rewards: input.rewards } : {}),
  });
  const earn = points > 0 ? ledgerEntry({ id: earnEntryId(id), kind: 'earn', points, customerId: input.customerId, visitId: id }, ctx) : null;
  return { visit, earn };
}

/** A ledger line stamped with the write context. */
export function ledgerEntry(
  fields: Pick<LoyaltyEntry, 'kind' | 'points' | 'customerId'> & Partial<Pick<LoyaltyEntry, 'id' | 'visitId' | 'rewardId' | 'reversesId' | 'note' | 'stamps'>>,
  ctx: WriteContext,
): LoyaltyEntry {
  return LoyaltyEntrySchema.parse({
    id: fields.id ?? newId(),
    merchantId: ctx.merchantId,
    updatedAt: ctx.now,
    _deleted: false,
    customerId: fields.customerId,
    kind: fields.kind,
    points: fields.points,
    visitId: fields.visitId ?? null,
    rewardId: fields.rewardId ?? null,
    reversesId: fields.reversesId ?? null,
    storeId: ctx.storeId,
    terminalId: ctx.terminalId,
    staffId: ctx.staffId,
    offline: ctx.offline,
    note: fields.note ?? '',
    occurredAt: ctx.now,
    ...(fields.stamps !== undefined ? { stamps: fields.stamps } : {}),
  });
}

/** A visit's stamp line (id derived from the visit, so a retry stamps once); null when it earns none. */
export function stampLine(visit: Pick<Visit, 'id' | 'customerId'>, stamps: number, ctx: WriteContext): LoyaltyEntry | null {
  if (stamps <= 0) return null;
  return ledgerEntry({ id: stampEntryId(visit.id), kind: 'stamp', points: 0, stamps, customerId: visit.customerId, visitId: visit.id }, ctx);
}

/** The reversal of a visit's stamp line, taking back `stamps` (ids derived, so at most once). */
export function stampReversal(visit: Pick<Visit, 'id' | 'customerId'>, stamps: number, ctx: WriteContext): LoyaltyEntry {
  const reversesId = stampEntryId(visit.id);
  return ledgerEntry({ id: reversalEntryId(reversesId), kind: 'stamp_reversal', points: 0, stamps: -stamps, customerId: visit.customerId, visitId: visit.id, reversesId }, ctx);
}

/** Voids a visit: the flag on the visit and a reversal of its earning entry (deterministic id). */
export function voidVisit(visit: Visit, earn: LoyaltyEntry | null, reason: string, ctx: WriteContext): { visit: Visit; reversal: LoyaltyEntry | null } {
  const voided = VisitSchema.parse({ ...visit, voided: true, voidedAt: ctx.now, voidedBy: ctx.staffId, voidReason: reason, updatedAt: ctx.now });
  const reversal = earn
    ? ledgerEntry({ id: reversalEntryId(earn.id), kind: 'reversal', points: -earn.points, customerId: earn.customerId, visitId: visit.id, reversesId: earn.id }, ctx)
    : null;
  return { visit: voided, reversal };
}
