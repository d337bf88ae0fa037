import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InboxItemSchema, inboxResolutionProblem, mergeInboxItem, type InboxItem } from '../../../src/sync/model/inbox.ts';

// The rule a manager's push of an inbox item must follow (the server enforces it, the renderer builds its writes
// to it) and the conflict rule that turns two managers' concurrent changes into one such resolution.

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const T0 = Date.parse('2025-03-01T09:00:00.000Z');
const min = (n: number): string => new Date(T0 + n * 60_000).toISOString();
const ALICE = uuid(21);
const BOB = uuid(22);

const open: InboxItem = InboxItemSchema.parse({
  id: uuid(1), merchantId: uuid(2), updatedAt: min(0), _deleted: false, kind: 'duplicate', status: 'open', customerId: uuid(3),
  relatedId: uuid(4), targetCollection: 'customers', code: 'CUSTOMER_ALREADY_EXISTS', details: { mergedInto: uuid(3), merged: uuid(4) },
  createdAt: min(0), resolvedAt: null, resolvedBy: null,
});
const settle = (item: InboxItem, status: 'resolved' | 'dismissed', by: string, at: number): InboxItem => ({ ...item, status, resolvedAt: min(at), resolvedBy: by, updatedAt: min(at) });
const reopen = (item: InboxItem, by: string, at: number): InboxItem => ({ ...item, status: 'open', resolvedAt: null, resolvedBy: by, updatedAt: min(at) });

describe('inboxResolutionProblem', () => {
  it('accepts open → resolved, open → dismissed and a reopen', () => {
    expect(inboxResolutionProblem(open, settle(open, 'resolved', ALICE, 1))).toBeNull();
    expect(inboxResolutionProblem(open, settle(open, 'dismissed', ALICE, 1))).toBeNull();
    const resolved = settle(open, 'resolved', ALICE, 1);
    expect(inboxResolutionProblem(resolved, reopen(resolved, BOB, 2))).toBeNull();
  });

  it.each([
    ['kind', { kind: 'overdraft' }],
    ['customerId', { customerId: uuid(9) }],
    ['relatedId', { relatedId: null }],
    ['targetCollection', { targetCollection: 'visits' }],
    ['code', { code: 'FORBIDDEN' }],
    ['details (a changed value)', { details: { mergedInto: uuid(9), merged: uuid(4) } }],
    ['details (an added key)', { details: { ...open.details, note: 'x' } }],
    ['details (a removed key)', { details: { merged: uuid(4) } }],
    ['createdAt', { createdAt: min(5) }],
    ['merchantId', { merchantId: uuid(8) }],
  ] as const)('refuses a change of the finding: %s', (_name, change) => {
    expect(inboxResolutionProblem(open, { ...settle(open, 'resolved', ALICE, 1), ...change })).toMatch(/only a resolution/);
  });

  it('refuses a delete, a status that does not move between open and settled, and a missing resolver', () => {
    expect(inboxResolutionProblem(open, { ...settle(open, 'resolved', ALICE, 1), _deleted: true })).toMatch(/delete/);
    const resolved = settle(open, 'resolved', ALICE, 1);
    expect(inboxResolutionProblem(resolved, settle(open, 'dismissed', BOB, 2))).toMatch(/status must move/);
    expect(inboxResolutionProblem(resolved, settle(open, 'resolved', BOB, 2))).toMatch(/status must move/);
    expect(inboxResolutionProblem(open, { ...open, updatedAt: min(3) })).toMatch(/status must move/);
    expect(inboxResolutionProblem(open, { ...settle(open, 'resolved', ALICE, 1), resolvedAt: null })).toMatch(/resolvedAt/);
    expect(inboxResolutionProblem(resolved, { ...reopen(resolved, BOB, 2), resolvedAt: min(2) })).toMatch(/resolvedAt/);
    expect(inboxResolutionProblem(open, { ...settle(open, 'resolved', ALICE, 1), resolvedBy: null })).toMatch(/resolvedBy/);
  });
});

describe('mergeInboxItem', () => {
  it('two managers settling one item at once: the first to reach the server stands', () => {
    const byAlice = settle(open, 'resolved', ALICE, 1);
    expect(mergeInboxItem(byAlice, settle(open, 'dismissed', BOB, 2))).toEqual(byAlice);
    expect(mergeInboxItem(byAlice, settle(open, 'resolved', BOB, 0))).toEqual(byAlice);
  });

  it('a reopen against a settlement: the later business time wins, a tie goes to the settlement', () => {
    const resolved = settle(open, 'resolved', ALICE, 1);
    const reopened = reopen(resolved, BOB, 3);
    const settledAgain = settle(open, 'dismissed', ALICE, 2);
    expect(mergeInboxItem(settledAgain, reopened)).toEqual(reopened);
    expect(mergeInboxItem(reopened, settledAgain)).toEqual(reopened);
    expect(mergeInboxItem(settle(open, 'resolved', ALICE, 4), reopened)).toEqual(settle(open, 'resolved', ALICE, 4));
    const tie = settle(open, 'resolved', ALICE, 3);
    expect(mergeInboxItem(reopened, tie)).toEqual(tie);
    expect(mergeInboxItem(tie, reopened)).toEqual(tie);
  });

  it('the server changed the finding (or removed the item) while a manager settled it: the server wins', () => {
    const changed = { ...open, details: { ...open.details, merged: uuid(7) }, updatedAt: min(1) };
    expect(mergeInboxItem(changed, settle(open, 'resolved', BOB, 5))).toEqual(changed);
    const removed = { ...open, _deleted: true, updatedAt: min(1) };
    expect(mergeInboxItem(removed, settle(open, 'resolved', BOB, 5))).toEqual(removed);
  });

  it('always yields the master or a resolution the server accepts on top of it, whichever side is which', () => {
    const state = fc.record({
      status: fc.constantFrom('open', 'resolved', 'dismissed'),
      by: fc.constantFrom(ALICE, BOB),
      at: fc.integer({ min: 0, max: 5 }),
    });
    const item = ({ status, by, at }: { status: string; by: string; at: number }): InboxItem =>
      status === 'open' ? reopen(open, by, at) : settle(open, status as 'resolved' | 'dismissed', by, at);
    fc.assert(
      fc.property(state, state, (a, b) => {
        const [master, local] = [item(a), item(b)];
        const merged = mergeInboxItem(master, local);
        expect(InboxItemSchema.safeParse(merged).success).toBe(true);
        if (merged !== master) expect(inboxResolutionProblem(master, merged)).toBeNull();
        // Which of open / settled survives does not depend on which side is the master.
        expect(mergeInboxItem(local, master).status === 'open').toBe(merged.status === 'open');
      }),
    );
  });
});
