import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import {
  conflictOf, InboxActionError, keepValue, mergeInto, settleOverdraft, statusPatch, takeOtherValue, undoMerge,
  type Actor, type CustomerPatch,
} from '../../model/inbox-actions.ts';
import type { InboxItem, InboxStatus } from '../../model/inbox.ts';
import type { Staff } from '../../model/staff.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica, fromStored, forStorage } from '../documents.ts';
import { command, refuse } from './command.ts';
import { writeContext, type CommandEnv } from './env.ts';

// The manager's inbox: each action is the ordinary replicated write that settles an item (a customer patch, a
// ledger line) followed by the item's status as the signed-in manager — model/inbox-actions.ts builds them.
// When the settling write fails, the status is not written and the item stays open.

/** What a manager can do with an inbox item. */
export const INBOX_ACTIONS = ['keepMerged', 'acknowledge', 'reopen', 'undoMerge', 'mergeAgain', 'settle', 'keepValue', 'takeOther'] as const;
/** An inbox action. */
export type InboxAction = (typeof INBOX_ACTIONS)[number];

const actorOf = (env: CommandEnv, staff: Staff): Actor => ({ staffId: staff.id, now: env.now().toISOString() });

/** Runs a model action, turning its refusal into the command's. */
function attempt<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InboxActionError) refuse(error.code);
    throw error;
  }
}

async function patchCustomer(env: CommandEnv, id: string, build: (customer: Customer) => CustomerPatch): Promise<void> {
  const doc = await env.db.customers.findOne(id).exec();
  if (!doc) refuse('NOT_FOUND');
  await doc.incrementalModify((stored) => ({ ...stored, ...attempt(() => build(fromStored<Customer>(stored as unknown as Record<string, unknown>))) }));
}

/**
 * Sets an item's status, built from the replica's newest state rather than the rendered one: a resolution
 * another manager made meanwhile stands, and nothing is written on top of it (the server would refuse it).
 */
export async function setItemStatus(db: Pick<PatronDatabase, 'inbox'>, id: string, status: InboxStatus, actor: Actor): Promise<void> {
  const doc = await db.inbox.findOne(id).exec();
  if (!doc) refuse('NOT_FOUND');
  await doc.incrementalModify((stored) => {
    const patch = statusPatch(fromStored<InboxItem>(stored as unknown as Record<string, unknown>), status, actor);
    return patch ? { ...stored, ...patch } : stored;
  });
}

const loserOf = (item: InboxItem) => item.details.merged ?? item.relatedId ?? '';
const survivorOf = (item: InboxItem) => item.details.mergedInto ?? item.customerId ?? '';

async function customer(env: CommandEnv, id: string): Promise<Customer> {
  const doc = await env.db.customers.findOne(id).exec();
  if (!doc) refuse('NOT_FOUND');
  return fromReplica<Customer>(doc);
}

/** The settling write of an action (none for a status change alone). */
async function settlingWrite(env: CommandEnv, item: InboxItem, action: InboxAction, staff: Staff): Promise<void> {
  const actor = actorOf(env, staff);
  switch (action) {
    case 'undoMerge':
      return patchCustomer(env, loserOf(item), (loser) => undoMerge(loser, actor));
    case 'mergeAgain': {
      const keep = await customer(env, survivorOf(item));
      return patchCustomer(env, loserOf(item), (loser) => mergeInto(loser, keep, (id) => env.merges.rootOf(id), actor));
    }
    case 'settle': {
      if (!item.customerId) refuse('NOT_FOUND');
      const { balance } = await env.ledger.groupStanding(env.merges.groupOf(env.merges.rootOf(item.customerId)), env.now());
      const entry = attempt(() => settleOverdraft(item, balance, writeContext(env, staff)));
      // Its id derives from the item: an adjustment already made (here or replicated) is not made again.
      const { error } = await env.db.loyaltyEntries.bulkInsert([forStorage(entry)]);
      if (error.some((e) => e.status !== 409)) throw new Error('the settling adjustment was not written');
      return;
    }
    case 'keepValue':
    case 'takeOther': {
      const conflict = conflictOf(item);
      if (!conflict || !item.customerId) refuse('NOT_FOUND');
      const defaultRegion = env.settings().defaultRegion;
      return patchCustomer(env, item.customerId, (current) =>
        action === 'keepValue' ? keepValue(current, conflict, actor) : takeOtherValue(current, conflict, { ...actor, ctx: writeContext(env, staff), defaultRegion }),
      );
    }
    default:
      return;
  }
}

const STATUS_OF: Record<InboxAction, InboxStatus> = {
  keepMerged: 'resolved',
  acknowledge: 'dismissed',
  reopen: 'open',
  undoMerge: 'resolved',
  mergeAgain: 'resolved',
  settle: 'resolved',
  keepValue: 'resolved',
  takeOther: 'resolved',
};

/** Settles (or reopens) an inbox item: its settling write, then its status as the signed-in manager. */
export const resolveInboxItem = command({
  role: 'manager',
  input: z.strictObject({ itemId: IdSchema, action: z.enum(INBOX_ACTIONS) }),
  async run(env, input, staff) {
    const doc = await env.db.inbox.findOne(input.itemId).exec();
    if (!doc) refuse('NOT_FOUND');
    await settlingWrite(env, fromReplica<InboxItem>(doc), input.action, staff);
    await setItemStatus(env.db, input.itemId, STATUS_OF[input.action], actorOf(env, staff));
  },
});

/** Merges one customer into another by hand (the server's own merge, done by a manager). */
export const mergeCustomers = command({
  role: 'manager',
  input: z.strictObject({ keepId: IdSchema, mergedId: IdSchema }),
  async run(env, input, staff) {
    const keep = await customer(env, input.keepId);
    await patchCustomer(env, input.mergedId, (loser) => mergeInto(loser, keep, (id) => env.merges.rootOf(id), actorOf(env, staff)));
  },
});
