import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/sync/model/ids.ts';
import type { InboxItem } from '../../../src/sync/model/inbox.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { addStaff, lockMerchant } from '../../../src/sync/server/repositories/admin.ts';
import { writeServerDocs } from '../../../src/sync/server/sync/server-writes.ts';
import type { Doc } from '../../../src/sync/server/sync/tables.ts';
import { DATABASE_KINDS } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, startServerFixture, type ServerFixture, type TestTerminal } from '../../helpers/sync-server.ts';

// Managers push their resolution of an inbox item (docs/protocol.md §5): only status, resolvedAt, resolvedBy and
// updatedAt change, resolvedBy is an active manager or owner of the merchant, and the server still creates every
// item. Everything else goes the normal refusal path: quarantine, the stored state as the conflict, `rejected`.

describe.each(DATABASE_KINDS)('inbox resolutions pushed by managers on %s', (kind) => {
  let fixture: ServerFixture;
  let till: TestTerminal;
  let office: TestTerminal;
  let owner: Staff;
  let retired: Staff;
  let otherManager: Staff;

  beforeAll(async () => {
    fixture = await startServerFixture(kind);
    till = fixture.till;
    office = await enrolTerminal(fixture.app, fixture.tdb.db, fixture.seed, 'Office');
    const { db } = fixture.tdb;
    const { merchantId } = fixture.seed;
    owner = await addStaff(db, merchantId, { name: 'Nasrin', role: 'owner', pin: '246824' }, 'test');
    for (const terminal of [till, office]) await terminal.signIn(owner, '246824');
    const manager = await addStaff(db, merchantId, { name: 'Kamran', role: 'manager', pin: '135713' }, 'test');
    retired = { ...manager, active: false, updatedAt: new Date().toISOString() };
    await db.transaction(async (tx) => {
      await lockMerchant(tx, merchantId);
      await writeServerDocs(tx, 'staff', merchantId, [retired as unknown as Doc], { onlyNew: false });
    });
    otherManager = (await seedMerchant(db, 'Another café')).manager;
  }, 60_000);
  afterAll(async () => {
    await fixture?.close();
  });

  const manager = () => fixture.seed.manager;
  const cashier = () => fixture.seed.cashier;

  /** A fresh duplicate finding: the same phone signed up twice, merged by the server. */
  async function duplicateItem(): Promise<InboxItem> {
    const ctx = till.ctx(cashier(), true);
    const first = aCustomer(ctx);
    const second = aCustomer(ctx, { phone: first.phone });
    await till.push('customers', [insertRow(first), insertRow(second)]);
    const item = (await till.pullAll('inbox')).find((i) => i.kind === 'duplicate' && i.relatedId === second.id);
    if (!item) throw new Error('the server raised no duplicate item');
    return item as InboxItem;
  }
  function resolution(item: InboxItem, status: 'resolved' | 'dismissed' | 'open', by: string | null): InboxItem {
    const now = new Date().toISOString();
    return { ...item, status, resolvedAt: status === 'open' ? null : now, resolvedBy: by, updatedAt: now };
  }
  async function stored(id: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await fixture.tdb.db.query<{ doc: Record<string, unknown> }>(`SELECT doc FROM inbox WHERE merchant_id = $1 AND id = $2`, [fixture.seed.merchantId, id]);
    return rows[0]?.doc;
  }
  async function quarantined(id: string): Promise<{ code: string; reason: string; collection: string }[]> {
    const { rows } = await fixture.tdb.db.query<{ code: string; reason: string; collection: string }>(
      `SELECT code, reason, collection FROM rejected_writes WHERE merchant_id = $1 AND document_id = $2 ORDER BY id`,
      [fixture.seed.merchantId, id],
    );
    return rows;
  }
  /** Pushes one refused row: the answer is the stored state (or a tombstone of the push), nothing is written. */
  async function expectRefused(row: { newDocumentState: object; assumedMasterState?: object }, reason: RegExp): Promise<void> {
    const pushed = row.newDocumentState as InboxItem;
    const id = pushed.id;
    const before = await stored(id);
    const refusals = (await quarantined(id)).length;
    const answer = await till.push('inbox', [row]);
    expect(answer.rejected).toEqual([{ id, code: 'FORBIDDEN' }]);
    expect(answer.conflicts).toEqual([before ?? { ...pushed, _deleted: true }]);
    expect(await stored(id)).toEqual(before);
    const quarantine = await quarantined(id);
    expect(quarantine).toHaveLength(refusals + 1);
    expect(quarantine.at(-1)).toMatchObject({ code: 'FORBIDDEN', collection: 'inbox', reason: expect.stringMatching(reason) });
  }

  it("a manager's resolution is accepted, stored as pushed, and reaches another terminal through the pull feed", async () => {
    const item = await duplicateItem();
    const checkpoint = (await office.pull('inbox', undefined, 1000)).checkpoint?.v;
    const kept = resolution(item, 'resolved', manager().id);
    expect(await till.push('inbox', [updateRow(kept, item)])).toEqual({ conflicts: [], rejected: [] });
    expect(await stored(item.id)).toEqual(kept);
    const page = await office.pull('inbox', checkpoint, 1000);
    expect(page.documents).toEqual([kept]);
    expect(await quarantined(item.id)).toEqual([]);
  });

  it('an owner dismisses, a manager reopens (the undo), and a replay of either writes nothing new', async () => {
    const item = await duplicateItem();
    const read = resolution(item, 'dismissed', owner.id);
    expect(await till.push('inbox', [updateRow(read, item)])).toEqual({ conflicts: [], rejected: [] });
    const reopened = resolution(read, 'open', manager().id);
    expect(await office.push('inbox', [updateRow(reopened, read)])).toEqual({ conflicts: [], rejected: [] });
    const { rows } = await fixture.tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM inbox WHERE id = $1`, [item.id]);
    expect(await office.push('inbox', [updateRow(reopened, read)])).toEqual({ conflicts: [], rejected: [] });
    const again = await fixture.tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM inbox WHERE id = $1`, [item.id]);
    expect(again.rows[0]?.v).toBe(rows[0]?.v);
    expect(await stored(item.id)).toEqual(reopened);
  });

  it('two managers settling one item at once: the later push is a conflict with the stored state, not a refusal', async () => {
    const item = await duplicateItem();
    const byManager = resolution(item, 'resolved', manager().id);
    await till.push('inbox', [updateRow(byManager, item)]);
    const byOwner = resolution(item, 'dismissed', owner.id);
    expect(await office.push('inbox', [updateRow(byOwner, item)])).toEqual({ conflicts: [byManager], rejected: [] });
    expect(await stored(item.id)).toEqual(byManager);
  });

  it("a cashier's resolution is refused, and raises a rejected-write item of its own", async () => {
    const item = await duplicateItem();
    await expectRefused(updateRow(resolution(item, 'resolved', cashier().id), item), /resolved by managers/);
    expect(await till.pullAll('inbox')).toContainEqual(expect.objectContaining({ kind: 'rejected_write', relatedId: item.id, targetCollection: 'inbox', code: 'FORBIDDEN' }));
  });

  it.each([
    ['details', (item: InboxItem) => ({ details: { ...item.details, merged: newId() } })],
    ['kind', () => ({ kind: 'conflict' as const })],
    ['customerId', () => ({ customerId: newId() })],
    ['code', () => ({ code: 'CONFLICT' })],
    ['createdAt', () => ({ createdAt: new Date(0).toISOString() })],
  ])('a resolution that also changes %s is refused', async (field, change) => {
    const item = await duplicateItem();
    await expectRefused(updateRow({ ...resolution(item, 'resolved', manager().id), ...change(item) }, item), new RegExp(`${field} changed`));
  });

  it('a status that does not move between open and settled is refused (settled → settled, open → open)', async () => {
    const item = await duplicateItem();
    const kept = resolution(item, 'resolved', manager().id);
    await till.push('inbox', [updateRow(kept, item)]);
    await expectRefused(updateRow(resolution(kept, 'dismissed', owner.id), kept), /status must move/);
    const other = await duplicateItem();
    await expectRefused(updateRow({ ...other, resolvedBy: manager().id, updatedAt: new Date().toISOString() }, other), /status must move/);
    await expectRefused(updateRow({ ...resolution(other, 'resolved', manager().id), resolvedAt: null }, other), /resolvedAt/);
  });

  it('terminals never create an inbox item, not even a manager', async () => {
    const item = await duplicateItem();
    const planted = { ...resolution(item, 'open', manager().id), id: newId(), details: { note: 'planted' } };
    await expectRefused(insertRow(planted), /created by the server/);
    expect(await stored(planted.id)).toBeUndefined();
    expect((await office.pullAll('inbox')).some((i) => i.id === planted.id)).toBe(false);
  });

  it('terminals never delete an inbox item, not even a manager', async () => {
    const item = await duplicateItem();
    await expectRefused(updateRow({ ...resolution(item, 'resolved', manager().id), _deleted: true }, item), /delete/);
  });

  it.each([
    ['nobody (null)', () => null, /unknown staff member/],
    ['an unknown id', () => newId(), /unknown staff member/],
    ["another merchant's manager", () => otherManager.id, /unknown staff member/],
    ['a deactivated manager', () => retired.id, /not active/],
    ['a cashier', () => fixture.seed.cashier.id, /resolved by managers/],
  ])('resolvedBy must be the acting manager — refused when it names %s', async (_who, by, reason) => {
    const item = await duplicateItem();
    await expectRefused(updateRow(resolution(item, 'resolved', by()), item), reason);
  });

  it("a refused row does not hold back the batch's valid resolution", async () => {
    const [a, b] = [await duplicateItem(), await duplicateItem()];
    const good = resolution(a, 'resolved', manager().id);
    const bad = resolution(b, 'resolved', cashier().id);
    const answer = await till.push('inbox', [updateRow(bad, b), updateRow(good, a)]);
    expect(answer).toEqual({ conflicts: [b], rejected: [{ id: b.id, code: 'FORBIDDEN' }] });
    expect(await stored(a.id)).toEqual(good);
    expect(await stored(b.id)).toEqual(b);
  });

});
