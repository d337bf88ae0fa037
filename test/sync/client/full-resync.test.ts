import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { editCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { fenceRestoredFeed, purgeTombstones } from '../../../src/sync/server/sync/horizons.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit, insertRow, nextPhone, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { eventually, openTestTerminal, startClient, switchableFetch, testStorage, type TestClient } from '../../helpers/terminal.ts';
import { earnEntryId } from '../../../src/sync/model/ids.ts';

/** What the simulated restore puts back: the merchant's replicated rows, held earns and its clock. */
const RESTORED_TABLES = ['customers', 'visits', 'loyalty_entries', 'held_entries', 'merchant_clock'];

/** A fetch whose pushes fail like a dead connection while `blocked` (the rest goes through). */
function pushGate(): { fetch: typeof fetch; blocked: boolean } {
  const gate: { fetch: typeof fetch; blocked: boolean } = {
    blocked: false,
    fetch: (input, init) => (gate.blocked && String(input).includes('/v1/push/') ? Promise.reject(new TypeError('fetch failed (push blocked by the test)')) : fetch(input, init)),
  };
  return gate;
}

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
      const edited = editCustomer(target, { company: 'edited at the till' }, ctx, 'IR');
      await (await till.db.customers.findOne(target.id).exec())!.incrementalPatch({ company: edited.company, updatedAt: edited.updatedAt });
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
    expect(onServer.get(editedHere.id)).toMatchObject({ company: 'edited at the till' });
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
  it('after a restore at the same address every till pushes its documents again — kept running, or restarted mid-way — and a fresh till pulls them', async () => {
    await till?.close();
    const collections = ['customers', 'visits', 'loyaltyEntries'] as const;
    const tills: TestClient[] = [];
    const start = async (options: { name: string; fetch?: typeof fetch; storage?: ReturnType<typeof testStorage>; credential?: TestClient['credential'] }) => {
      const code = options.credential ? undefined : (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code;
      const client = await startClient({ serverUrl: url, collections, fetch: options.fetch, storage: options.storage, name: options.name, ...(code ? { code } : { credential: options.credential! }) });
      tills.push(client);
      return client;
    };
    const ctx = (c: TestClient): WriteContext => ({ merchantId: seed.merchantId, storeId: seed.storeId, terminalId: c.credential.terminalId, staffId: seed.cashier.id, now: new Date().toISOString(), offline: false });
    const signUp = async (c: TestClient): Promise<Customer> => {
      const customer = aCustomer(ctx(c));
      const { _deleted, ...doc } = customer;
      await c.db.customers.insert(doc);
      return customer;
    };
    const sale = async (c: TestClient, customerId: string) => {
      const { visit, earn } = aVisit(ctx(c), customerId, 250_000, 250);
      await c.db.visits.insert(visit);
      await c.db.loyaltyEntries.insert(earn!);
      return visit;
    };
    const acknowledged = (c: TestClient) => eventually(() => c.status.get().pending === 0, 10_000, 'the till acknowledged');
    const onServer = async (table: string, id: string) => (await tdb.db.query<{ doc: Record<string, unknown> }>(`SELECT doc FROM ${table} WHERE id = $1`, [id])).rows[0]?.doc;
    const refusals = async () => (await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rejected_writes WHERE merchant_id = $1`, [seed.merchantId])).rows[0]!.n;
    const refusedBefore = await refusals();

    const network = switchableFetch();
    const kept = await start({ name: 'kept', fetch: network.fetch });
    const gate = pushGate();
    const storage = testStorage();
    let restarted = await start({ name: 'restarted', fetch: gate.fetch, storage });
    const a = await signUp(kept);
    await acknowledged(kept);
    const backup = await takeBackup();

    // After the backup, acknowledged by the server that is then lost: on the kept till B, an edit of A and a
    // sale (a visit and its earning); on the other till E and a sale.
    const b = await signUp(kept);
    const edited = editCustomer(a, { company: 'edited after the backup' }, ctx(kept), 'IR');
    await (await kept.db.customers.findOne(a.id).exec())!.incrementalPatch({ company: edited.company, updatedAt: edited.updatedAt });
    const c = await sale(kept, a.id);
    const e = await signUp(restarted);
    const f = await sale(restarted, e.id);
    await Promise.all([acknowledged(kept), acknowledged(restarted)]);
    // Each till holds the other's sale, which it must not push as its own (the server would refuse it as forged).
    await eventually(async () => (await restarted.db.visits.findOne(c.id).exec()) !== null && (await kept.db.visits.findOne(f.id).exec()) !== null, 10_000, 'both sales on both tills');
    await Promise.all([kept.replication.awaitInSync(), restarted.replication.awaitInSync()]);
    const credential = (await restarted.store.load())!;
    await restarted.close();

    // The server is restored, same address. The kept till is cut off until the other has pushed, so the other
    // one meets the kept till's sale missing on the server.
    // G, which only the kept till holds, is then edited while the server is down: its old replication pushes
    // that edit on top of a state the restored server does not hold.
    const g = await signUp(kept);
    await acknowledged(kept);
    network.offline = true;
    await (await kept.db.customers.findOne(g.id).exec())!.incrementalPatch({ company: 'edited while the server was down', updatedAt: new Date().toISOString() });
    await restoreBackup(backup);
    expect(await onServer('customers', b.id)).toBeUndefined();
    // Restarted with its pushes failing: the 410 begins the next epoch (stored locally); the till stops there.
    gate.blocked = true;
    restarted = await start({ name: 'restarted', fetch: gate.fetch, storage, credential });
    const epochs = (t: TestClient) => Promise.all(collections.map(async (name) => (await t.db.getLocal<{ n: number }>(`replication-epoch:patron:${url}:${t.credential.terminalId}:${name}`))?.get('n') ?? 0));
    await eventually(async () => (await epochs(restarted)).every((n) => n === 1), 10_000, 'the next epoch begun');
    const latest = (await restarted.store.load())!;
    await restarted.close();
    gate.blocked = false;
    restarted = await start({ name: 'restarted', fetch: gate.fetch, storage, credential: latest });
    await eventually(async () => (await onServer('loyalty_entries', earnEntryId(f.id))) !== undefined && (await onServer('customers', e.id)) !== undefined, 10_000, 'the restarted till to push again');

    network.offline = false;
    kept.replication.resync();
    await eventually(async () => (await epochs(kept)).every((n) => n === 1) && (await onServer('loyalty_entries', earnEntryId(c.id))) !== undefined, 10_000, 'the kept till to push again');
    await Promise.all([acknowledged(kept), acknowledged(restarted)]);
    expect(await onServer('customers', a.id)).toMatchObject({ company: 'edited after the backup' });
    expect(await onServer('customers', g.id)).toMatchObject({ company: 'edited while the server was down', _deleted: false });
    expect(await onServer('visits', c.id)).toMatchObject({ id: c.id, terminalId: kept.credential.terminalId });
    // Each epoch began once (a restart went on with it) and nothing was refused: no till offered the other's sale.
    expect([await epochs(restarted), await epochs(kept)]).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(await refusals()).toBe(refusedBefore);

    // A fresh till pulls it all: the same balances on the server and on every till.
    const fresh = await start({ name: 'fresh' });
    await eventually(async () => (await fresh.db.loyaltyEntries.findOne(earnEntryId(c.id)).exec()) !== null && (await fresh.db.customers.findOne(b.id).exec()) !== null, 10_000, 'a fresh till');
    const balance = async (t: TestClient, customerId: string) => (await t.db.loyaltyEntries.find({ selector: { customerId } }).exec()).reduce((sum, d) => sum + d.points, 0);
    const serverBalance = async (customerId: string) => (await tdb.db.query<{ n: number }>(`SELECT coalesce(sum((doc->>'points')::int), 0)::int AS n FROM loyalty_entries WHERE doc->>'customerId' = $1`, [customerId])).rows[0]!.n;
    for (const id of [a.id, e.id]) {
      expect(await serverBalance(id)).toBe(250);
      for (const t of [fresh, kept, restarted]) expect(await balance(t, id)).toBe(250);
    }
    await eventually(async () => (await fresh.db.customers.findOne(a.id).exec())?.company === 'edited after the backup', 10_000, 'the edit on the fresh till');
    for (const t of tills) await t.close();
  });

  it('after a restore, a till hands in again the staff sessions the server lost, so its writes are accepted again', async () => {
    const t = await openTestTerminal({ serverUrl: url, code: (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code, signInTestStaff: false });
    try {
      await eventually(async () => (await t.session.signIn(seed.cashier.id, '1234')).ok, 10_000, 'the cashier signed in');
      const backup = await takeBackup();
      const signedUp = await t.commands.signUp({ phone: nextPhone(), name: 'Signed up after the backup', email: '', birthday: '', anniversary: '', company: '', favorites: [], allergies: [], preferredTime: '', consentEmail: false, consentSms: false, tags: [], status: 'active' });
      if (!signedUp.ok) throw new Error(signedUp.error.code);
      expect(await t.sync.settled(10_000)).toBe(true);
      // The restore brings back neither the sign-up nor the cashier's session, recorded after the backup.
      await restoreBackup(backup);
      await tdb.db.query(`DELETE FROM staff_sessions WHERE terminal_id = $1`, [t.identity.terminalId]);
      t.sync.resync();
      await eventually(async () => (await tdb.db.query(`SELECT 1 FROM customers WHERE id = $1`, [signedUp.value.id])).rows.length === 1, 15_000, 'the sign-up pushed again');
      expect((await tdb.db.query(`SELECT 1 FROM staff_sessions WHERE terminal_id = $1`, [t.identity.terminalId])).rows).toHaveLength(1);
      expect((await tdb.db.query(`SELECT 1 FROM rejected_writes WHERE document_id = $1`, [signedUp.value.id])).rows).toEqual([]);
    } finally {
      await t.close();
    }
  });

  /** The merchant's documents and clock as a backup holds them (what a restore brings back). */
  async function takeBackup(): Promise<Map<string, unknown[]>> {
    const backup = new Map<string, unknown[]>();
    for (const table of RESTORED_TABLES) {
      const { rows } = await tdb.db.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM ${table} t WHERE merchant_id = $1`, [seed.merchantId]);
      backup.set(table, rows.map((r) => r.row));
    }
    return backup;
  }
  /** Puts the backup's rows back (row versions as they were: triggers off) and fences the feed as `patron-sync restore` does. */
  async function restoreBackup(backup: Map<string, unknown[]>): Promise<void> {
    await tdb.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      for (const [table, rows] of backup) {
        await tx.query(`DELETE FROM ${table} WHERE merchant_id = $1`, [seed.merchantId]);
        const { rows: stored } = await tx.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER'`, [table]);
        const columns = stored.map((c) => `"${c.name}"`).join(', ');
        await tx.query(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`, [JSON.stringify(rows)]);
      }
    });
    await fenceRestoredFeed(tdb.db);
  }
});
