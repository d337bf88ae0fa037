// Child process of the Node initial-sync benchmark: one fresh terminal per process (its peak memory is its
// own, and RxDB's 13-collection limit is per process). Production-like: memory storage without dev-mode and
// without the validation wrapper.
import { readFileSync } from 'node:fs';
import { filter, firstValueFrom } from 'rxjs';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { createSyncApi, type SyncApi } from '../../src/sync/client/api.ts';
import { createTokenSource, enrol, memoryCredentialStore } from '../../src/sync/client/auth.ts';
import { RejectedRows, createPatronDatabase } from '../../src/sync/client/database.ts';
import { startReplication, type ReplicationOptions } from '../../src/sync/client/replicate.ts';
import { createStatusStore, type StatusStore } from '../../src/sync/client/status.ts';
import { serveRequests } from './lib/child.ts';
import { countSynced, SYNCED, trackWritten, type SyncRun, type Synced } from './lib/variants.ts';
import { startCpuProfile, type CpuSummary } from './lib/cpu-profile.ts';
import { memorySampler } from './lib/report.ts';

/** What one run measured (a sync run's pulls and status updates; memory in bytes). */
export interface ClientRun extends SyncRun {
  peakRss: number;
  startRss: number;
  statusUpdates?: number;
  profile?: CpuSummary;
}

/**
 * Raw bulkInsert of the same documents into a fresh database of the same storage: the client's floor. With
 * `chunk`, the same inserts in slices of that many documents (what page-by-page writes cost the storage).
 */
async function floor(files: Record<Synced, string>, chunk?: number, limitMs?: number): Promise<ClientRun> {
  const docs = {} as Record<Synced, Record<string, unknown>[]>;
  for (const name of SYNCED) docs[name] = JSON.parse(readFileSync(files[name], 'utf8')) as Record<string, unknown>[];
  (globalThis as { gc?: () => void }).gc?.();
  const memory = memorySampler();
  const started = performance.now();
  const db = await createPatronDatabase({ name: `floor${process.pid}`, storage: getRxStorageMemory(), rejected: new RejectedRows() });
  let lookupReadyMs: number | null = null;
  let finished = true;
  insert: for (const name of SYNCED) {
    const all = docs[name];
    const step = chunk ?? all.length;
    for (let i = 0; i < all.length; i += step) {
      const result = await db.collections[name].bulkInsert(all.slice(i, i + step) as never[]);
      if (result.error.length > 0) throw new Error(`bulkInsert ${name}: ${result.error.length} errors, first ${JSON.stringify(result.error[0]).slice(0, 300)}`);
      if (limitMs !== undefined && performance.now() - started > limitMs) {
        finished = false;
        break insert;
      }
    }
    if (name === 'customers') lookupReadyMs = performance.now() - started;
  }
  const ms = performance.now() - started;
  const mem = memory.stop();
  const result = { finished, ms, lookupReadyMs, counts: await countSynced(db), ...mem };
  await db.close();
  return result;
}

/** A wrapper around the real API that counts pulls (and can time them) without changing what they do. */
function countingApi(api: SyncApi, tally: { pulls: number }): SyncApi {
  return {
    pull: (collection, checkpoint, limit) => {
      tally.pulls += 1;
      return api.pull(collection, checkpoint, limit);
    },
    push: (collection, rows) => api.push(collection, rows),
  };
}

/** A fresh terminal: enrol (untimed), then open the database and replicate until every collection is at the end. */
async function sync(input: {
  url: string;
  code: string;
  expected: Record<Synced, number>;
  options?: ReplicationOptions;
  profile?: boolean;
  limitMs?: number;
  label?: string;
}): Promise<ClientRun> {
  const store = memoryCredentialStore();
  const credential = await enrol({ serverUrl: input.url, code: input.code, deviceName: 'bench terminal', store });
  const profiler = input.profile ? await startCpuProfile() : null;
  const memory = memorySampler();
  const started = performance.now();
  const rejected = new RejectedRows();
  const db = await createPatronDatabase({ name: `sync${process.pid}`, storage: getRxStorageMemory(), rejected });
  const status = createStatusStore();
  let statusUpdates = 0;
  const countedStatus: StatusStore & { now: () => string } = {
    ...status,
    update(patch) {
      statusUpdates += 1;
      status.update(patch);
    },
  };
  const tokens = createTokenSource({ store });
  const tally = { pulls: 0 };
  const api = countingApi(createSyncApi({ serverUrl: input.url, tokens, status: countedStatus }), tally);
  const replication = startReplication({
    db,
    api,
    tokens,
    serverUrl: input.url,
    terminalId: credential.terminalId,
    rejected,
    status: countedStatus,
    options: input.options,
  });
  const written = trackWritten(db, input.expected, started);
  // Lookup-ready is the product's own signal: the status lists `customers` once its first sync is written.
  let lookupReadyMs: number | null = null;
  void firstValueFrom(status.status$.pipe(filter((s) => s.ready.includes('customers')))).then(() => {
    lookupReadyMs = performance.now() - started;
  });
  // A long run says how far it got (documents received, not yet necessarily written).
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    console.log(`[${input.label ?? 'sync'}] ${seconds.toFixed(0)} s: ${status.get().received} documents received (${Math.round(status.get().received / seconds)}/s)`);
  }, 30_000);
  const done = (async () => {
    await firstValueFrom(status.status$.pipe(filter((s) => s.initialSyncDone)));
    await replication.awaitInSync();
    return true;
  })();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<false>((resolve) => {
    if (input.limitMs !== undefined) timer = setTimeout(() => resolve(false), input.limitMs);
  });
  const finished = await Promise.race([done, limit]);
  clearTimeout(timer);
  clearInterval(progress);
  const ms = performance.now() - started;
  const mem = memory.stop();
  const profile = await profiler?.stop();
  const result: ClientRun = { finished, ms, lookupReadyMs, counts: await countSynced(db), ...mem, written, pulls: tally.pulls, statusUpdates, ...(profile ? { profile } : {}) };
  await replication.stop();
  await db.close();
  return result;
}

/**
 * The network floor: every page of the three collections downloaded and validated by the client's API, in
 * parallel per collection as the sync does, and nothing written — what the server and HTTP alone cost.
 */
async function download(input: { url: string; code: string }): Promise<ClientRun> {
  const store = memoryCredentialStore();
  await enrol({ serverUrl: input.url, code: input.code, deviceName: 'bench download', store });
  const api = createSyncApi({ serverUrl: input.url, tokens: createTokenSource({ store }), status: createStatusStore() });
  const memory = memorySampler();
  const started = performance.now();
  const got = {} as Record<Synced, number>;
  await Promise.all(
    SYNCED.map(async (name) => {
      got[name] = 0;
      for (let checkpoint: string | undefined; ; ) {
        const page = await api.pull(name, checkpoint, 1000);
        got[name] += page.documents.length;
        if (page.documents.length < 1000 || page.checkpoint === null) break;
        checkpoint = page.checkpoint.v;
      }
    }),
  );
  const ms = performance.now() - started;
  return { finished: true, ms, lookupReadyMs: null, counts: got, ...memory.stop() };
}

serveRequests(async (message) => {
  switch (message.cmd) {
    case 'download':
      return download(message as unknown as Parameters<typeof download>[0]);
    case 'floor':
      return floor(message.files as Record<Synced, string>, typeof message.chunk === 'number' ? message.chunk : undefined, typeof message.limitMs === 'number' ? message.limitMs : undefined);
    case 'sync':
      return sync(message as unknown as Parameters<typeof sync>[0]);
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
