import { getChangedDocumentsSince } from 'rxdb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { voidVisit, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import type { LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import type { Visit } from '../../../src/sync/model/visit.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, startClient, type TestClient } from '../../helpers/terminal.ts';

// A fresh terminal downloads visits and ledger entries with the initial load (src/sync/client/initial-load.ts)
// instead of RxDB's replication, which also writes an assumed-server-state document per pulled document.
// What must still hold: every document arrives, later server changes of loaded documents arrive, local
// changes of loaded documents reach the server, and a sale recorded during the load is pushed.

const COLLECTIONS = ['customers', 'visits', 'loyaltyEntries'] as const;
const VISITS = 240;
const PAGE = 50;
const CUSTOMERS = 120;

describe('initial load of append-only collections against the real server (Postgres, HTTP)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  let source: TestClient;
  let visits: { visit: Visit; earn: LoyaltyEntry | null }[];
  const clients: TestClient[] = [];

  async function client(options: { fetch?: typeof fetch; initialLoad?: boolean; collections?: readonly (typeof COLLECTIONS)[number][] } = {}): Promise<TestClient> {
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const started = await startClient({
      serverUrl: url, code, collections: options.collections ?? COLLECTIONS, ...(options.fetch ? { fetch: options.fetch } : {}),
      replication: { pullBatchSize: PAGE, initialLoadWrite: PAGE, initialLoad: options.initialLoad ?? true },
    });
    clients.push(started);
    return started;
  }
  function ctx(c: TestClient): WriteContext {
    return { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: c.credential.terminalId, staffId: seed.cashier.id, now: new Date().toISOString(), offline: false };
  }
  async function serverVisit(id: string): Promise<Visit | undefined> {
    const { rows } = await tdb.db.query<{ doc: Visit }>(`SELECT doc FROM visits WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }
  /** Assumed-server-state documents RxDB's replication keeps for a collection (the load writes none). */
  async function assumedStates(c: TestClient, name: 'customers' | 'visits' | 'loyaltyEntries'): Promise<number> {
    const meta = (c.replication.states[name] as unknown as { metaInstance: Parameters<typeof getChangedDocumentsSince>[0] }).metaInstance;
    const { documents } = await getChangedDocumentsSince(meta, 100_000, undefined);
    return documents.filter((doc) => (doc as unknown as { isCheckpoint: string }).isCheckpoint === '0').length;
  }
  async function voided(c: TestClient, id: string): Promise<boolean> {
    return (await c.db.visits.findOne(id).exec())?.voided === true;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    // The server's history: one terminal's customer with VISITS visits and their earning lines.
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    source = await startClient({ serverUrl: url, code, collections: COLLECTIONS });
    const customer = aCustomer(ctx(source));
    const { _deleted, ...doc } = customer;
    await source.db.customers.insert(doc);
    await source.db.customers.bulkInsert(Array.from({ length: CUSTOMERS - 1 }, () => { const { _deleted: _d, ...c } = aCustomer(ctx(source)); return c; }));
    visits = Array.from({ length: VISITS }, (_, i) => aVisit(ctx(source), customer.id, 100_000 + i, 100));
    await source.db.visits.bulkInsert(visits.map(({ visit: { _deleted: _d, ...v } }) => v));
    await source.db.loyaltyEntries.bulkInsert(visits.map(({ earn }) => { const { _deleted: _d, ...e } = earn!; return e; }));
    await eventually(() => source.status.get().pending === 0, 30_000, 'history pushed');
  }, 60_000);
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => {});
  });
  afterAll(async () => {
    await source?.close();
    await app?.close();
    await tdb?.drop();
  });

  it('downloads every visit and ledger line without an assumed-state document per document', async () => {
    const fresh = await client();
    await eventually(() => fresh.status.get().initialSyncDone, 30_000, 'initial sync');
    expect(await fresh.db.visits.count().exec()).toBe(VISITS);
    expect(await fresh.db.loyaltyEntries.count().exec()).toBe(VISITS);
    expect(fresh.status.get().received).toBeGreaterThanOrEqual(2 * VISITS + 1);
    expect(await assumedStates(fresh, 'visits')).toBe(0);
    expect(await assumedStates(fresh, 'loyaltyEntries')).toBe(0);

    // The same terminal with RxDB's replication alone keeps one per document: the comparison the load saves.
    const plain = await client({ initialLoad: false });
    await eventually(() => plain.status.get().initialSyncDone, 30_000, 'initial sync without the load');
    expect(await plain.db.visits.count().exec()).toBe(VISITS);
    expect(await assumedStates(plain, 'visits')).toBe(VISITS);
  }, 60_000);

  it('customers first and alone: lookup-ready before a visit is stored; then each customer gets its merge base', async () => {
    // The ledger listed first: collections are set up in the order the database lists them.
    const fresh = await client({ collections: ['loyaltyEntries', 'visits', 'customers'] });
    // Subscribed before the first page can have arrived (it takes a round trip over HTTP).
    const lwt = { customers: [] as number[], visits: [] as number[], loyaltyEntries: [] as number[] };
    for (const name of ['customers', 'visits', 'loyaltyEntries'] as const) fresh.db[name].eventBulks$.subscribe((bulk) => lwt[name].push(...bulk.events.map((e) => e.documentData._meta.lwt)));
    let othersWhenReady: number | null = null;
    fresh.status.status$.subscribe((s) => {
      if (othersWhenReady === null && s.ready.includes('customers')) othersWhenReady = lwt.visits.length + lwt.loyaltyEntries.length;
    });
    await eventually(() => fresh.status.get().initialSyncDone, 30_000, 'initial sync');
    await fresh.replication.awaitInSync();
    expect(othersWhenReady).toBe(0);
    expect(lwt.customers).toHaveLength(CUSTOMERS);
    expect(Math.max(...lwt.customers)).toBeLessThanOrEqual(Math.min(...lwt.visits, ...lwt.loyaltyEntries));
    // The merge base: RxDB's assumed state of every loaded customer, so a later edit merges three-way —
    // renamed here, unchanged on the server: accepted as it is, no conflict recorded.
    await eventually(async () => (await assumedStates(fresh, 'customers')) === CUSTOMERS, 15_000, 'the merge base of every customer');
    const someone = (await fresh.db.customers.findOne().exec())!;
    await someone.incrementalPatch({ name: 'Renamed at the fresh till', updatedAt: new Date().toISOString() });
    await eventually(async () => {
      const { rows } = await tdb.db.query<{ doc: { name: string; conflicts: unknown[] } }>(`SELECT doc FROM customers WHERE id = $1`, [someone.id]);
      return rows[0]?.doc.name === 'Renamed at the fresh till';
    }, 15_000, 'the rename on the server');
    const { rows } = await tdb.db.query<{ doc: { conflicts: unknown[] } }>(`SELECT doc FROM customers WHERE id = $1`, [someone.id]);
    expect(rows[0]!.doc.conflicts).toEqual([]);
  }, 60_000);

  it('a void made elsewhere reaches a loaded visit, and a void of a loaded visit reaches the server and the others', async () => {
    const fresh = await client();
    await eventually(() => fresh.status.get().initialSyncDone, 30_000, 'initial sync');
    await fresh.replication.awaitInSync();

    // Elsewhere → here: the server's newer state overwrites the loaded document (it has no local change).
    const first = visits[0]!;
    const voidedThere = voidVisit(first.visit, first.earn, 'wrong customer', ctx(source));
    await (await source.db.visits.findOne(first.visit.id).exec())!.incrementalPatch({ voided: true, voidedAt: voidedThere.visit.voidedAt, voidedBy: voidedThere.visit.voidedBy, voidReason: voidedThere.visit.voidReason, updatedAt: voidedThere.visit.updatedAt });
    await eventually(() => voided(fresh, first.visit.id), 15_000, 'the void from the other terminal on the loaded replica');

    // Here → server and elsewhere: pushed without an assumed state, answered as a conflict, merged (keepVoid).
    const second = visits[1]!;
    const voidedHere = voidVisit(second.visit, second.earn, 'double charge', ctx(fresh));
    await (await fresh.db.visits.findOne(second.visit.id).exec())!.incrementalPatch({ voided: true, voidedAt: voidedHere.visit.voidedAt, voidedBy: voidedHere.visit.voidedBy, voidReason: voidedHere.visit.voidReason, updatedAt: voidedHere.visit.updatedAt });
    await eventually(async () => (await serverVisit(second.visit.id))?.voided === true, 15_000, 'the void on the server');
    expect((await serverVisit(second.visit.id))?.voidReason).toBe('double charge');
    await eventually(() => voided(source, second.visit.id), 15_000, 'the void on the other terminal');
    await eventually(() => fresh.status.get().pending === 0, 15_000, 'nothing left to push');
  }, 60_000);

  it('a sale recorded while the load runs is pushed', async () => {
    // Pages of visits answer slowly, so the sale lands in the middle of the load.
    const slow: typeof fetch = async (request, init) => {
      if (String(request).includes('/v1/pull/visits')) await new Promise((resolve) => setTimeout(resolve, 150));
      return fetch(request, init);
    };
    const fresh = await client({ fetch: slow });
    await eventually(async () => (await fresh.db.visits.count().exec()) >= PAGE, 15_000, 'the load under way');
    expect(await fresh.db.visits.count().exec()).toBeLessThan(VISITS);
    const customerId = visits[0]!.visit.customerId;
    const sale = aVisit(ctx(fresh), customerId, 250_000, 250);
    const { _deleted, ...saleDoc } = sale.visit;
    await fresh.db.visits.insert(saleDoc);
    await eventually(() => fresh.status.get().initialSyncDone, 30_000, 'initial sync');
    await eventually(async () => (await serverVisit(sale.visit.id)) !== undefined, 15_000, 'the sale on the server');
    expect(await fresh.db.visits.count().exec()).toBe(VISITS + 1);
  }, 60_000);
});
