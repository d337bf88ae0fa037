// The browser side of the initial-sync benchmark, bundled with esbuild and served by the benchmark's own
// server (same origin as the API, so no CORS). Production-like: Dexie/IndexedDB storage, no dev-mode, no
// validation wrapper. Playwright calls `window.patronBench.floor()` / `.sync()` and reads the results.
import { filter, firstValueFrom } from 'rxjs';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { CollectionName } from '../../../src/sync/model/wire-protocol.ts';
import { createSyncApi } from '../../../src/sync/client/api.ts';
import { createTokenSource, enrol, memoryCredentialStore } from '../../../src/sync/client/auth.ts';
import { RejectedRows, createPatronDatabase } from '../../../src/sync/client/database.ts';
import { startReplication, type ReplicationOptions } from '../../../src/sync/client/replicate.ts';
import { createStatusStore } from '../../../src/sync/client/status.ts';
import { countSynced, SYNCED, trackWritten, type SyncRun, type Synced } from '../lib/variants.ts';

const DEBUG = new URLSearchParams(location.search).has('debug');

/** What one run measured; the heap is performance.memory's (Chromium), 0 when unavailable. */
export type BrowserRun = SyncRun;

function heapUsed(): number {
  return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
}

function heapSampler(): { stop(): { peakHeap: number; startHeap: number } } {
  const startHeap = heapUsed();
  let peakHeap = startHeap;
  const timer = setInterval(() => {
    peakHeap = Math.max(peakHeap, heapUsed());
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return { peakHeap: Math.max(peakHeap, heapUsed()), startHeap };
    },
  };
}

/**
 * The floor: the same documents (fetched first, untimed) bulk-inserted into a fresh IndexedDB database. With
 * `chunk`, the same inserts in slices of that many documents (what page-by-page writes cost the storage).
 */
async function floor(input: { chunk?: number } = {}): Promise<BrowserRun> {
  const docs = {} as Record<Synced, unknown[]>;
  for (const name of SYNCED) docs[name] = (await (await fetch(`/bench/docs/${name}`)).json()) as unknown[];
  const memory = heapSampler();
  const started = performance.now();
  const db = await createPatronDatabase({ name: 'patronfloor', storage: getRxStorageDexie(), rejected: new RejectedRows() });
  let lookupReadyMs = 0;
  for (const name of SYNCED) {
    const all = docs[name];
    const step = input.chunk ?? all.length;
    for (let i = 0; i < all.length; i += step) {
      const result = await db.collections[name].bulkInsert(all.slice(i, i + step) as never[]);
      if (result.error.length > 0) throw new Error(`bulkInsert ${name}: ${result.error.length} errors`);
    }
    if (name === 'customers') lookupReadyMs = performance.now() - started;
  }
  const ms = performance.now() - started;
  const result = { finished: true, ms, lookupReadyMs, ...memory.stop(), counts: await countSynced(db) };
  await db.close();
  return result;
}

/** A fresh terminal on this origin: enrol (untimed), then open the database and replicate to the end. */
/** With `collections`, only those are replicated (the customers-alone baseline leaves visits and ledger out). */
async function sync(input: { code: string; expected: Record<Synced, number>; options?: ReplicationOptions; limitMs?: number; collections?: CollectionName[] }): Promise<BrowserRun> {
  const serverUrl = location.origin;
  const store = memoryCredentialStore();
  const credential = await enrol({ serverUrl, code: input.code, deviceName: 'bench browser', store });
  const memory = heapSampler();
  const started = performance.now();
  const rejected = new RejectedRows();
  if (DEBUG) console.log(`[initial-sync-browser] open database`);
  const db = await createPatronDatabase({ name: 'patronsync', storage: getRxStorageDexie(), rejected, ...(input.collections ? { collections: input.collections } : {}) });
  const status = createStatusStore();
  const tokens = createTokenSource({ store });
  const real = createSyncApi({ serverUrl, tokens, status });
  let pulls = 0;
  const api = {
    pull: async (...args: Parameters<typeof real.pull>) => {
      pulls += 1;
      const t0 = performance.now() - started;
      const page = await real.pull(...args);
      if (DEBUG) console.log(`[initial-sync-browser] pull ${args[0]} ${args[1] ?? '-'} ${t0.toFixed(0)}→${(performance.now() - started).toFixed(0)} ms (${page.documents.length})`);
      return page;
    },
    push: real.push,
  };
  if (DEBUG) console.log(`[initial-sync-browser] database open at ${(performance.now() - started).toFixed(0)} ms`);
  const replication = startReplication({ db, api, tokens, serverUrl, terminalId: credential.terminalId, rejected, status, options: input.options });
  const written = trackWritten(db, input.expected, started);
  // Lookup-ready is the product's own signal: the status lists `customers` once its first sync is written.
  let lookupReadyMs: number | null = null;
  void firstValueFrom(status.status$.pipe(filter((s) => s.ready.includes('customers')))).then(() => {
    lookupReadyMs = performance.now() - started;
  });
  // A long run says how far it got (the benchmark forwards these console lines).
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    console.log(`[initial-sync-browser] ${seconds.toFixed(0)} s: ${status.get().received} documents written (${Math.round(status.get().received / seconds)}/s)`);
  }, 30_000);
  const done = (async () => {
    await firstValueFrom(status.status$.pipe(filter((s) => s.initialSyncDone)));
    await replication.awaitInSync();
    return true;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<false>((resolve) => {
    if (input.limitMs !== undefined) timer = setTimeout(() => resolve(false), input.limitMs);
  });
  const finished = await Promise.race([done, limit]);
  clearTimeout(timer);
  clearInterval(progress);
  const ms = performance.now() - started;
  const result = { finished, ms, lookupReadyMs, ...memory.stop(), counts: await countSynced(db), written, pulls };
  await replication.stop();
  await db.close();
  return result;
}

(globalThis as unknown as { patronBench: unknown }).patronBench = { floor, sync };
document.title = 'patron bench ready';
