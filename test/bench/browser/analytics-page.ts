// The browser side of the analytics cold-start benchmark (analytics-browser.ts), bundled with esbuild beside
// the real analytics worker entry (served as /worker.js). The replica is opened as the app opens it: RxDB's
// Dexie storage on IndexedDB, multiInstance false, no dev-mode, no validation wrapper. Playwright calls
// `window.patronAnalyticsBench.load()` once, then `.floor()` / `.cold()` each in a fresh page.
// First, as in the app's entry (main.tsx): zod without its eval probe (the client parses every worker answer).
import '../../../src/renderer/lib/zod-jitless.ts';
import { replicaStream } from '../../../src/sync/client/queries/replica-stream.ts';
import { BehaviorSubject, filter, firstValueFrom } from 'rxjs';
import type { RxStorage, RxStorageInstance } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { createAnalyticsClient, type WorkerLike } from '../../../src/renderer/features/analytics/analytics-client.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { indexedDbStateStore, type AnalyticsStateStore } from '../../../src/renderer/features/analytics/persisted-state.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { scanDocuments } from '../../../src/sync/client/scan.ts';
import type { Settings } from '../../../src/sync/model/settings.ts';
import { generate, readStoredEntries, readStoredVisits, SETTINGS, type StoredLine } from '../lib/analytics-data.ts';

/** Documents per page, as the analytics client reads them. */
const PAGE = 5000;
const COLLECTIONS = ['customers', 'visits', 'loyaltyEntries', 'rewards'] as const;

export interface LoadResult {
  counts: Record<(typeof COLLECTIONS)[number], number>;
  generateMs: number;
  insertMs: number;
}
export interface FloorResult {
  ms: number;
  /** Documents read (tombstones and voided visits included). */
  read: number;
  sum: number;
}
export interface ColdResult {
  ms: number;
  /** When `client.streamed` resolved (the last page posted to the worker). */
  streamedMs: number;
  /** When the worker first said it was ready. */
  readyMs: number;
  /** When the answer kept from the last open was available (warm opens; null: none kept). */
  shownMs: number | null;
  /** The snapshot's kpis.visits: a sanity value, the same in every run. */
  visits: number;
}
export interface AnalyticsBench {
  load(size: { customers: number; visits: number; seed?: number }): Promise<LoadResult>;
  floor(which: 'visits' | 'all'): Promise<FloorResult>;
  cold(query: AnalyticsQuery): Promise<ColdResult>;
  warm(query: AnalyticsQuery): Promise<ColdResult>;
}

/**
 * Opens the replica. The Dexie storage opens each collection's IndexedDB database in the background; a
 * lookup of a missing id waits for that, so the connection is open before any timed section starts.
 */
async function open(): Promise<PatronDatabase> {
  const db = await createPatronDatabase({
    name: 'patron-analytics-bench',
    storage: getRxStorageDexie() as RxStorage<unknown, unknown>,
    rejected: new RejectedRows(),
    multiInstance: false,
    collections: COLLECTIONS,
  });
  for (const name of COLLECTIONS) await db[name].storageInstance.findDocumentsById(['-'], false);
  return db;
}

async function load(size: { customers: number; visits: number; seed?: number }): Promise<LoadResult> {
  const db = await open();
  try {
    const generated = performance.now();
    const data = generate(size.customers, size.visits, size.seed);
    const generateMs = performance.now() - generated;
    const started = performance.now();
    let written = 0;
    let said = started;
    // One bulkInsert (one IndexedDB transaction) per generated chunk of 10k; a long load says how far it got.
    const insert = async (collection: { bulkInsert(docs: never[]): Promise<{ error: unknown[] }> }, chunks: { _deleted?: boolean }[][]) => {
      for (const chunk of chunks.splice(0)) {
        const result = await collection.bulkInsert(chunk.map(({ _deleted, ...doc }) => doc) as never[]);
        if (result.error.length > 0) throw new Error(`bulkInsert: ${result.error.length} errors`);
        written += chunk.length;
        if (performance.now() - said > 15_000) {
          said = performance.now();
          const seconds = (said - started) / 1000;
          console.log(`[analytics-browser] ${seconds.toFixed(0)} s: ${written} documents written (${Math.round(written / seconds)}/s)`);
        }
      }
    };
    await insert(db.customers, data.customers);
    await insert(db.visits, data.visits);
    await insert(db.loyaltyEntries, data.entries);
    const insertMs = performance.now() - started;
    const counts = {} as LoadResult['counts'];
    for (const name of COLLECTIONS) counts[name] = await db[name].count().exec();
    return { counts, generateMs, insertMs };
  } finally {
    await db.close();
  }
}

type StoredCustomer = { _deleted: boolean; id: string; name: string; phone: string; mergedInto: string | null };
const scan = <T>(db: PatronDatabase, name: 'customers' | 'visits' | 'loyaltyEntries') =>
  scanDocuments(db[name].storageInstance as unknown as RxStorageInstance<T, unknown, unknown>, PAGE);

/**
 * The floor: one plain pass over the visits read from the replica, touching what any dashboard must read (as
 * analytics-replica.ts does); with 'all', also the customers (the fields the worker gets) and the ledger.
 */
async function floor(which: 'visits' | 'all'): Promise<FloorResult> {
  const db = await open();
  try {
    const start = performance.now();
    let sum = 0;
    let read = 0;
    if (which === 'all') {
      for await (const page of scan<StoredCustomer>(db, 'customers')) {
        read += page.length;
        for (const c of page) if (!c._deleted) sum += c.id.length + c.name.length + c.phone.length + (c.mergedInto ? 1 : 0);
      }
    }
    for await (const page of scan<StoredLine>(db, 'visits')) {
      read += page.length;
      sum += readStoredVisits(page);
    }
    if (which === 'all') {
      for await (const page of scan<StoredLine>(db, 'loyaltyEntries')) {
        read += page.length;
        sum += readStoredEntries(page);
      }
    }
    return { ms: performance.now() - start, read, sum };
  } finally {
    await db.close();
  }
}

/**
 * Cold: the dashboard's first answer on a freshly opened replica. The clock starts before the worker is
 * created (its module load is part of what a manager waits for) and stops when the snapshot arrives.
 */
async function cold(query: AnalyticsQuery, store?: AnalyticsStateStore): Promise<ColdResult> {
  const db = await open();
  let client: ReturnType<typeof createAnalyticsClient> | null = null;
  try {
    const start = performance.now();
    const worker = new Worker('/worker.js', { type: 'module', name: 'patron-analytics' });
    // The client cannot see a worker that failed to load: without this a broken bundle would hang the run.
    const failed = new Promise<never>((_resolve, reject) => {
      worker.addEventListener('error', (event) => reject(new Error(`worker: ${event.message || 'failed to load /worker.js'}`)));
    });
    client = createAnalyticsClient({ replica: replicaStream(db), settings$: new BehaviorSubject(SETTINGS as unknown as Settings), worker: worker as unknown as WorkerLike, ...(store ? { store } : {}) });
    // What the dashboard shows first on a warm open (useAnalytics.ts): the answer kept from the last one.
    const shown = client.lastAnswer(query).then((answer) => (answer ? performance.now() - start : null));
    await Promise.race([client.streamed, failed]);
    const streamedMs = performance.now() - start;
    const state = await Promise.race([firstValueFrom(client.state$.pipe(filter((s) => s.ready || s.error !== null))), failed]);
    if (state.error !== null) throw new Error(`analytics client: ${state.error}`);
    const readyMs = performance.now() - start;
    const snapshot = await Promise.race([client.snapshot(query), failed]);
    const ms = performance.now() - start;
    await client.answersSaved();
    return { ms, streamedMs, readyMs, shownMs: await shown, visits: snapshot.kpis.visits };
  } finally {
    client?.close();
    await db.close();
  }
}

/**
 * Warm: the same, with the analytics input persisted on the device (persisted-state.ts). The first call after
 * a load builds the stored state (a cold open that also stores it); later calls read it back.
 */
function warm(query: AnalyticsQuery): Promise<ColdResult> {
  return cold(query, indexedDbStateStore());
}

(globalThis as unknown as { patronAnalyticsBench: AnalyticsBench }).patronAnalyticsBench = { load, floor, cold: (query) => cold(query), warm };
document.title = 'patron analytics bench ready';
