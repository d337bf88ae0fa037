import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import { CustomerFilterSchema } from '../../model/customer-filter.ts';
import { CustomerGroupSchema, type CustomerGroup } from '../../model/customer-group.ts';
import { CustomerSchema, type Customer } from '../../model/customer.ts';
import { newId } from '../../model/ids.ts';
import { fromReplica, forStorage } from '../documents.ts';
import { command, refuse } from './command.ts';

// The customers list's writes (docs/directory.md §3–4): saved groups (managers; the server checks the role
// again) and tags added to or removed from many customers at once.

/** Most customers one bulk command changes: a selection, or everyone a filter matches. */
export const BULK_MAX = 100_000;

const GroupNameSchema = CustomerGroupSchema.shape.name;

/** Saves a filter as a new named group, or renames a group / replaces its filter. */
export const saveGroup = command({
  role: 'manager',
  input: z.strictObject({ id: IdSchema.optional(), name: GroupNameSchema, filter: CustomerFilterSchema.optional() }),
  async run(env, input, staff) {
    const stamp = { updatedAt: env.now().toISOString(), updatedBy: staff.id };
    const existing = input.id ? await env.db.customerGroups.findOne(input.id).exec() : null;
    if (input.id && !existing) refuse('NOT_FOUND');
    if (existing) {
      const patch = { name: input.name, ...(input.filter ? { filter: input.filter } : {}), ...stamp };
      return fromReplica<CustomerGroup>(await existing.incrementalPatch(patch));
    }
    if (!input.filter) refuse('VALIDATION_FAILED', { filter: 'REQUIRED' });
    const group = CustomerGroupSchema.parse({ id: newId(), merchantId: env.identity.merchantId, _deleted: false, name: input.name, filter: input.filter, ...stamp });
    await env.db.customerGroups.insert(forStorage(group));
    return group;
  },
});

/** Deletes a group: a tombstone that leaves every terminal. */
export const removeGroup = command({
  role: 'manager',
  input: z.strictObject({ id: IdSchema }),
  async run(env, input, staff) {
    const existing = await env.db.customerGroups.findOne(input.id).exec();
    if (!existing) refuse('NOT_FOUND');
    // Stamped first: the tombstone names the manager the server checks.
    const stamped = await existing.incrementalPatch({ updatedAt: env.now().toISOString(), updatedBy: staff.id });
    await stamped.incrementalRemove();
  },
});

const TagSchema = z.string().trim().min(1).max(40);

/** Customers written per storage call: one transaction each, so a large selection does not pay per row. */
const WRITE_CHUNK = 500;

/** The customer with `tag` added or removed; null when nothing changes, 'full' when it would carry too many tags. */
function retagged(current: Customer, tag: string, action: 'add' | 'remove', stamp: { updatedAt: string; updatedBy: string }): Customer | null | 'full' {
  const has = current.tags.includes(tag);
  if (current.mergedInto !== null || (action === 'add' ? has : !has)) return null;
  const tags = action === 'add' ? [...current.tags, tag] : current.tags.filter((t) => t !== tag);
  const next = CustomerSchema.safeParse({ ...current, tags, ...stamp });
  return next.success ? next.data : 'full';
}

/**
 * Adds a tag to, or removes it from, every customer named (a selection, or every match of a filter). Only
 * customers whose tags change are written, in storage batches. A customer who already carries the most tags
 * a customer may have is left out and counted.
 */
export const tagCustomers = command({
  role: 'manager',
  input: z.strictObject({ customerIds: z.array(IdSchema).min(1).max(BULK_MAX), tag: TagSchema, action: z.enum(['add', 'remove']) }),
  async run(env, input, staff) {
    const found = await env.db.customers.findByIds([...new Set(input.customerIds)]).exec();
    const stamp = { updatedAt: env.now().toISOString(), updatedBy: staff.id };
    const writes: Customer[] = [];
    let full = 0;
    for (const doc of found.values()) {
      const next = retagged(fromReplica<Customer>(doc), input.tag, input.action, stamp);
      if (next === 'full') full += 1;
      else if (next) writes.push(next);
    }
    for (let i = 0; i < writes.length; i += WRITE_CHUNK) {
      const result = await env.db.customers.bulkUpsert(writes.slice(i, i + WRITE_CHUNK).map((c) => forStorage(c)));
      if (result.error.length > 0) refuse('WRITE_FAILED');
    }
    return { changed: writes.length, skipped: full, missing: input.customerIds.length - found.size };
  },
});
