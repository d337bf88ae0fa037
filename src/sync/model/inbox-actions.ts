import { v5 as uuidv5 } from 'uuid';
import type { RecordedConflict } from './common.ts';
import { CustomerSchema, type Customer } from './customer.ts';
import { editCustomer, ledgerEntry, type WriteContext } from './document-builders.ts';
import { PATRON_ID_NAMESPACE } from './ids.ts';
import { InboxItemSchema, type InboxItem, type InboxStatus } from './inbox.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';

// The inbox's actions as pure functions: each takes the documents as they are and returns the ordinary
// replicated write that resolves an item — a customer patch, a new ledger line, or the item's own status —
// already validated against the model's rules. The terminal's inbox command applies them to the replica;
// replication carries them to the server like any other write, where the role rules check them (docs/architecture.md#roles,
// §7). The server creates every item; a manager's device only changes its status (`statusPatch`).

/**
 * The code of a `duplicate` item about two customers the server did not merge: one's phone is the other's
 * second phone, which may be a phone a family shares (server sync/shared-phones.ts). `customerId` is the one a
 * merge keeps, `relatedId` the other.
 */
export const SHARED_PHONE = 'SHARED_PHONE';

/** Whether a `duplicate` item asks whether to merge (shared phone) rather than reports a merge the server made. */
export const isSharedPhone = (item: Pick<InboxItem, 'kind' | 'code'>): boolean => item.kind === 'duplicate' && item.code === SHARED_PHONE;

/** Why an action cannot be built. */
export type InboxActionCode = 'NOT_FOUND' | 'SAME_CUSTOMER' | 'ALREADY_MERGED' | 'MERGE_CYCLE' | 'NOT_OVERDRAWN' | 'NOT_RESTORABLE' | 'CONFLICT_GONE';

/** An action that cannot be built, with a code the UI translates. */
export class InboxActionError extends Error {
  override readonly name = 'InboxActionError';
  constructor(readonly code: InboxActionCode) {
    super(code);
  }
}

/** Who acts and when: the signed-in staff member and the device clock (business time). */
export interface Actor {
  staffId: string;
  now: string;
}

/** A patch of customer fields (what `incrementalPatch` receives), checked by parsing the whole result. */
export type CustomerPatch = Partial<Omit<Customer, 'id' | '_deleted'>>;

function checked(customer: Customer, patch: CustomerPatch): CustomerPatch {
  CustomerSchema.parse({ ...customer, ...patch });
  return patch;
}

/**
 * Undo a duplicate merge: the loser's `mergedInto` back to null, as a manager's edit. The server accepts it
 * from a manager and never merges the pair again (it only merges new sign-ups); the three-way merge lets an
 * undo win over a concurrent edit of the pointer (merge.ts `decideMergedInto`).
 */
export function undoMerge(loser: Customer, actor: Actor): CustomerPatch {
  if (loser.mergedInto === null) throw new InboxActionError('NOT_FOUND');
  return checked(loser, { mergedInto: null, updatedAt: actor.now, updatedBy: actor.staffId });
}

/**
 * Merge `loser` into `keep` by hand (the server's own merge, done by a manager): reads then follow
 * `mergedInto`. `rootOf` resolves merge chains; merging into a customer who is (or leads to) the loser would
 * make a cycle and is refused, as is merging a customer who is already merged.
 */
export function mergeInto(loser: Customer, keep: Customer, rootOf: (id: string) => string, actor: Actor): CustomerPatch {
  if (loser.id === keep.id) throw new InboxActionError('SAME_CUSTOMER');
  if (loser.mergedInto !== null) throw new InboxActionError('ALREADY_MERGED');
  if (rootOf(keep.id) === loser.id || keep.mergedInto === loser.id) throw new InboxActionError('MERGE_CYCLE');
  if (loser._deleted || keep._deleted) throw new InboxActionError('NOT_FOUND');
  return checked(loser, { mergedInto: rootOf(keep.id), updatedAt: actor.now, updatedBy: actor.staffId });
}

/** The id of the adjustment that settles an overdraft item: two managers settling it collide, not double up. */
export function adjustmentId(item: InboxItem): string {
  return uuidv5(`${item.id}:adjust`, PATRON_ID_NAMESPACE);
}

/**
 * The ledger line that brings an overdrawn balance back to 0: kind `adjust`, +|balance| points, on the
 * customer the item names, its note referencing the item. `balance` is the merge group's current balance
 * (the server computed the overdraft over the group too).
 */
export function settleOverdraft(item: InboxItem, balance: number, ctx: WriteContext): LoyaltyEntry {
  if (item.kind !== 'overdraft' || item.customerId === null) throw new InboxActionError('NOT_FOUND');
  if (!Number.isSafeInteger(balance) || balance >= 0) throw new InboxActionError('NOT_OVERDRAWN');
  return ledgerEntry({ id: adjustmentId(item), kind: 'adjust', points: -balance, customerId: item.customerId, note: `inbox:${item.id}` }, ctx);
}

const sameConflict = (a: RecordedConflict, b: RecordedConflict) => a.field === b.field && a.lost === b.lost && a.at === b.at;

/** Whether the customer still holds the recorded conflict. */
export function holdsConflict(customer: Customer, conflict: RecordedConflict): boolean {
  return customer.conflicts.some((c) => sameConflict(c, conflict));
}

/** The conflict an inbox item describes (its details carry field, lost, kept, at). */
export function conflictOf(item: InboxItem): RecordedConflict | null {
  const { field, lost, kept, at } = item.details;
  return field !== undefined && lost !== undefined && kept !== undefined && at !== undefined ? { field, lost, kept, at } : null;
}

/** Keep the value the merge kept: the recorded conflict is removed from the customer's list. */
export function keepValue(customer: Customer, conflict: RecordedConflict, actor: Actor): CustomerPatch {
  if (!holdsConflict(customer, conflict)) throw new InboxActionError('CONFLICT_GONE');
  return checked(customer, { conflicts: customer.conflicts.filter((c) => !sameConflict(c, conflict)), updatedAt: actor.now, updatedBy: actor.staffId });
}

/** Fields a lost value can be restored to (a customer's editable fields; keys derived from them follow). */
const RESTORABLE = new Set([
  'phone', 'phone2', 'name', 'email', 'birthday', 'anniversary', 'address', 'company', 'source', 'preferredChannel', 'timeline', 'preferences', 'tags', 'status', 'mergedInto',
]);

/**
 * Take the other value: the field set to the lost value (JSON.parse of the record; phone and name through the
 * model's edit so their lookup keys follow), the conflict removed. A value cut short when it was recorded is
 * no longer JSON and cannot be restored.
 */
export function takeOtherValue(customer: Customer, conflict: RecordedConflict, actor: Actor & { ctx: WriteContext; defaultRegion: string }): CustomerPatch {
  if (!holdsConflict(customer, conflict)) throw new InboxActionError('CONFLICT_GONE');
  if (!RESTORABLE.has(conflict.field)) throw new InboxActionError('NOT_RESTORABLE');
  let value: unknown;
  try {
    value = JSON.parse(conflict.lost);
  } catch {
    throw new InboxActionError('NOT_RESTORABLE');
  }
  const conflicts = customer.conflicts.filter((c) => !sameConflict(c, conflict));
  try {
    if (conflict.field === 'phone' || conflict.field === 'name' || conflict.field === 'phone2') {
      if (typeof value !== 'string' && !(conflict.field === 'phone2' && value === null)) throw new InboxActionError('NOT_RESTORABLE');
      const edited = editCustomer(customer, { [conflict.field]: value }, { ...actor.ctx, now: actor.now, staffId: actor.staffId }, actor.defaultRegion);
      const { phone, phoneKey, phoneReversed, phone2, phone2Key, phone2Reversed, name, nameKey } = edited;
      return checked(customer, { phone, phoneKey, phoneReversed, phone2, phone2Key, phone2Reversed, name, nameKey, conflicts, updatedAt: actor.now, updatedBy: actor.staffId });
    }
    return checked(customer, { [conflict.field]: value, conflicts, updatedAt: actor.now, updatedBy: actor.staffId } as CustomerPatch);
  } catch (error) {
    if (error instanceof InboxActionError) throw error;
    throw new InboxActionError('NOT_RESTORABLE');
  }
}

/** A patch of an item's resolution fields (what `incrementalPatch` receives). */
export type InboxPatch = Pick<InboxItem, 'status' | 'resolvedAt' | 'resolvedBy' | 'updatedAt'>;

/**
 * The write that sets an item's status as the signed-in manager: `resolved` (a decision was made),
 * `dismissed` (read; nothing to decide) or back to `open` (an undo). Null when there is nothing to write: the
 * item is already settled (the first decision stands) or already open — the only moves the server accepts
 * from a manager are open → settled and back (inbox.ts `inboxResolutionProblem`).
 */
export function statusPatch(item: InboxItem, status: InboxStatus, actor: Actor): InboxPatch | null {
  if ((item.status === 'open') === (status === 'open')) return null;
  const patch: InboxPatch = { status, resolvedAt: status === 'open' ? null : actor.now, resolvedBy: actor.staffId, updatedAt: actor.now };
  InboxItemSchema.parse({ ...item, ...patch });
  return patch;
}

/** What the page knows when deciding how an item stands. */
export interface ResolutionFacts {
  /** Customers by id (those the item names), as the replica has them now. */
  customers: ReadonlyMap<string, Customer>;
  /** The merge group's balance of an overdraft's customer, when known. */
  balance?: number;
}

/** How an item stands: its status, or what the data it is about says. */
export type Resolution = 'open' | 'resolved' | 'dismissed' | 'separated';

/** Whether the two customers of an item are merged now, either into the other (by hand, here or elsewhere). */
function mergedPair(item: InboxItem, facts: ResolutionFacts): boolean {
  const [a, b] = [facts.customers.get(item.customerId ?? ''), facts.customers.get(item.relatedId ?? '')];
  return (b !== undefined && b.mergedInto === item.customerId) || (a !== undefined && a.mergedInto === item.relatedId);
}

/**
 * How an item stands, on every device alike (the status replicates like the data):
 * - shared phone: a status a manager set, else resolved once the two are merged (done elsewhere), else open;
 * - duplicate: the merged customer no longer points at the survivor → separated (undone, whatever the status,
 *   so "merge again" stays on offer);
 * - a status a manager set (here or on another device) → that status;
 * - otherwise from the data, for items settled by a write made elsewhere (a cashier's adjustment, a customer
 *   edited on another terminal): overdraft with the group's balance back to ≥ 0, or conflict no longer held
 *   by the customer → resolved;
 * - else open.
 */
export function resolution(item: InboxItem, facts: ResolutionFacts): Resolution {
  if (isSharedPhone(item)) return item.status !== 'open' ? item.status : mergedPair(item, facts) ? 'resolved' : 'open';
  if (item.kind === 'duplicate') {
    const merged = facts.customers.get(item.details.merged ?? item.relatedId ?? '');
    if (merged && merged.mergedInto !== (item.details.mergedInto ?? item.customerId)) return 'separated';
  }
  if (item.status !== 'open') return item.status;
  switch (item.kind) {
    case 'overdraft':
      return facts.balance !== undefined && facts.balance >= 0 ? 'resolved' : 'open';
    case 'conflict': {
      const customer = facts.customers.get(item.customerId ?? '');
      const conflict = conflictOf(item);
      return customer && conflict && !holdsConflict(customer, conflict) ? 'resolved' : 'open';
    }
    default:
      return 'open';
  }
}

/** Whether reopening the item would show it as open again: it is settled by its status alone. */
export function reopenable(item: InboxItem, facts: ResolutionFacts): boolean {
  return item.status !== 'open' && resolution({ ...item, status: 'open' }, facts) === 'open';
}
