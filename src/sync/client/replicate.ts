import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { BehaviorSubject, Subject, filter, firstValueFrom, type Observable, type Subscription } from 'rxjs';
import type { Checkpoint, CollectionName } from '../model/wire-protocol.ts';
import { APPEND_ONLY_COLLECTIONS, PULL_ONLY_COLLECTIONS } from '../model/wire-protocol.ts';
import type { SyncApi } from './api.ts';
import type { TokenSource } from './auth.ts';
import type { PatronCollections, PatronDatabase, RejectedRows } from './database.ts';
import { SyncError } from './errors.ts';
import { initialLoad } from './initial-load.ts';
import { startPokeStream } from './pokes.ts';
import type { StatusStore } from './status.ts';

/** Tuning of the replication; the defaults suit a till on a shop's network. */
export interface ReplicationOptions {
  /** Documents per pull request (a few hundred: big enough for a fast initial sync, small enough to stay responsive). */
  pullBatchSize?: number;
  pushBatchSize?: number;
  /** Wait before retrying a failed request. */
  retryMs?: number;
  /** Periodic resync in case a poke was lost. */
  resyncIntervalMs?: number;
  /** Disable the SSE poke stream (tests that drive resyncs by hand). */
  pokes?: boolean;
  /**
   * A fresh replica downloads visits and ledger entries with the initial load (initial-load.ts) before
   * their replication starts (default true; false measures RxDB's replication alone).
   */
  initialLoad?: boolean;
  /** Documents per local write of the initial load, at least (default 10,000; tests use small pages). */
  initialLoadWrite?: number;
}

/** A running replication of every collection of one terminal. */
export interface Replication {
  readonly states: Partial<Record<CollectionName, RxReplicationState<unknown, Checkpoint>>>;
  /** Pull everything now (what a poke, a reconnect and the timer do). */
  resync(collections?: readonly CollectionName[]): void;
  /** Keys `collection:id` of local writes the server has not acknowledged (to mark unsynced entries). */
  readonly pending$: Observable<ReadonlySet<string>>;
  /** Resolves when every collection has pushed its queue and pulled to the end of the feed. */
  awaitInSync(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Replicates each collection with RxDB's protocol over the sync API (DESIGN §6): checkpointed pulls, pushes
 * answered with conflicts, and one poke stream turned into 'RESYNC' — so there is exactly one pull path.
 */
export function startReplication(input: {
  db: PatronDatabase;
  api: SyncApi;
  tokens: TokenSource;
  serverUrl: string;
  terminalId: string;
  rejected: RejectedRows;
  status: StatusStore & { now: () => string };
  fetch?: typeof fetch;
  options?: ReplicationOptions;
}): Replication {
  const { db, api, status } = input;
  // Pages of the server's maximum: an initial sync of a big merchant is dominated by per-batch local write
  // costs (RxDB rebuilds index arrays per write), so fewer, larger batches are much faster.
  const pullBatch = input.options?.pullBatchSize ?? 1000;
  const pushBatch = input.options?.pushBatchSize ?? 100;
  const names = Object.keys(db.collections) as CollectionName[];
  const resync$ = new Map<CollectionName, Subject<'RESYNC'>>();
  const states: Partial<Record<CollectionName, RxReplicationState<unknown, Checkpoint>>> = {};
  const subscriptions: Subscription[] = [];
  const caughtUp = new Set<CollectionName>();
  const loads = new AbortController();
  let unflushed = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const flushReceived = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (unflushed === 0) return;
    status.update({ received: status.get().received + unflushed });
    unflushed = 0;
  };
  // Progress counts documents once they are written to the local database (not when a page arrives),
  // flushed at most four times a second so a fast initial sync does not re-render the UI per document.
  const countReceived = (documents: number) => {
    unflushed += documents;
    flushTimer ??= setTimeout(flushReceived, 250);
  };
  // Local writes the server has not answered yet, by the write time (`_meta.lwt`) of each key's last local
  // write. An answer covers the keys whose pushed state was read at or after that write. (Comparing the pushed
  // state with the written one left a write pending for good once a replication write, such as a resolved
  // conflict, had changed the document in between.)
  const pending = new Map<string, number>();
  const pending$ = new BehaviorSubject<ReadonlySet<string>>(new Set());
  const publishPending = () => {
    status.update({ pending: pending.size });
    pending$.next(new Set(pending.keys()));
  };

  for (const name of names) {
    const collection = db.collections[name] as PatronCollections[typeof name];
    const stream$ = new Subject<'RESYNC'>();
    resync$.set(name, stream$);
    const pullOnly = PULL_ONLY_COLLECTIONS.includes(name);

    if (!pullOnly) {
      subscriptions.push(
        collection.eventBulks$.subscribe((bulk) => {
          if (bulk.context.startsWith('replication-')) return;
          for (const event of bulk.events) pending.set(`${name}:${event.documentId}`, event.documentData._meta.lwt);
          publishPending();
        }),
      );
    }

    // The server URL and terminal are part of the identity: enrolling elsewhere starts a fresh replication.
    const replicationIdentifier = `patron:${input.serverUrl}:${input.terminalId}:${name}`;
    const loadFirst = input.options?.initialLoad !== false && APPEND_ONLY_COLLECTIONS.includes(name);
    // Kept by reference: an initial load sets where the replication starts before it is started.
    const checkpoints: { pull?: Checkpoint; push?: { id: string; lwt: number } } = {};
    const state = replicateRxCollection<unknown, Checkpoint>({
      collection: collection as never,
      replicationIdentifier,
      live: true,
      retryTime: input.options?.retryMs ?? 5_000,
      waitForLeadership: false,
      // RxDB would start (or restart) a replication whenever the page becomes visible: before an initial load
      // has finished, or after 426/revoked paused it. A till keeps syncing in the background anyway.
      toggleOnDocumentVisible: false,
      autoStart: !loadFirst,
      pull: {
        batchSize: pullBatch,
        get initialCheckpoint() {
          return checkpoints.pull;
        },
        stream$: stream$.asObservable(),
        handler: async (checkpoint, batchSize) => {
          const page = await api.pull(name, checkpoint?.v, batchSize);
          if (page.documents.length < batchSize && caughtUp.has(name)) status.update({ lastSyncAt: status.now() });
          return { documents: page.documents as never[], checkpoint: page.checkpoint ?? checkpoint ?? undefined };
        },
      },
      ...(pullOnly
        ? {}
        : {
            push: {
              batchSize: pushBatch,
              get initialCheckpoint() {
                return checkpoints.push;
              },
              handler: async (batch) => {
                // RxDB (17.6) reads the local documents of an upstream pass before it compares them with the
                // assumed master state; a pull landing in between makes it offer an older state on top of a
                // newer one, which the server would accept. Push what the replica holds now instead.
                const { rows, writtenAt } = await withCurrentStates(collection, batch);
                const keys = rows.map((row) => `${name}:${(row.newDocumentState as unknown as { id: string }).id}`);
                let answer;
                try {
                  answer = await api.push(name, rows);
                } catch (error) {
                  // Rows of a failed attempt are pending even when they were written before a restart.
                  keys.forEach((key, i) => {
                    if (!pending.has(key)) pending.set(key, writtenAt[i]!);
                  });
                  publishPending();
                  throw error;
                }
                input.rejected.mark(name, answer.rejected.map((row) => row.id));
                keys.forEach((key, i) => {
                  const lastWrite = pending.get(key);
                  if (lastWrite !== undefined && lastWrite <= writtenAt[i]!) pending.delete(key);
                });
                publishPending();
                return answer.conflicts as never[];
              },
            },
          }),
    });
    subscriptions.push(
      state.error$.subscribe((error) => {
        const cause = findSyncError(error);
        if (cause && (cause.failure === 'update-needed' || cause.failure === 'revoked' || cause.failure === 'not-enrolled')) {
          // Replication cannot heal by itself: stop retrying; the local queue stays in the database.
          void pauseAll();
        }
      }),
    );
    subscriptions.push(state.received$.subscribe(() => countReceived(1)));
    if (loadFirst) {
      void (async () => {
        try {
          const customers = states.customers;
          const loaded = await initialLoad({
            collection: collection as never,
            name,
            api,
            identifierHash: await db.hashFunction(`rxdbreplication${replicationIdentifier}`),
            batchSize: pullBatch,
            signal: loads.signal,
            onWritten: countReceived,
            // Customers first: the counter's lookup works as soon as they are in, and the load would compete
            // with them for the same local writes.
            after: customers ? untilAborted(firstPullDone(customers), loads.signal) : undefined,
            minWrite: input.options?.initialLoadWrite,
          });
          checkpoints.pull = loaded?.downstream;
          checkpoints.push = loaded?.upstream;
        } finally {
          if (!loads.signal.aborted) await state.start();
        }
      })();
    }
    // Ready when the first pull has reached the end and its documents are written — not RxDB's "initial
    // replication done", which also waits for the push side's first scan of the whole local collection.
    void firstPullDone(state).then(() => {
      caughtUp.add(name);
      flushReceived();
      status.update({
        lastSyncAt: status.now(),
        ready: names.filter((n) => caughtUp.has(n)),
        initialSyncDone: caughtUp.size === names.length,
      });
    }, () => {});
    states[name] = state as RxReplicationState<unknown, Checkpoint>;
  }

  const resync = (collections: readonly CollectionName[] = names) => {
    for (const name of collections) resync$.get(name)?.next('RESYNC');
  };

  const pokes =
    input.options?.pokes === false
      ? null
      : startPokeStream({
          serverUrl: input.serverUrl,
          tokens: input.tokens,
          fetch: input.fetch,
          handlers: {
            poke: (collections) => resync(collections),
            connected: () => resync(),
            // A lost stream is the first sign the server is gone: pull now, so a failing request flips the
            // status to offline within seconds (writes made meanwhile are then stamped offline).
            disconnected: () => resync(),
          },
        });
  // The periodic resync starts once the initial sync is done: during it, a resync only adds work.
  let timer: ReturnType<typeof setInterval> | undefined;
  const startTimer = status.status$.subscribe(({ initialSyncDone }) => {
    if (!initialSyncDone || timer !== undefined) return;
    timer = setInterval(() => resync(), input.options?.resyncIntervalMs ?? 60_000);
  });
  subscriptions.push(startTimer);

  async function pauseAll(): Promise<void> {
    pokes?.stop();
    startTimer.unsubscribe();
    clearInterval(timer);
    await Promise.all(Object.values(states).map((state) => state?.pause()));
  }

  return {
    states,
    pending$: pending$.asObservable(),
    resync,
    async awaitInSync() {
      await Promise.all(Object.values(states).map((state) => state?.awaitInSync()));
    },
    async stop() {
      loads.abort();
      pokes?.stop();
      clearInterval(timer);
      clearTimeout(flushTimer);
      for (const sub of subscriptions) sub.unsubscribe();
      await Promise.all(Object.values(states).map((state) => state?.cancel()));
    },
  };
}

type PushRows = Parameters<NonNullable<Parameters<typeof replicateRxCollection<unknown, Checkpoint>>[0]['push']>['handler']>[0];

/**
 * The rows with the states the replica holds now, and when each state was written (`-Infinity` for a row the
 * replica does not hold, which no local write can be pending for).
 */
async function withCurrentStates(
  collection: { storageInstance: { findDocumentsById(ids: string[], withDeleted: boolean): Promise<unknown[]> } },
  batch: PushRows,
): Promise<{ rows: PushRows; writtenAt: number[] }> {
  const ids = batch.map((row) => (row.newDocumentState as unknown as { id: string }).id);
  const stored = (await collection.storageInstance.findDocumentsById(ids, true)) as { id: string; _meta: { lwt: number } }[];
  const current = new Map(stored.map((doc) => [doc.id, doc]));
  const writtenAt: number[] = [];
  const rows = batch.map((row, i) => {
    const now = current.get(ids[i]!);
    writtenAt.push(now?._meta.lwt ?? -Infinity);
    return now === undefined ? row : { ...row, newDocumentState: stripMeta(now) as typeof row.newDocumentState };
  });
  return { rows, writtenAt };
}

async function firstPullDone(state: RxReplicationState<unknown, Checkpoint>): Promise<void> {
  await state.startPromise;
  const internal = state.internalReplicationState;
  if (!internal) return state.awaitInitialReplication();
  await firstValueFrom(internal.firstSyncDone.down.pipe(filter((done) => done)));
}

/** `promise`, or settles when `signal` aborts (then the caller checks the signal). */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    signal.addEventListener('abort', resolve, { once: true });
    promise.then(resolve, resolve);
  });
}

function stripMeta(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null) return doc;
  const { _meta: _m, _rev: _r, _attachments: _a, ...rest } = doc as Record<string, unknown>;
  return rest;
}

function findSyncError(error: unknown): SyncError | null {
  // RxDB wraps handler errors (RC_PULL / RC_PUSH) with the original in `parameters.errors`.
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === null || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    if (next instanceof SyncError) return next;
    const record = next as { parameters?: { errors?: unknown[] }; cause?: unknown; errors?: unknown[] };
    queue.push(...(record.parameters?.errors ?? []), record.cause, ...(record.errors ?? []));
  }
  return null;
}
