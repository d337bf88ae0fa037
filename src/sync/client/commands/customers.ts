import { IdSchema } from '../../model/common.ts';
import { customerInputSchema, preferencesOf, type CheckedCustomer } from '../../model/customer-input.ts';
import type { Customer } from '../../model/customer.ts';
import { zonedDate } from '../../model/dates.ts';
import { editCustomer, newCustomer, type NewCustomerInput } from '../../model/document-builders.ts';
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

function modelInput(checked: CheckedCustomer): Required<Omit<NewCustomerInput, 'preferences'>> & { preferences: Customer['preferences'] } {
  const { phone, name, email, birthday, anniversary, notes, tags, marketingConsent } = checked;
  return { phone, name, email, birthday, anniversary, notes, tags, marketingConsent, preferences: preferencesOf(checked) };
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
    const holder = await holderOf(env, input.phone);
    if (holder) refuse('CUSTOMER_ALREADY_EXISTS', { phone: 'TAKEN' }, { customerId: holder.id });
    // The id carries the member code (model/member-code.ts); a form that retries passes the id it was given.
    const customer = newCustomer(modelInput(input), writeContext(env, staff), env.settings().defaultRegion, input.id ?? (await env.newCustomerId()));
    await env.db.customers.insert(forStorage(customer));
    return customer;
  },
});

/** The fields of `next` that differ from `current` (an edit writes only these). */
export function changedFields(current: Customer, next: CheckedCustomer): Partial<NewCustomerInput> & { status?: Customer['status'] } {
  const wanted = { ...modelInput(next), status: next.status };
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    if (JSON.stringify(current[field as keyof Customer]) !== JSON.stringify(value)) changes[field] = value;
  }
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
