// Child process of the analytics benchmark, end to end: the dashboard's cold start as a manager waits for it.
// A replica (RxDB memory storage, production-like: no dev-mode, no validation wrapper) holds the benchmark's
// documents; the page's analytics client streams it to the analytics handler in a worker thread (the Web
// Worker's twin, structured clone both ways, the pages' column buffers transferred) until the first snapshot
// arrives. Beside it, the floor: one plain
// scan of the visits read from the same replica (the same index-range pages, reading what any dashboard must
// read). In a child so its heap (the documents twice: generated and stored) is its own.
import { BehaviorSubject, filter, firstValueFrom } from 'rxjs';
import { replicaStream } from '../../src/sync/client/queries/replica-stream.ts';
import type { RxStorageInstance } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { Worker } from 'node:worker_threads';
import { createAnalyticsClient, type WorkerLike } from '../../src/renderer/features/analytics/analytics-client.ts';
import type { AnalyticsQuery } from '../../src/renderer/features/analytics/compute/schema.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../src/sync/client/database.ts';
import { scanDocuments } from '../../src/sync/client/scan.ts';
import type { Settings } from '../../src/sync/model/settings.ts';
import { generate, readStoredEntries, readStoredVisits, SETTINGS, type StoredLine } from './lib/analytics-data.ts';
import { serveRequests } from './lib/child.ts';

/** Documents per page, as the analytics client reads them. */
const PAGE = 5000;

let db: PatronDatabase | null = null;
const replica = () => {
  if (!db) throw new Error('load first');
  return db;
};

async function load(input: { customers: number; visits: number }): Promise<{ customers: number; visits: number; loyaltyEntries: number; ms: number }> {
  const start = performance.now();
  db = await createPatronDatabase({ name: `analytics${process.pid}`, storage: getRxStorageMemory(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries', 'rewards'] });
  const data = generate(input.customers, input.visits);
  // Written 100k at a time (each write merges into the storage's sorted indexes: fewer, larger writes are faster).
  const insert = async <T extends { _deleted?: boolean }>(collection: { bulkInsert(docs: never[]): Promise<unknown> }, chunks: T[][]) => {
    for (let i = 0; i < chunks.length; i += 10) await collection.bulkInsert(chunks.slice(i, i + 10).flat().map(({ _deleted, ...doc }) => doc) as never[]);
  };
  await insert(db.customers, data.customers.splice(0));
  await insert(db.visits, data.visits.splice(0));
  await insert(db.loyaltyEntries, data.entries.splice(0));
  const count = async (name: 'customers' | 'visits' | 'loyaltyEntries') => (await db![name].count().exec());
  return { customers: await count('customers'), visits: await count('visits'), loyaltyEntries: await count('loyaltyEntries'), ms: performance.now() - start };
}

/** The floor: one plain pass over the visits (and the ledger lines) read from the replica. */
async function floor(input: { ledger: boolean }): Promise<{ ms: number; sum: number }> {
  const start = performance.now();
  let sum = 0;
  for await (const page of scanDocuments(replica().visits.storageInstance as unknown as RxStorageInstance<StoredLine, unknown, unknown>, PAGE)) sum += readStoredVisits(page);
  if (input.ledger) {
    for await (const page of scanDocuments(replica().loyaltyEntries.storageInstance as unknown as RxStorageInstance<StoredLine, unknown, unknown>, PAGE)) sum += readStoredEntries(page);
  }
  return { ms: performance.now() - start, sum };
}

/** A worker thread running the analytics handler, once it has loaded. */
async function startWorker(): Promise<WorkerLike> {
  // A worker thread does not inherit the parent's module hooks: it registers tsx's before loading the module.
  const module = new URL('./lib/analytics-worker.ts', import.meta.url).href;
  const boot = `const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(module)});`;
  const thread = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
  await new Promise<void>((resolve, reject) => {
    thread.once('message', () => resolve());
    thread.once('error', reject);
  });
  const worker: WorkerLike = {
    onmessage: null,
    postMessage: (message, transfer) => thread.postMessage(message, transfer),
    terminate: () => void thread.terminate(),
  };
  thread.on('message', (data: unknown) => worker.onmessage?.({ data }));
  return worker;
}

/** Cold: a fresh worker (loaded, no data), the client streams the replica, the first snapshot arrives. */
async function cold(input: { query: AnalyticsQuery }): Promise<{ ms: number; streamedMs: number; visits: number }> {
  const worker = await startWorker();
  const start = performance.now();
  const client = createAnalyticsClient({ replica: replicaStream(replica()), settings$: new BehaviorSubject({ ...SETTINGS } as unknown as Settings), worker });
  try {
    await client.streamed;
    const streamedMs = performance.now() - start;
    await firstValueFrom(client.state$.pipe(filter((s) => s.ready)));
    const snapshot = await client.snapshot(input.query);
    return { ms: performance.now() - start, streamedMs, visits: snapshot.kpis.visits };
  } finally {
    client.close();
  }
}

serveRequests(async (message) => {
  switch (message.cmd) {
    case 'load':
      return load(message as unknown as Parameters<typeof load>[0]);
    case 'floor':
      return floor(message as unknown as Parameters<typeof floor>[0]);
    case 'cold':
      return cold(message as unknown as Parameters<typeof cold>[0]);
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
