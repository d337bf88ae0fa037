import { randomBytes } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustmentId, conflictOf, InboxActionError, keepValue, mergeInto, reopenable, resolution, settleOverdraft, SHARED_PHONE, statusPatch, takeOtherValue, undoMerge,
} from '../../../src/sync/model/inbox-actions.ts';
import { setItemStatus } from '../../../src/sync/client/commands/inbox.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { PATRON_ID_NAMESPACE, newId } from '../../../src/sync/model/ids.ts';
import type { InboxItem } from '../../../src/sync/model/inbox.ts';
import { LoyaltyEntrySchema } from '../../../src/sync/model/loyalty-entry.ts';
import { mergeCustomer } from '../../../src/sync/model/merge.ts';
import { adjustmentProblem } from '../../../src/sync/model/ledger-rules.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { checkWrite } from '../../../src/sync/server/sync/rules.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

// The inbox's action builders: each produces an ordinary write that the model's schemas, the local RxDB schema
// and the server's role rules accept from a manager (and the server refuses from a cashier where it should).

const merchantId = newId();
const ctx: WriteContext = { merchantId, storeId: newId(), terminalId: newId(), staffId: newId(), now: '2025-06-01T10:00:00.000Z', offline: false };
const actor = { staffId: newId(), now: '2025-06-02T09:00:00.000Z' };
const staffOf = (role: Staff['role'], id = actor.staffId): Staff => ({ id, merchantId, updatedAt: ctx.now, _deleted: false, name: 'M', role, pinHash: '$argon2id$x', active: true, storeIds: [], updatedBy: null, publicKey: null, sealedKey: null });
const allowed = (collection: 'customers' | 'loyaltyEntries' | 'inbox', doc: object, master: object | undefined, role: Staff['role'] = 'manager') =>
  checkWrite({ collection, merchantId, terminalId: ctx.terminalId, storeId: ctx.storeId, doc: doc as Record<string, unknown>, master: master as Record<string, unknown> | undefined, staff: staffOf(role), program: DEFAULT_PROGRAM });

const winner = newCustomer({ phone: '09121112233', name: 'سارا احمدی' }, ctx, 'IR');
const loser: Customer = { ...newCustomer({ phone: '09121112233', name: 'سارا احمدی' }, { ...ctx, now: '2025-06-01T11:00:00.000Z' }, 'IR'), mergedInto: winner.id };
const item = (kind: InboxItem['kind'], fields: Partial<InboxItem> = {}): InboxItem => ({
  id: newId(), merchantId, updatedAt: ctx.now, _deleted: false, kind, status: 'open', customerId: null, relatedId: null, targetCollection: null,
  code: 'X', details: {}, createdAt: ctx.now, resolvedAt: null, resolvedBy: null, ...fields,
});
const duplicate = item('duplicate', { customerId: winner.id, relatedId: loser.id, targetCollection: 'customers', code: 'CUSTOMER_ALREADY_EXISTS', details: { mergedInto: winner.id, merged: loser.id } });
const none = { customers: new Map<string, Customer>() };

describe('duplicates', () => {
  it('undo merge is a manager edit setting mergedInto back to null, which the server accepts from a manager only', () => {
    const patch = undoMerge(loser, actor);
    expect(patch).toEqual({ mergedInto: null, updatedAt: actor.now, updatedBy: actor.staffId });
    const next = { ...loser, ...patch };
    expect(allowed('customers', next, loser)).toBeNull();
    expect(allowed('customers', next, loser, 'cashier')).toMatchObject({ code: 'FORBIDDEN' });
    expect(() => undoMerge(winner, actor)).toThrow(InboxActionError);
  });

  it('an undo wins over a concurrent edit of the same customer on another terminal (three-way merge)', () => {
    const renamed = { ...loser, name: 'سارا احمدی‌نژاد', nameKey: 'x', updatedAt: '2025-06-02T10:00:00.000Z' };
    const merged = mergeCustomer(loser, renamed, { ...loser, ...undoMerge(loser, actor) });
    expect(merged.mergedInto).toBeNull();
    expect(merged.name).toBe('سارا احمدی‌نژاد');
  });

  it('merges a pair by hand, refusing self, already-merged and cyclic merges', () => {
    const a = { ...winner };
    const b = { ...loser, mergedInto: null };
    const rootOf = (id: string) => id;
    expect(mergeInto(b, a, rootOf, actor)).toEqual({ mergedInto: a.id, updatedAt: actor.now, updatedBy: actor.staffId });
    expect(allowed('customers', { ...b, ...mergeInto(b, a, rootOf, actor) }, b)).toBeNull();
    const code = (f: () => unknown) => {
      try {
        f();
        return null;
      } catch (error) {
        return (error as InboxActionError).code;
      }
    };
    expect(code(() => mergeInto(a, a, rootOf, actor))).toBe('SAME_CUSTOMER');
    expect(code(() => mergeInto(loser, a, rootOf, actor))).toBe('ALREADY_MERGED');
    expect(code(() => mergeInto(b, { ...a, mergedInto: b.id }, (id) => (id === a.id ? b.id : id), actor))).toBe('MERGE_CYCLE');
    // Merging into a merged customer points at its root, never into a chain.
    const root = newId();
    expect(mergeInto(b, { ...a, mergedInto: root }, () => root, actor).mergedInto).toBe(root);
  });

  it('derives the state: open, kept merged (resolved, reopenable), or undone (separated, whatever the status)', () => {
    const merged = { customers: new Map([[loser.id, loser]]) };
    const separated = { customers: new Map([[loser.id, { ...loser, mergedInto: null }]]) };
    const kept = { ...duplicate, ...statusPatch(duplicate, 'resolved', actor) };
    expect(resolution(duplicate, merged)).toBe('open');
    expect(resolution(kept, merged)).toBe('resolved');
    expect(reopenable(kept, merged)).toBe(true);
    expect(resolution(duplicate, separated)).toBe('separated');
    // An undo also marks the item resolved; "merge again" must stay on offer, and reopening would change nothing.
    expect(resolution(kept, separated)).toBe('separated');
    expect(reopenable(kept, separated)).toBe(false);
    expect(resolution({ ...duplicate, status: 'resolved' }, none)).toBe('resolved');
  });
});

describe('customers sharing a phone (not merged by the server)', () => {
  const parent: Customer = { ...winner, phone2: '+989121112299' };
  const child: Customer = { ...loser, phone: '+989121112299', mergedInto: null };
  const shared = item('duplicate', { customerId: parent.id, relatedId: child.id, targetCollection: 'customers', code: SHARED_PHONE, details: {} });
  const apart = { customers: new Map<string, Customer>([[parent.id, parent], [child.id, child]]) };

  it('is open while the two stand apart, never "separated"; resolved once merged either way or settled by a manager', () => {
    expect(resolution(shared, apart)).toBe('open');
    expect(resolution(shared, none)).toBe('open');
    expect(resolution(shared, { customers: new Map<string, Customer>([[parent.id, parent], [child.id, { ...child, mergedInto: parent.id }]]) })).toBe('resolved');
    expect(resolution(shared, { customers: new Map<string, Customer>([[parent.id, { ...parent, mergedInto: child.id }], [child.id, child]]) })).toBe('resolved');
    const keptBoth = { ...shared, ...statusPatch(shared, 'dismissed', actor) };
    expect(resolution(keptBoth, apart)).toBe('dismissed');
    expect(reopenable(keptBoth, apart)).toBe(true);
  });
});

describe('overdrafts', () => {
  const overdraft = item('overdraft', { customerId: loser.id, relatedId: newId(), targetCollection: 'loyaltyEntries', code: 'INSUFFICIENT_POINTS', details: { balance: '-30', points: '-120', offline: 'true' } });

  it('settles with an adjust line bringing the balance to 0, its id derived from the item and its note naming it', () => {
    const entry = settleOverdraft(overdraft, -30, { ...ctx, staffId: actor.staffId });
    expect(entry).toMatchObject({ kind: 'adjust', points: 30, customerId: loser.id, note: `inbox:${overdraft.id}` });
    expect(entry.id).toBe(uuidv5(`${overdraft.id}:adjust`, PATRON_ID_NAMESPACE));
    expect(adjustmentId(overdraft)).toBe(entry.id);
    expect(LoyaltyEntrySchema.safeParse(entry).success).toBe(true);
    expect(allowed('loyaltyEntries', entry, undefined)).toBeNull();
    // Above the cashier limit (100 by default) only a manager may adjust.
    // (the ledger's own rules, which the server's push applies after the role rules: ledger-checks.ts)
    expect(adjustmentProblem(settleOverdraft(overdraft, -500, ctx), 'cashier', DEFAULT_PROGRAM)).toMatch(/cashier limit/);
    expect(() => settleOverdraft(overdraft, 0, ctx)).toThrow(InboxActionError);
  });

  it('is resolved once the group balance is back to zero or more, or once a manager marked it resolved', () => {
    expect(resolution(overdraft, { ...none, balance: -30 })).toBe('open');
    expect(resolution(overdraft, { ...none, balance: 0 })).toBe('resolved');
    expect(resolution(overdraft, none)).toBe('open');
    const settled = { ...overdraft, ...statusPatch(overdraft, 'resolved', actor) };
    expect(resolution(settled, { ...none, balance: 0 })).toBe('resolved');
    // Settled by the data too: reopening it would not bring it back, so it is not offered.
    expect(reopenable(settled, { ...none, balance: 0 })).toBe(false);
    expect(reopenable(settled, { ...none, balance: -30 })).toBe(true);
  });
});

describe('recorded conflicts', () => {
  const conflictRecord = { field: 'email', lost: JSON.stringify('old@example.com'), kept: JSON.stringify('new@example.com'), at: '2025-06-01T12:00:00.000Z' };
  const customer: Customer = { ...winner, email: 'new@example.com', conflicts: [conflictRecord] };
  const conflict = item('conflict', { customerId: customer.id, relatedId: customer.id, targetCollection: 'customers', code: 'CONFLICT', details: { ...conflictRecord } });

  it('keep removes the entry; take the other value sets the field and removes it', () => {
    expect(conflictOf(conflict)).toEqual(conflictRecord);
    expect(keepValue(customer, conflictRecord, actor)).toEqual({ conflicts: [], updatedAt: actor.now, updatedBy: actor.staffId });
    expect(takeOtherValue(customer, conflictRecord, { ...actor, ctx, defaultRegion: 'IR' })).toMatchObject({ email: 'old@example.com', conflicts: [] });
    expect(allowed('customers', { ...customer, ...takeOtherValue(customer, conflictRecord, { ...actor, ctx, defaultRegion: 'IR' }) }, customer, 'cashier')).toBeNull();
  });

  it('restores a phone with its lookup keys, and refuses values cut short or no longer valid', () => {
    const phoneConflict = { field: 'phone', lost: JSON.stringify('+989351234567'), kept: JSON.stringify(customer.phone), at: conflictRecord.at };
    const patch = takeOtherValue({ ...customer, conflicts: [phoneConflict] }, phoneConflict, { ...actor, ctx, defaultRegion: 'IR' });
    expect(patch).toMatchObject({ phone: '+989351234567', phoneKey: '09351234567', phoneReversed: '765432153989' }); // E.164 digits reversed
    const cut = { ...conflictRecord, lost: '"old@exa…' };
    expect(() => takeOtherValue({ ...customer, conflicts: [cut] }, cut, { ...actor, ctx, defaultRegion: 'IR' })).toThrow(expect.objectContaining({ code: 'NOT_RESTORABLE' }));
    const invalid = { ...conflictRecord, lost: JSON.stringify('not an email') };
    expect(() => takeOtherValue({ ...customer, conflicts: [invalid] }, invalid, { ...actor, ctx, defaultRegion: 'IR' })).toThrow(expect.objectContaining({ code: 'NOT_RESTORABLE' }));
    expect(() => keepValue({ ...customer, conflicts: [] }, conflictRecord, actor)).toThrow(expect.objectContaining({ code: 'CONFLICT_GONE' }));
  });

  it('is resolved once the customer no longer holds the conflict', () => {
    expect(resolution(conflict, { ...none, customers: new Map([[customer.id, customer]]) })).toBe('open');
    expect(resolution(conflict, { ...none, customers: new Map([[customer.id, { ...customer, conflicts: [] }]]) })).toBe('resolved');
  });
});

describe("an item's status: keep merged, mark as read, reopen", () => {
  const rejected = item('rejected_write', { code: 'FORBIDDEN', details: { reason: 'cashiers do not merge customers' } });

  it('resolves or dismisses an open item as the manager, changing nothing but the resolution', () => {
    expect(statusPatch(duplicate, 'resolved', actor)).toEqual({ status: 'resolved', resolvedAt: actor.now, resolvedBy: actor.staffId, updatedAt: actor.now });
    const read = { ...rejected, ...statusPatch(rejected, 'dismissed', actor) };
    expect(read).toEqual({ ...rejected, status: 'dismissed', resolvedAt: actor.now, resolvedBy: actor.staffId, updatedAt: actor.now });
    expect(resolution(rejected, none)).toBe('open');
    expect(resolution(read, none)).toBe('dismissed');
  });

  it('reopens a settled item (the undo), naming who reopened it', () => {
    const read = { ...rejected, ...statusPatch(rejected, 'dismissed', actor) };
    expect(reopenable(read, none)).toBe(true);
    const other = { staffId: newId(), now: '2025-06-03T08:00:00.000Z' };
    expect(statusPatch(read, 'open', other)).toEqual({ status: 'open', resolvedAt: null, resolvedBy: other.staffId, updatedAt: other.now });
  });

  it('writes nothing when the item already stands so: the first decision stands', () => {
    const kept = { ...duplicate, ...statusPatch(duplicate, 'resolved', actor) };
    expect(statusPatch(kept, 'resolved', actor)).toBeNull();
    expect(statusPatch(kept, 'dismissed', actor)).toBeNull();
    expect(statusPatch(duplicate, 'open', actor)).toBeNull();
  });

  it('is a write the server accepts from a manager only', () => {
    for (const [before, status] of [[duplicate, 'resolved'], [rejected, 'dismissed']] as const) {
      const next = { ...before, ...statusPatch(before, status, actor) };
      expect(allowed('inbox', next, before)).toBeNull();
      expect(allowed('inbox', next, before, 'owner')).toBeNull();
      expect(allowed('inbox', next, before, 'cashier')).toMatchObject({ code: 'FORBIDDEN' });
      const reopened = { ...next, ...statusPatch(next, 'open', actor) };
      expect(allowed('inbox', reopened, next)).toBeNull();
    }
  });

  it('refuses an actor the schema would refuse, before anything is written', () => {
    expect(() => statusPatch(duplicate, 'resolved', { staffId: 'not-a-uuid', now: actor.now })).toThrow();
    expect(() => statusPatch(duplicate, 'resolved', { staffId: actor.staffId, now: 'yesterday' })).toThrow();
  });
});

describe('the writes on a real replica (RxDB schema validation)', () => {
  let db: PatronDatabase;
  beforeAll(async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `i${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers', 'loyaltyEntries', 'inbox'] });
  });
  afterAll(async () => {
    await db?.remove();
  });

  it('applies an undo as an incremental patch and inserts a settling line once', async () => {
    const { _deleted, ...doc } = loser;
    const stored = await db.customers.insert(doc);
    await stored.incrementalPatch(undoMerge(loser, actor));
    expect((await db.customers.findOne(loser.id).exec())?.mergedInto).toBeNull();
    const overdraft = item('overdraft', { customerId: loser.id });
    const { _deleted: _d, ...entry } = settleOverdraft(overdraft, -45, ctx);
    await db.loyaltyEntries.insert(entry);
    // A second settle of the same item collides on the derived id instead of adjusting twice.
    await expect(db.loyaltyEntries.insert({ ...entry })).rejects.toThrow();
    expect(await db.loyaltyEntries.count().exec()).toBe(1);
  });

  it("sets an item's status on the replica; another manager's resolution already there stands", async () => {
    const { _deleted, ...open } = item('rejected_write', { code: 'FORBIDDEN' });
    await db.inbox.insert(open);
    await setItemStatus(db, open.id, 'dismissed', actor);
    expect((await db.inbox.findOne(open.id).exec())?.toJSON()).toMatchObject({ status: 'dismissed', resolvedBy: actor.staffId, resolvedAt: actor.now });
    await setItemStatus(db, open.id, 'open', actor);
    expect((await db.inbox.findOne(open.id).exec())?.toJSON()).toMatchObject({ status: 'open', resolvedAt: null });

    // Another manager's resolution was pulled after this page rendered the item as open: it is not overwritten.
    const other = { staffId: newId(), now: '2025-06-02T09:30:00.000Z' };
    await (await db.inbox.findOne(open.id).exec())!.incrementalPatch(statusPatch({ ...open, status: 'open', _deleted: false }, 'resolved', other)!);
    await setItemStatus(db, open.id, 'dismissed', actor);
    expect((await db.inbox.findOne(open.id).exec())?.toJSON()).toMatchObject({ status: 'resolved', resolvedBy: other.staffId });
    await expect(setItemStatus(db, newId(), 'resolved', actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
