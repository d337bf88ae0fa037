import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setItemStatus } from '../../../src/sync/client/commands/inbox.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import type { InboxItem } from '../../../src/sync/model/inbox.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, startClient, type TestClient } from '../../helpers/terminal.ts';

// A manager's resolution of an inbox item is an ordinary replicated write: made on terminal A with the inbox
// page's own write, pushed to the real server over HTTP, pulled by terminal B. Two terminals × 2 collections.

const COLLECTIONS = ['customers', 'inbox'] as const;

describe('inbox resolutions between two terminals (Postgres, HTTP)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  const clients: TestClient[] = [];
  /** Items earlier tests used: the server keeps them, and fresh terminals pull them again. */
  const seen = new Set<string>();

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

  async function client(): Promise<TestClient> {
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const started = await startClient({ serverUrl: url, code, collections: COLLECTIONS });
    clients.push(started);
    return started;
  }
  function ctx(c: TestClient): WriteContext {
    return { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: c.credential.terminalId, staffId: seed.cashier.id, now: new Date().toISOString(), offline: false };
  }
  async function itemOn(c: TestClient, id: string): Promise<InboxItem | undefined> {
    const doc = await c.db.inbox.findOne(id).exec();
    return doc ? { ...(doc.toJSON() as Omit<InboxItem, '_deleted'>), _deleted: false } : undefined;
  }
  async function serverItem(id: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await tdb.db.query<{ doc: Record<string, unknown> }>(`SELECT doc FROM inbox WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }
  async function refusals(id: string): Promise<number> {
    const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM rejected_writes WHERE document_id = $1`, [id]);
    return Number(rows[0]?.n);
  }
  /** The same phone signed up twice on A: the server merges them and raises a duplicate item on both terminals. */
  async function duplicateOn(a: TestClient, b: TestClient): Promise<InboxItem> {
    const phone = nextPhone();
    for (const name of ['Leila Rahimi', 'Leila Rahimy']) {
      const { _deleted, ...local } = newCustomer({ phone, name }, ctx(a), 'IR');
      await a.db.customers.insert(local);
    }
    let id = '';
    await eventually(async () => {
      const found = (await b.db.inbox.find({ selector: { kind: 'duplicate', status: 'open' } }).exec()).find((doc) => doc.details.mergedInto !== undefined && !seen.has(doc.id));
      id = found?.id ?? '';
      return id !== '' && (await itemOn(a, id)) !== undefined;
    }, 15_000, 'duplicate item on both terminals');
    seen.add(id);
    return (await itemOn(a, id))!;
  }
  const manager = (now = new Date().toISOString()) => ({ staffId: seed.manager.id, now });

  it("keep merged on A reaches the server and B; A's replica has nothing left to push", async () => {
    const [a, b] = [await client(), await client()];
    const item = await duplicateOn(a, b);
    const actor = manager();
    await setItemStatus(a.db, item.id, 'resolved', actor);
    const expected = { ...item, status: 'resolved', resolvedAt: actor.now, resolvedBy: seed.manager.id, updatedAt: actor.now };
    await eventually(async () => (await itemOn(b, item.id))?.status === 'resolved', 15_000, 'resolution on B');
    expect(await itemOn(b, item.id)).toEqual(expected);
    expect(await serverItem(item.id)).toEqual(expected);
    await eventually(() => a.status.get().pending === 0, 10_000, 'no pending writes on A');
    expect(await refusals(item.id)).toBe(0);

    // The undo travels the same way.
    await setItemStatus(b.db, item.id, 'open', manager());
    await eventually(async () => (await itemOn(a, item.id))?.status === 'open', 15_000, 'reopened on A');
    expect((await serverItem(item.id))?.resolvedBy).toBe(seed.manager.id);
  });

  it('two managers settle one item offline at once: both replicas converge on the first to reach the server, nothing is refused', async () => {
    const [a, b] = [await client(), await client()];
    const item = await duplicateOn(a, b);
    await a.replication.awaitInSync();
    await b.replication.awaitInSync();
    await Promise.all([a.replication.states.inbox!.pause(), b.replication.states.inbox!.pause()]);
    await setItemStatus(a.db, item.id, 'resolved', manager());
    await setItemStatus(b.db, item.id, 'dismissed', { staffId: seed.manager.id, now: new Date(Date.now() + 1_000).toISOString() });

    await a.replication.states.inbox!.start();
    await a.replication.awaitInSync();
    await b.replication.states.inbox!.start();
    await b.replication.awaitInSync();
    const server = await serverItem(item.id);
    expect(server).toMatchObject({ status: 'resolved' });
    await eventually(async () => (await itemOn(b, item.id))?.status === 'resolved', 15_000, 'B takes the first resolution');
    expect(await itemOn(b, item.id)).toEqual(server);
    expect(await itemOn(a, item.id)).toEqual(server);
    expect(await refusals(item.id)).toBe(0);
  });

  it("a cashier's resolution is refused by the server and taken back on the replica", async () => {
    const [a, b] = [await client(), await client()];
    const item = await duplicateOn(a, b);
    await setItemStatus(a.db, item.id, 'resolved', { staffId: seed.cashier.id, now: new Date().toISOString() });
    await eventually(async () => (await itemOn(a, item.id))?.status === 'open', 15_000, 'refused resolution taken back on A');
    expect(await serverItem(item.id)).toEqual(item);
    expect(await refusals(item.id)).toBe(1);
    expect((await itemOn(b, item.id))?.status).toBe('open');
  });
});
