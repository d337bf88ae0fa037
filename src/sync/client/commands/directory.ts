import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import { CustomerFilterSchema } from '../../model/customer-filter.ts';
import { CustomerGroupSchema, type CustomerGroup } from '../../model/customer-group.ts';
import { CustomerSchema, type Customer } from '../../model/customer.ts';
import { newId } from '../../model/ids.ts';
import { fromReplica, fromStored, forStorage } from '../documents.ts';
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

/** Customers modified at once: RxDB's write queue stores a batch of queued modifications in one storage write. */
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
 * Adds a tag to, or removes it from, every customer named (a selection, or every match of a filter). Each
 * customer is modified on its newest stored state (a change replicated in meanwhile is kept), only when its
 * tags change; a customer who already carries the most tags a customer may have is left out and counted.
 */
export const tagCustomers = command({
  role: 'manager',
  input: z.strictObject({ customerIds: z.array(IdSchema).min(1).max(BULK_MAX), tag: TagSchema, action: z.enum(['add', 'remove']) }),
  async run(env, input, staff) {
    const found = [...(await env.db.customers.findByIds([...new Set(input.customerIds)]).exec()).values()];
    const stamp = { updatedAt: env.now().toISOString(), updatedBy: staff.id };
    // A modifier may run again on a newer state (a replicated write in between): the last run's outcome counts.
    const outcome = new Map<string, 'changed' | 'full' | 'same'>();
    for (let i = 0; i < found.length; i += WRITE_CHUNK) {
      await Promise.all(
        found.slice(i, i + WRITE_CHUNK).map((doc) =>
          doc.incrementalModify((stored) => {
            const next = retagged(fromStored<Customer>(stored as unknown as Record<string, unknown>), input.tag, input.action, stamp);
            outcome.set(doc.primary, next === null ? 'same' : next === 'full' ? 'full' : 'changed');
            return next === null || next === 'full' ? stored : { ...stored, ...forStorage(next) };
          }),
        ),
      );
    }
    const count = (kind: 'changed' | 'full') => [...outcome.values()].filter((o) => o === kind).length;
    return { changed: count('changed'), skipped: count('full'), missing: input.customerIds.length - found.length };
  },
});
