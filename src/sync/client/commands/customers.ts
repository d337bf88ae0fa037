import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import { customerInputSchema, preferencesOf, type CheckedCustomer } from '../../model/customer-input.ts';
import { CONSENT_MAX, ConsentChannelSchema, ConsentSourceSchema, NOTE_MAX, TIMELINE_MAX, priorVisitsOf, type Customer } from '../../model/customer.ts';
import { zonedDate } from '../../model/dates.ts';
import { consentEntry, editCustomer, newCustomer, noteEntry, type CustomerChanges, type NewCustomerInput } from '../../model/document-builders.ts';
import { phoneKeys } from '../../model/phone.ts';
import { fromReplica, fromStored, forStorage } from '../documents.ts';
import { command, refuse } from './command.ts';
import { writeContext, type CommandEnv } from './env.ts';

/** The details' rules in this merchant's phone region, with today in its time zone. */
function detailsSchema(env: CommandEnv) {
  const settings = env.settings();
  return customerInputSchema({ region: settings.defaultRegion, today: zonedDate(env.now(), settings.timeZone) });
}

/** Another live customer with exactly this phone (merged duplicates and tombstones aside). */
async function holderOf(env: CommandEnv, e164: string, except?: string): Promise<Customer | null> {
  const { phoneKey } = phoneKeys(e164, env.settings().defaultRegion);
  const docs = await env.db.customers.find({ selector: { phoneKey }, sort: [{ phoneKey: 'asc' }], limit: 10 }).exec();
  const found = docs.map((doc) => fromReplica<Customer>(doc)).find((c) => c.phone === e164 && c.id !== except && c.mergedInto === null);
  return found ?? null;
}

/** The details a form edits, as the customer document holds them (notes and consent have their own commands). */
function detailsOf(checked: CheckedCustomer): Required<Omit<CustomerChanges, 'status' | 'priorVisits'>> {
  const { phone, phone2, name, email, birthday, anniversary, address, company, source, preferredChannel, tags } = checked;
  return { phone, phone2, name, email, birthday, anniversary, address, company, source, preferredChannel, tags, preferences: preferencesOf(checked) };
}

function modelInput(checked: CheckedCustomer): NewCustomerInput {
  return { ...detailsOf(checked), notes: checked.notes, consent: { email: checked.consentEmail, sms: checked.consentSms }, priorVisits: checked.priorVisits ?? 0 };
}

/**
 * Visits before Patron are a manager's to set (the server refuses a cashier's change too): refused before
 * anything is written, as the field's problem so the form can say it.
 */
function checkPriorVisitsRole(staff: { role: string }, changing: boolean): void {
  if (changing && staff.role === 'cashier') refuse('FORBIDDEN');
}

/**
 * Signs a customer up. A number another customer already has is refused (CUSTOMER_ALREADY_EXISTS, with that
 * customer's id), so the counter opens them instead; two offline terminals can still both sign the same number
 * up, and the server merges that pair (docs/architecture.md#duplicates duplicates). `id` makes a retry of the same form idempotent;
 * without it the terminal mints one carrying the customer's member code.
 */
export const signUp = command({
  role: 'cashier',
  input: (env: CommandEnv) => detailsSchema(env).extend({ id: IdSchema.optional() }),
  async run(env, input, staff) {
    if (input.id) {
      const existing = await env.db.customers.findOne(input.id).exec();
      if (existing) return fromReplica<Customer>(existing);
    }
    checkPriorVisitsRole(staff, (input.priorVisits ?? 0) > 0);
    const holder = await holderOf(env, input.phone);
    if (holder) refuse('CUSTOMER_ALREADY_EXISTS', { phone: 'TAKEN' }, { customerId: holder.id });
    // The id carries the member code (model/member-code.ts); a form that retries passes the id it was given.
    const customer = newCustomer(modelInput(input), writeContext(env, staff), env.settings().defaultRegion, input.id ?? (await env.newCustomerId()));
    await env.db.customers.insert(forStorage(customer));
    return customer;
  },
});

/** The fields of `next` that differ from `current` (an edit writes only these). */
export function changedFields(current: Customer, next: CheckedCustomer): CustomerChanges {
  const wanted = { ...detailsOf(next), status: next.status };
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    if (JSON.stringify(current[field as keyof Customer]) !== JSON.stringify(value)) changes[field] = value;
  }
  // A form without the count (a cashier's) leaves it; absent and 0 are the same count.
  if (next.priorVisits !== undefined && next.priorVisits !== priorVisitsOf(current)) changes.priorVisits = next.priorVisits;
  return changes;
}

/**
 * Edits a customer: only the fields that changed are written, on top of the replica's newest state (a field
 * another terminal changed meanwhile stays theirs), with the derived lookup keys recomputed.
 */
export const editCustomerDetails = command({
  role: 'cashier',
  input: (env: CommandEnv) => detailsSchema(env).extend({ customerId: IdSchema }),
  async run(env, input, staff) {
    const doc = await env.db.customers.findOne(input.customerId).exec();
    if (!doc) refuse('CUSTOMER_NOT_FOUND');
    const current = fromReplica<Customer>(doc);
    const changes = changedFields(current, input);
    if (Object.keys(changes).length === 0) return current;
    checkPriorVisitsRole(staff, changes.priorVisits !== undefined);
    if (changes.phone !== undefined && (await holderOf(env, changes.phone, current.id))) refuse('CUSTOMER_ALREADY_EXISTS', { phone: 'TAKEN' });
    const ctx = writeContext(env, staff);
    const region = env.settings().defaultRegion;
    const written = await doc.incrementalModify((stored) => {
      const edited = editCustomer(fromStored<Customer>(stored as unknown as Record<string, unknown>), changes, ctx, region);
      return { ...stored, ...forStorage(edited) };
    });
    return fromReplica<Customer>(written);
  },
});

/** Loads a customer for a command's edit, or refuses. */
async function customerDoc(env: CommandEnv, id: string) {
  const doc = await env.db.customers.findOne(id).exec();
  if (!doc || doc.deleted) refuse('CUSTOMER_NOT_FOUND');
  return doc;
}

/**
 * Adds a note to a customer's timeline, signed with the staff member and business time. The note is added to
 * the replica's newest state; the three-way merge unites timelines by note id, so notes added on two terminals
 * at once both stay.
 */
export const addNote = command({
  role: 'cashier',
  input: z.strictObject({
    customerId: IdSchema,
    text: z.string().transform((value, issue) => {
      const text = value.trim();
      if (text === '') issue.addIssue({ code: 'custom', message: 'REQUIRED' });
      else if (text.length > NOTE_MAX) issue.addIssue({ code: 'custom', message: 'TOO_LONG' });
      return text;
    }),
  }),
  async run(env, input, staff) {
    const doc = await customerDoc(env, input.customerId);
    if (doc.timeline.length >= TIMELINE_MAX) refuse('VALIDATION_FAILED', { text: 'TOO_MANY_ITEMS' });
    const ctx = writeContext(env, staff);
    const note = noteEntry(input.text, ctx);
    const written = await doc.incrementalModify((stored) => ({ ...stored, timeline: [...stored.timeline, note], updatedAt: ctx.now, updatedBy: ctx.staffId }));
    return fromReplica<Customer>(written);
  },
});

/**
 * Records a consent decision on one channel: a new entry appended to the customer's history (never an edit of
 * an earlier one; the server refuses that). A decision equal to the current one is recorded too: a customer
 * confirming again is evidence with its own date.
 */
export const recordConsent = command({
  role: 'cashier',
  input: z.strictObject({
    customerId: IdSchema,
    channel: ConsentChannelSchema,
    granted: z.boolean(),
    source: ConsentSourceSchema.exclude(['migrated', 'import']),
  }),
  async run(env, input, staff) {
    const doc = await customerDoc(env, input.customerId);
    if (doc.consent.length >= CONSENT_MAX) refuse('VALIDATION_FAILED', { channel: 'TOO_MANY_ITEMS' });
    const ctx = writeContext(env, staff);
    const entry = consentEntry(input.channel, input.granted ? 'granted' : 'withdrawn', input.source, ctx);
    const written = await doc.incrementalModify((stored) => ({ ...stored, consent: [...stored.consent, entry], updatedAt: ctx.now, updatedBy: ctx.staffId }));
    return fromReplica<Customer>(written);
  },
});
