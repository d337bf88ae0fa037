import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { ErasureReasonSchema, eraseCustomer as erased, isErased } from '../../model/privacy.ts';
import type { Visit } from '../../model/visit.ts';
import { customerArchive, type CustomerRecords } from '../customer-export.ts';
import { fromReplica, fromStored, forStorage } from '../documents.ts';
import { command, refuse } from './command.ts';
import type { CommandEnv } from './env.ts';

// The customer's privacy rights at the terminal (docs/privacy.md): a subject-access export and an erasure.
// Both act on the customer's merge group — the person and the duplicates merged into them are one person.

/** The live documents of a customer's merge group, the root first (refuses when the customer is not here). */
async function groupOf(env: CommandEnv, customerId: string): Promise<Customer[]> {
  await env.merges.ready;
  const ids = env.merges.groupOf(customerId);
  const docs = await env.db.customers.findByIds(ids).exec();
  const customers = ids.flatMap((id) => {
    const doc = docs.get(id);
    return doc ? [fromReplica<Customer>(doc)] : [];
  });
  if (!customers.some((c) => c.id === customerId)) refuse('CUSTOMER_NOT_FOUND');
  return customers;
}

async function recordsOf(env: CommandEnv, customers: Customer[]): Promise<CustomerRecords> {
  // One query per member: RxDB plans a `$in` over ids as one range from the smallest to the largest id.
  const each = async <T>(read: (customerId: string) => Promise<T[]>): Promise<T[]> => (await Promise.all(customers.map((c) => read(c.id)))).flat();
  const [visits, ledger, inbox] = await Promise.all([
    each((customerId) => env.db.visits.find({ selector: { customerId } }).exec()),
    each((customerId) => env.db.loyaltyEntries.find({ selector: { customerId } }).exec()),
    each((customerId) => env.db.inbox.find({ selector: { customerId } }).exec()),
  ]);
  const [customer, ...duplicates] = customers as [Customer, ...Customer[]];
  return {
    customer,
    duplicates,
    visits: visits.map((doc) => fromReplica<Visit>(doc)),
    ledger: ledger.map((doc) => fromReplica<LoyaltyEntry>(doc)),
    inbox: inbox.map((doc) => fromReplica<InboxItem>(doc)),
  };
}

/**
 * A customer's archive (GDPR Arts. 15 and 20): a zip of everything this replica holds about them, read from
 * the local replica, so it works offline on any manager's terminal. Writes nothing.
 */
export const exportCustomerData = command({
  role: 'manager',
  input: z.strictObject({ customerId: IdSchema }),
  async run(env, input, staff) {
    const records = await recordsOf(env, await groupOf(env, input.customerId));
    const exportedAt = env.now().toISOString();
    return {
      fileName: `customer-${records.customer.id}.zip`,
      bytes: customerArchive(records, { exportedAt, exportedBy: staff.id }),
    };
  },
});

/**
 * Erases a customer (GDPR Art. 17): every personal field of every document of the merge group redacted and
 * the documents tombstoned, in this replica at once and on every other one through replication (an offline
 * one on its next sync, its own pending edit losing to the erasure). Visits and ledger lines stay for the
 * books, pointing at the erased id. Managers and owners only; the reason is kept with the erasure.
 */
export const eraseCustomerData = command({
  role: 'manager',
  input: z.strictObject({ customerId: IdSchema, reason: ErasureReasonSchema }),
  async run(env, input, staff) {
    const group = await groupOf(env, input.customerId);
    const erasure = { at: env.now().toISOString(), by: staff.id, reason: input.reason };
    for (const customer of group) {
      if (isErased(customer)) continue;
      const doc = await env.db.customers.findOne(customer.id).exec();
      await doc?.incrementalModify((stored) => {
        const current = fromStored<Customer>(stored as unknown as Record<string, unknown>);
        return { ...stored, ...forStorage(erased(current, erasure)), _deleted: true };
      });
    }
    return { erased: group.map((c) => c.id) };
  },
});
