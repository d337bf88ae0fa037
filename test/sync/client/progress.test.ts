// Initial-sync progress against the real server (Postgres, HTTP): a fresh replica's `expected` is the feed's
// total and equals what it has pulled at the end; every failure leaves it unset rather than wrong.
import { randomBytes } from 'node:crypto';
import { getChangedDocumentsSince, type RxCollection } from 'rxdb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSyncApi } from '../../../src/sync/client/api.ts';
import { createTokenSource, enrol, memoryCredentialStore } from '../../../src/sync/client/auth.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { initialSyncProgress, isEmptyReplica, loadExpectedDocuments } from '../../../src/sync/client/progress.ts';
import { startReplication, type Replication } from '../../../src/sync/client/replicate.ts';
import { createStatusStore, type SyncStatus } from '../../../src/sync/client/status.ts';
import { COLLECTION_NAMES, type CollectionName } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { enableDevMode, eventually, testStorage } from '../../helpers/terminal.ts';

describe('initial-sync progress of a terminal against the real server (Postgres, HTTP)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  let writer: TestTerminal;
  // RxDB's open-source build allows 13 open collections per process: every test closes what it opened.
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    writer = await enrolTerminal(app, tdb.db, seed, 'Writer till');
    // More customers than one pull page (1000), visits with their points, an update, a tombstone and a
    // quarantined write (whose inbox item is in the feed).
    const ctx = writer.ctx(seed.cashier);
    const customers = Array.from({ length: 1_100 }, () => aCustomer(ctx));
    for (let i = 0; i < customers.length; i += 500) await writer.push('customers', customers.slice(i, i + 500).map(insertRow));
    const visits = customers.slice(0, 40).map((customer) => aVisit(ctx, customer.id, 9_000, 9));
    await writer.push('visits', visits.map((v) => insertRow(v.visit)));
    await writer.push('loyaltyEntries', visits.map((v) => insertRow(v.earn!)));
    const erased = customers[1]!;
    await writer.push('customers', [updateRow({ ...erased, _deleted: true, updatedAt: new Date().toISOString(), updatedBy: seed.manager.id }, erased)]);
    await writer.push('customers', [insertRow({ ...aCustomer(ctx), name: 'x' })]);
  }, 120_000);
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close().catch(() => {});
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  /** An enrolled terminal with an empty replica of `collections`; replication is started by the test. */
  async function freshTerminal(collections: readonly CollectionName[], fetchImpl: typeof fetch = fetch) {
    enableDevMode();
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const store = memoryCredentialStore();
    const credential = await enrol({ serverUrl: url, code, deviceName: 'Fresh till', store });
    const rejected = new RejectedRows();
    const db = await createPatronDatabase({ name: `p${randomBytes(5).toString('hex')}`, storage: testStorage(), rejected, collections });
    cleanup.push(() => db.close());
    const status = createStatusStore();
    const tokens = createTokenSource({ store, fetch: fetchImpl });
    const api = createSyncApi({ serverUrl: url, tokens, status, fetch: fetchImpl });
    const replicate = (): Replication => {
      const replication = startReplication({ db, api, tokens, serverUrl: url, terminalId: credential.terminalId, rejected, status, options: { pokes: false, retryMs: 200 } });
      cleanup.push(() => replication.stop());
      return replication;
    };
    return { db, status, api, replicate };
  }

  /** Documents in the replica, tombstones included. */
  async function localDocuments(db: PatronDatabase): Promise<number> {
    let count = 0;
    for (const collection of Object.values<RxCollection>(db.collections)) {
      count += (await getChangedDocumentsSince(collection.storageInstance, 100_000)).documents.length;
    }
    return count;
  }

  it('sets `expected` to the feed total, which equals the documents pulled at the end; never 100 % before', async () => {
    const terminal = await freshTerminal(COLLECTION_NAMES);
    expect(await isEmptyReplica(terminal.db)).toBe(true);
    const seen: SyncStatus[] = [];
    const sub = terminal.status.status$.subscribe((status) => seen.push(status));
    cleanup.push(async () => sub.unsubscribe());
    terminal.replicate();
    await loadExpectedDocuments(terminal);
    await eventually(() => terminal.status.get().initialSyncDone, 60_000, 'initial sync');

    const pulled = (await Promise.all(COLLECTION_NAMES.map((name) => writer.pullAll(name)))).reduce((sum, docs) => sum + docs.length, 0);
    expect(pulled).toBeGreaterThan(1_100);
    expect(terminal.status.get().expected).toBe(pulled);
    expect(terminal.status.get().received).toBe(pulled);
    expect(await localDocuments(terminal.db)).toBe(pulled);
    expect(initialSyncProgress(terminal.status.get())).toEqual({ received: pulled, total: pulled, fraction: 1 });

    // The total was known while documents were still arriving, and no percentage claimed the end early.
    const during = seen.filter((status) => !status.initialSyncDone && status.expected !== undefined);
    expect(during.length).toBeGreaterThan(0);
    for (const status of during) expect(initialSyncProgress(status).fraction).toBeLessThanOrEqual(0.99);

    // Started again now, the replica is not empty: a resumed sync gets no total, so no percentage.
    expect(await isEmptyReplica(terminal.db)).toBe(false);
  }, 90_000);

  it('counts a replica holding only a tombstone as not empty', async () => {
    const terminal = await freshTerminal(['customers']);
    const { _deleted, ...customer } = aCustomer(writer.ctx(seed.cashier));
    const doc = await terminal.db.customers.insert(customer);
    await doc.remove();
    expect(await terminal.db.customers.count().exec()).toBe(0);
    expect(await isEmptyReplica(terminal.db)).toBe(false);
  });

  it.each([
    ['offline', (): Promise<Response> => Promise.reject(new TypeError('fetch failed'))],
    ['a server without the endpoint', (): Promise<Response> => Promise.resolve(Response.json({ error: { code: 'NOT_FOUND', message: 'Not found', messageFa: 'یافت نشد' } }, { status: 404 }))],
    ['an answer that is not a total', (): Promise<Response> => Promise.resolve(Response.json({ documents: { customers: -1 } }))],
  ])('leaves `expected` unset when the totals request fails: %s', async (_name, answer) => {
    const totalsFails: typeof fetch = (input, init) => (String(input).endsWith('/v1/sync/totals') ? answer() : fetch(input, init));
    const terminal = await freshTerminal(['settings', 'staff'], totalsFails);
    terminal.replicate();
    await expect(loadExpectedDocuments(terminal)).resolves.toBeUndefined();
    await eventually(() => terminal.status.get().initialSyncDone, 30_000, 'initial sync');
    expect(terminal.status.get().expected).toBeUndefined();
    expect(terminal.status.get().received).toBe(3); // the settings and the two staff: counted, without a percentage
    expect(initialSyncProgress(terminal.status.get())).toEqual({ received: 3, total: null, fraction: null });
  });
});

describe('initial-sync progress arithmetic', () => {
  it.each([
    ['unknown total', { received: 40, expected: undefined, initialSyncDone: false }, { received: 40, total: null, fraction: null }],
    ['whole percent, rounded down', { received: 1, expected: 1_000, initialSyncDone: false }, { received: 1, total: 1_000, fraction: 0 }],
    ['half way', { received: 500, expected: 1_000, initialSyncDone: false }, { received: 500, total: 1_000, fraction: 0.5 }],
    ['all received, not done', { received: 1_000, expected: 1_000, initialSyncDone: false }, { received: 1_000, total: 1_000, fraction: 0.99 }],
    ['writes during the sync', { received: 1_010, expected: 1_000, initialSyncDone: false }, { received: 1_010, total: 1_010, fraction: 0.99 }],
    ['done', { received: 1_000, expected: 1_000, initialSyncDone: true }, { received: 1_000, total: 1_000, fraction: 1 }],
    ['an empty feed', { received: 0, expected: 0, initialSyncDone: false }, { received: 0, total: 0, fraction: 0 }],
  ])('%s', (_name, status, progress) => {
    expect(initialSyncProgress(status)).toEqual(progress);
  });
});
