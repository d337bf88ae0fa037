import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { editCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { fenceRestoredFeed, purgeTombstones } from '../../../src/sync/server/sync/horizons.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { eventually, startClient, switchableFetch, type TestClient } from '../../helpers/terminal.ts';

// docs/reliability.md#i5, the client side (docs/protocol.md §3): a terminal whose checkpoint is below the feed's
// horizon (tombstones purged while it was offline) answers 410 CHECKPOINT_TOO_OLD with a full resync — its
// queue pushed first, the collection pulled from zero, the documents the server no longer has deleted
// locally unless a local write of them is pending — then it replicates live again. Real server over HTTP.
describe('a full resync after 410 CHECKPOINT_TOO_OLD (real server over HTTP, Postgres)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  let office: TestTerminal;
  let till: TestClient | undefined;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    office = await enrolTerminal(app, tdb.db, seed, 'Office');
  });
  afterAll(async () => {
    await till?.close().catch(() => {});
    await app?.close();
    await tdb?.drop();
  });

  async function serverDocs(): Promise<Map<string, Record<string, unknown>>> {
    const { rows } = await tdb.db.query<{ id: string; doc: Record<string, unknown> }>(`SELECT id, doc FROM customers WHERE merchant_id = $1`, [seed.merchantId]);
    return new Map(rows.map((r) => [r.id, r.doc]));
  }
  const erase = (c: Customer) => office.push('customers', [updateRow({ ...c, _deleted: true, updatedAt: new Date().toISOString() }, c)]);

  it('pushes the queue, pulls from zero, deletes what the server purged, keeps pending writes and goes on live', async () => {
    const manager = office.ctx(seed.manager);
    const [kept, editedThere, erased, editedHere, erasedThere] = Array.from({ length: 5 }, () => aCustomer(manager)) as [Customer, Customer, Customer, Customer, Customer];
    await office.push('customers', [kept, editedThere, erased, editedHere, erasedThere].map(insertRow));

    const network = switchableFetch();
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    till = await startClient({ serverUrl: url, code, collections: ['customers'], fetch: network.fetch });
    await eventually(async () => (await till!.db.customers.count().exec()) === 5, 10_000, 'the till to hold every customer');
    await till.replication.awaitInSync();

    // Offline, the till signs a customer up and edits two customers — one of which the office erases.
    network.offline = true;
    const ctx: WriteContext = { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: till.credential.terminalId, staffId: seed.cashier.id, now: new Date().toISOString(), offline: true };
    const signedUp = aCustomer(ctx);
    const { _deleted, ...local } = signedUp;
    await till.db.customers.insert(local);
    for (const target of [editedHere, erasedThere]) {
      const edited = editCustomer(target, { notes: 'edited at the till' }, ctx, 'IR');
      await (await till.db.customers.findOne(target.id).exec())!.incrementalPatch({ notes: edited.notes, updatedAt: edited.updatedAt });
    }
    // Meanwhile the office edits one, erases two, and the tombstones are purged: the till's checkpoint is
    // now below the horizon.
    await office.push('customers', [updateRow({ ...editedThere, name: 'Renamed in the office', updatedAt: new Date().toISOString() }, editedThere)]);
    await erase(erased);
    await erase(erasedThere);
    expect((await purgeTombstones(tdb.db, 0)).customers).toBe(2);
    const stale = await office.request('GET', '/v1/pull/customers?checkpoint=1');
    expect(stale.statusCode).toBe(410);

    network.offline = false;
    till.replication.resync();
    const server = async () => [...(await serverDocs()).values()].filter((doc) => doc._deleted !== true);
    await eventually(async () => (await server()).length === 4 && (await till!.db.customers.count().exec()) === 4, 15_000, 'the resync');
    // Nothing unacknowledged was lost: the sign-up and the edit are on the server, and the erased customers are
    // gone locally. The edit of a customer erased meanwhile meets the delete, which wins whole as it would had
    // the tombstone not been purged (docs/architecture.md#deletes): the server answers a tombstone conflict
    // instead of bringing the customer back.
    const onServer = await serverDocs();
    expect(onServer.get(signedUp.id)).toMatchObject({ id: signedUp.id, _deleted: false });
    expect(onServer.get(editedHere.id)).toMatchObject({ notes: 'edited at the till' });
    expect(onServer.has(erasedThere.id)).toBe(false);
    expect(await till.db.customers.findOne(erased.id).exec()).toBeNull();
    expect(await till.db.customers.findOne(erasedThere.id).exec()).toBeNull();
    await eventually(async () => (await till!.db.customers.findOne(editedThere.id).exec())?.name === 'Renamed in the office', 10_000, 'the office edit');
    await eventually(() => till!.status.get().pending === 0, 10_000, 'the queue acknowledged');
    const replica = (await till.db.customers.find().exec()).map((doc) => doc.toJSON());
    expect(new Map(replica.map((doc) => [doc.id, doc]))).toEqual(new Map((await server()).map(({ _deleted: _d, ...doc }) => [doc.id, doc])));

    // Live again: a later sign-up in the office reaches the till through the poke stream.
    const later = aCustomer(manager);
    await office.push('customers', [insertRow(later)]);
    await eventually(async () => (await till!.db.customers.findOne(later.id).exec()) !== null, 10_000, 'a later sign-up on the till');
  });
  it('after a restore keeps what the restored server lacks: written after its backup, not deleted', async () => {
    await till?.close();
    const manager = office.ctx(seed.manager);
    const [older, newer] = [aCustomer(manager), aCustomer(manager)];
    await office.push('customers', [older, newer].map(insertRow));
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    till = await startClient({ serverUrl: url, code, collections: ['customers'], fetch: switchableFetch().fetch });
    await eventually(async () => (await till!.db.customers.findOne(newer.id).exec()) !== null, 10_000, 'the till to hold both');
    await till.replication.awaitInSync();

    // The backup was taken before `newer` was written: the restored database lacks it, and its feed is fenced.
    await tdb.db.query(`DELETE FROM customers WHERE id = $1`, [newer.id]);
    await fenceRestoredFeed(tdb.db);
    till.replication.resync();
    await eventually(async () => till!.status.get().lastError === null && (await till!.replication.awaitInSync().then(() => true)), 15_000, 'the resync');
    const later = aCustomer(manager);
    await office.push('customers', [insertRow(later)]);
    await eventually(async () => (await till!.db.customers.findOne(later.id).exec()) !== null, 10_000, 'live again');
    expect(await till.db.customers.findOne(newer.id).exec()).not.toBeNull();
    expect(await till.db.customers.findOne(older.id).exec()).not.toBeNull();
  });
});
