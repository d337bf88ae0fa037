import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createRng } from '../../chaos/prng.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, startClient, testStorage, type TestClient } from '../../helpers/terminal.ts';

function withoutDeleted(doc: Record<string, unknown>): Record<string, unknown> {
  const { _deleted, ...rest } = doc;
  return rest;
}

// docs/reliability.md#f6, #f7, #f8 with the real client (src/sync/client) against the real server over HTTP (Postgres).
const DAY = 86_400_000;

describe('terminals through long outages, an app update and a poke during a push', () => {
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
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => {});
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  async function client(options: { fetch?: typeof fetch; storage?: ReturnType<typeof testStorage>; name?: string; credential?: TestClient['credential'] } = {}): Promise<TestClient> {
    const code = options.credential ? undefined : (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code;
    const started = await startClient({ serverUrl: url, collections: ['customers'], ...(code ? { code } : {}), ...options });
    clients.push(started);
    return started;
  }
  const ctx = (c: TestClient, at = Date.now(), staffId = seed.cashier.id): WriteContext => ({ merchantId: seed.merchantId, storeId: seed.storeId, terminalId: c.credential.terminalId, staffId, now: new Date(at).toISOString(), offline: false });
  async function signUp(c: TestClient, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { _deleted, ...doc } = newCustomer({ phone: nextPhone(), name: `مشتری ${i}` }, ctx(c), 'IR');
      await c.db.customers.insert(doc);
      ids.push(doc.id);
    }
    return ids;
  }
  async function serverDocs(): Promise<Map<string, Record<string, unknown>>> {
    const { rows } = await tdb.db.query<{ id: string; doc: Record<string, unknown> }>(`SELECT id, doc FROM customers WHERE merchant_id = $1`, [seed.merchantId]);
    return new Map(rows.map((r) => [r.id, r.doc]));
  }
  it('F7: after a 426 the queue waits; after the app update it is accepted with every field as written', async () => {
    let outdated = true;
    const oldApp: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (outdated && /\/v1\/(push|pull|stream)/.test(String(input))) headers.set('x-patron-protocol', '0');
      return fetch(input, { ...init, headers });
    };
    const storage = testStorage();
    const first = await client({ fetch: oldApp, storage, name: 'f7' });
    const ids = await signUp(first, 12);
    const edited = await first.db.customers.findOne(ids[0]!).exec();
    await edited!.incrementalPatch({ email: 'updated@example.com', company: 'written before the update', tags: ['vip'], updatedAt: new Date().toISOString() });
    await eventually(() => first.status.get().connection === 'update-needed', 10_000, 'update-needed');
    expect((await serverDocs()).size).toBe(0);
    const local = new Map((await first.db.customers.find().exec()).map((d) => [d.id, d.toJSON() as Record<string, unknown>]));
    const credential = first.credential;
    await first.close();
    clients.splice(clients.indexOf(first), 1);

    // The app update: the same replica and credential, the current protocol.
    outdated = false;
    const updated = await client({ fetch: oldApp, storage, name: 'f7', credential });
    await eventually(async () => updated.status.get().pending === 0 && (await serverDocs()).size === 12, 15_000, 'the queue accepted');
    const server = await serverDocs();
    for (const [id, doc] of local) expect(server.get(id)).toEqual({ ...doc, _deleted: false });
  });

  it('F8: a poke while a push is in flight — a fresh replica pulled from zero equals the long-lived one', async () => {
    let hold: Promise<void> | null = null;
    let release: () => void = () => {};
    const held = { count: 0 };
    const slowAnswers: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      if (hold && String(input).includes('/v1/push/customers')) {
        held.count += 1;
        await hold;
      }
      return answer;
    };
    const a = await client({ fetch: slowAnswers });
    const b = await client();
    const ids = await signUp(a, 5);
    await eventually(async () => (await b.db.customers.findByIds(ids).exec()).size === 5, 10_000, 'B has the customers');
    // A's next push is committed on the server but its answer is held; meanwhile B edits the same customers
    // and the server pokes A, which pulls while its push is still in flight.
    hold = new Promise<void>((resolve) => (release = resolve));
    for (const id of ids) await (await a.db.customers.findOne(id).exec())!.incrementalPatch({ company: 'from A', updatedAt: new Date().toISOString() });
    await eventually(() => held.count > 0, 10_000, 'A push in flight');
    for (const id of ids) await (await b.db.customers.findOne(id).exec())!.incrementalPatch({ email: `${id.slice(-6)}@b.example`, updatedAt: new Date(Date.now() + 5).toISOString() });
    await eventually(async () => (await serverDocs()).get(ids[0]!)?.email !== null, 10_000, 'B edit on the server');
    a.replication.resync();
    await new Promise((resolve) => setTimeout(resolve, 300));
    hold = null;
    release();
    await a.replication.awaitInSync();
    await b.replication.awaitInSync();
    a.replication.resync();
    await a.replication.awaitInSync();

    const fresh = await client();
    await fresh.replication.awaitInSync();
    await eventually(async () => {
      const [longLived, pulled] = await Promise.all([a.db.customers.find().exec(), fresh.db.customers.find().exec()]);
      const byId = new Map(pulled.map((d) => [d.id, d.toJSON()]));
      return longLived.length === pulled.length && longLived.every((d) => isDeepStrictEqual(d.toJSON(), byId.get(d.id)));
    }, 15_000, 'the long-lived replica to equal a fresh one');
    const server = await serverDocs();
    for (const id of ids) expect(server.get(id)).toMatchObject({ company: expect.stringContaining('from A'), email: `${id.slice(-6)}@b.example` });
  });

  it('F6: a terminal offline for 30 simulated days with hundreds of edits, while others edit and delete the same customers', async () => {
    const seedNumber = Number(process.env.PATRON_TEST_SEED ?? 20261207);
    console.log(`F6 seed ${seedNumber} (PATRON_TEST_SEED to repeat)`);
    const rng = createRng(seedNumber);
    let offline = false;
    const cable: typeof fetch = (input, init) => (offline ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const away = await client({ fetch: cable });
    const other = await client();
    const ids = await signUp(other, 30);
    await eventually(async () => (await away.db.customers.findByIds(ids).exec()).size === ids.length, 15_000, 'the away till has them');
    await away.replication.awaitInSync();

    offline = true;
    const start = Date.now() - 31 * DAY;
    const deleted = new Set(ids.slice(0, 5));
    let edits = 0;
    for (let day = 0; day < 30; day++) {
      for (let i = 0; i < 10; i++) {
        const id = rng.pick(ids);
        const at = new Date(start + day * DAY + i * 60_000).toISOString();
        await (await away.db.customers.findOne(id).exec())!.incrementalPatch({ company: `day ${day} visit ${i}`, updatedAt: at });
        edits += 1;
      }
    }
    // Meanwhile, online: the other till changes another field of some and a manager erases five.
    for (const id of ids.slice(5, 15)) await (await other.db.customers.findOne(id).exec())!.incrementalPatch({ email: `${id.slice(-6)}@other.example`, updatedAt: new Date().toISOString() });
    for (const id of deleted) {
      const doc = (await other.db.customers.findOne(id).exec())!;
      await doc.incrementalPatch({ updatedBy: seed.manager.id, updatedAt: new Date().toISOString() });
      await (await other.db.customers.findOne(id).exec())!.remove();
    }
    await other.replication.awaitInSync();
    expect(edits).toBe(300);

    offline = false;
    away.replication.resync();
    await eventually(() => away.status.get().pending === 0, 60_000, 'the queue pushed');
    await away.replication.awaitInSync();
    await other.replication.awaitInSync();
    away.replication.resync();
    other.replication.resync();
    await away.replication.awaitInSync();
    await other.replication.awaitInSync();

    const server = await serverDocs();
    // Deletes made elsewhere do not come back; the other till's edits and the away till's notes both stand.
    for (const id of deleted) expect(server.get(id)?._deleted, id).toBe(true);
    for (const id of ids.slice(5, 15)) expect(server.get(id)?.email).toBe(`${id.slice(-6)}@other.example`);
    const live = [...server.values()].filter((d) => d._deleted !== true);
    for (const replica of [away, other]) {
      await eventually(async () => {
        const docs = await replica.db.customers.find().exec();
        return docs.length === live.length && docs.every((d) => isDeepStrictEqual(withoutDeleted(d.toJSON() as Record<string, unknown>), withoutDeleted(server.get(d.id) ?? {})));
      }, 15_000, 'every replica equal to the server');
    }
  });
});
