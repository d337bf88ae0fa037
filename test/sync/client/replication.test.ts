import { isDeepStrictEqual } from 'node:util';
import { createRevision } from 'rxdb';
import { now } from 'rxdb/plugins/utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer, newCustomer, noteEntry, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode, revokeTerminal } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, startClient, type TestClient } from '../../helpers/terminal.ts';

const COLLECTIONS = ['customers', 'rewards', 'inbox'] as const;

describe('terminal replication against the real server (Postgres, HTTP)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
  });
  // RxDB's open-source build allows 13 open collections per process: close every test's terminals.
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => {});
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  async function client(fetchImpl?: typeof fetch): Promise<TestClient> {
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const started = await startClient({ serverUrl: url, code, collections: COLLECTIONS, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
    clients.push(started);
    return started;
  }
  function ctx(c: TestClient, staffId = seed.cashier.id): WriteContext {
    return { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: c.credential.terminalId, staffId, now: new Date().toISOString(), offline: false };
  }
  async function serverDoc(table: string, id: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await tdb.db.query<{ doc: Record<string, unknown> }>(`SELECT doc FROM ${table} WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }

  it('a sign-up on one terminal reaches the server and another terminal through a poke', async () => {
    const a = await client();
    const b = await client();
    const customer = newCustomer({ phone: nextPhone(), name: 'زهرا کریمی' }, ctx(a), 'IR');
    const { _deleted, ...local } = customer;
    await a.db.customers.insert(local);
    await eventually(async () => (await b.db.customers.findOne(customer.id).exec()) !== null, 10_000, 'customer on B');
    expect(await serverDoc('customers', customer.id)).toEqual(customer);
    await eventually(() => a.status.get().pending === 0, 5_000, 'no pending writes');
    expect(a.status.get().connection).toBe('online');
    // Progress is counted once documents are written locally, and every collection reports ready.
    await eventually(() => b.status.get().initialSyncDone, 5_000, 'initial sync done');
    expect([...b.status.get().ready].sort()).toEqual([...COLLECTIONS].sort());
    await eventually(() => b.status.get().received >= 1, 5_000, 'received counted');
  });

  it('merges concurrent edits of the same customer field by field, on every replica and the server', async () => {
    const a = await client();
    const b = await client();
    const base = newCustomer({ phone: nextPhone(), name: 'Maryam Ahmadi' }, ctx(a), 'IR');
    const { _deleted, ...local } = base;
    await a.db.customers.insert(local);
    await eventually(async () => (await b.db.customers.findOne(base.id).exec()) !== null, 10_000, 'customer on B');
    await a.replication.awaitInSync();
    await b.replication.awaitInSync();

    // Both terminals edit offline: A the email, B the birthday, both add a timeline note.
    await Promise.all([a.replication.states.customers!.pause(), b.replication.states.customers!.pause()]);
    const onA = editCustomer(base, { email: 'maryam@example.com' }, ctx(a), 'IR');
    const onB = editCustomer(base, { birthday: '1990-04-01' }, { ...ctx(b), now: new Date(Date.now() + 5).toISOString() }, 'IR');
    await (await a.db.customers.findOne(base.id).exec())!.incrementalPatch({ email: onA.email, timeline: [noteEntry('likes latte', ctx(a))], updatedAt: onA.updatedAt });
    await (await b.db.customers.findOne(base.id).exec())!.incrementalPatch({ birthday: onB.birthday, timeline: [noteEntry('allergic to nuts', ctx(b))], updatedAt: onB.updatedAt });
    await a.replication.states.customers!.start();
    await a.replication.awaitInSync();
    await b.replication.states.customers!.start();
    await b.replication.awaitInSync();
    a.replication.resync();
    await a.replication.awaitInSync();

    const server = await serverDoc('customers', base.id);
    expect(server).toMatchObject({ email: 'maryam@example.com', birthday: '1990-04-01' });
    expect((server?.timeline as { text: string }[]).map((note) => note.text).sort()).toEqual(['allergic to nuts', 'likes latte']);
    await eventually(async () => {
      const [da, db] = await Promise.all([a.db.customers.findOne(base.id).exec(), b.db.customers.findOne(base.id).exec()]);
      // Structural equality: jsonb stores object keys in its own order (the timeline's entries too).
      return isDeepStrictEqual(da?.toJSON(), server && stripDeleted(server)) && isDeepStrictEqual(db?.toJSON(), server && stripDeleted(server));
    }, 10_000, 'both replicas equal the server');
  });

  it('counts a local write as pending until a push of a state read after it is answered', async () => {
    let held = false;
    const gates: (() => void)[] = [];
    const gated: typeof fetch = async (input, init) => {
      if (held && String(input).includes('/v1/push')) await new Promise<void>((resolve) => gates.push(resolve));
      return fetch(input, init);
    };
    const a = await client(gated);
    await a.replication.awaitInSync();
    held = true;
    const customer = newCustomer({ phone: nextPhone(), name: 'Reza Tehrani' }, ctx(a), 'IR');
    const { _deleted, ...local } = customer;
    await a.db.customers.insert(local);
    await eventually(() => gates.length === 1, 5_000, 'first push held');
    // Edited while the push of the sign-up is on the wire: its answer must not clear the edit.
    await (await a.db.customers.findOne(customer.id).exec())!.incrementalPatch({ company: 'edited in flight' });
    gates[0]!();
    await eventually(() => gates.length === 2, 5_000, 'second push held');
    expect(a.status.get().pending).toBe(1);
    gates[1]!();
    await eventually(() => a.status.get().pending === 0, 5_000, 'no pending writes');
    expect(await serverDoc('customers', customer.id)).toMatchObject({ company: 'edited in flight' });
  });

  it('clears a local write once answered even when a replication write changed the document before the push', async () => {
    const a = await client();
    await a.replication.awaitInSync();
    await a.replication.states.customers!.pause();
    const customer = newCustomer({ phone: nextPhone(), name: 'Sara Mohammadi' }, ctx(a), 'IR');
    const { _deleted, ...local } = customer;
    await a.db.customers.insert(local);
    expect(a.status.get().pending).toBe(1);
    // What RxDB does when it resolves a conflict: a write to the replica under a replication context.
    const instance = a.db.customers.storageInstance;
    const [previous] = await instance.findDocumentsById([customer.id], true);
    const document = { ...previous!, company: 'resolved', _rev: createRevision(a.db.token, previous), _meta: { ...previous!._meta, lwt: now() } };
    const written = await instance.bulkWrite([{ previous, document }], 'replication-up-write-conflict');
    expect(written.error).toEqual([]);
    await a.replication.states.customers!.start();
    await eventually(async () => (await serverDoc('customers', customer.id))?.company === 'resolved', 10_000, 'resolved state pushed');
    await eventually(() => a.status.get().pending === 0, 5_000, 'no pending writes');
  });

  it('a row the server refuses for good is taken back, not pushed forever', async () => {
    const a = await client();
    let pushes = 0;
    a.replication.states.rewards!.sent$.subscribe(() => (pushes += 1));
    const now = new Date().toISOString();
    const reward = {
      id: newId(), merchantId: seed.merchantId, updatedAt: now, name: 'Free espresso', description: '', type: 'amountOff' as const, pointsCost: 200, value: 45_000,
      itemName: '', percent: 0, cap: null, stock: null, minTier: null, validFrom: null, validUntil: null, active: true, updatedBy: seed.cashier.id,
    };
    await a.db.rewards.insert(reward);
    await eventually(async () => (await a.db.rewards.findOne(reward.id).exec()) === null, 10_000, 'refused reward removed locally');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(pushes).toBeLessThanOrEqual(1);
    expect(await serverDoc('rewards', reward.id)).toBeUndefined();
    await eventually(async () => (await a.db.inbox.find().exec()).some((i) => i.relatedId === reward.id), 10_000, 'inbox item');
  });

  it('an outdated client stops with "update needed" and keeps its queue', async () => {
    const outdated: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (headers.has('x-patron-protocol') && String(input).includes('/v1/push')) headers.set('x-patron-protocol', '0');
      return fetch(input, { ...init, headers });
    };
    const a = await client(outdated);
    const customer = newCustomer({ phone: nextPhone(), name: 'Old App User' }, ctx(a), 'IR');
    const { _deleted, ...local } = customer;
    await a.db.customers.insert(local);
    await eventually(() => a.status.get().connection === 'update-needed', 10_000, 'update-needed');
    expect(a.status.get().pending).toBeGreaterThan(0);
    expect(await serverDoc('customers', customer.id)).toBeUndefined();
    expect(await a.db.customers.findOne(customer.id).exec()).not.toBeNull();
  });

  it('a revoked terminal stops and says so', async () => {
    const a = await client();
    await a.replication.awaitInSync();
    await revokeTerminal(tdb.db, a.credential.terminalId, 'test');
    a.replication.resync();
    await eventually(() => a.status.get().connection === 'revoked', 10_000, 'revoked');
  });
});

function stripDeleted(doc: Record<string, unknown>): Record<string, unknown> {
  const { _deleted, ...rest } = doc;
  return rest;
}
