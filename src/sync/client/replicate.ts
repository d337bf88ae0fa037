import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { Subject, filter, firstValueFrom, type Observable, type Subscription } from 'rxjs';
import type { Checkpoint, CollectionName, PushRow } from '../model/wire-protocol.ts';
import { APPEND_ONLY_COLLECTIONS, PULL_ONLY_COLLECTIONS } from '../model/wire-protocol.ts';
import type { SyncApi } from './api.ts';
import type { TokenSource } from './auth.ts';
import type { PatronCollections, PatronDatabase, RejectedRows } from './database.ts';
import { SyncError } from './errors.ts';
import { fullResyncPull } from './full-resync.ts';
import { initialLoad } from './initial-load.ts';
import { startPokeStream } from './pokes.ts';
import { createSetAside, pushSplitting, type SetAside } from './push-split.ts';
import { createPendingWrites, createReceivedCounter, type PendingWrites } from './replication-counters.ts';
import { FIRST_EPOCH, beginNextEpoch, epochIdentifier, madeElsewhere, readEpoch, type Epoch } from './replication-epoch.ts';
import { latestWriteTime } from './monotonic-storage.ts';
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
  /**
   * The device's network went away or came back (the browser's offline/online events): offline at once, or
   * reconnect and pull now. Requests that succeed still decide: they set the status online.
   */
  networkChanged(online: boolean): void;
  /** Keys `collection:id` of local writes the server has not acknowledged (to mark unsynced entries). */
  readonly pending$: Observable<ReadonlySet<string>>;
  /** Resolves when every collection has pushed its queue and pulled to the end of the feed. */
  awaitInSync(): Promise<void>;
  stop(): Promise<void>;
}

/** What replicating one collection needs from the whole replication. */
interface CollectionContext {
  input: ReplicationInput;
  pullBatch: number;
  pushBatch: number;
  received: ReturnType<typeof createReceivedCounter>;
  pending: PendingWrites;
  setAside: SetAside;
  /** Collections whose first pull has reached the end of the feed. */
  caughtUp: Set<CollectionName>;
  /** Resolves when the customers are stored (the initial load of visits and ledger entries waits for it). */
  lookupReady: { promise: Promise<void>; resolve(): void };
  states: Partial<Record<CollectionName, RxReplicationState<unknown, Checkpoint>>>;
  loads: AbortController;
  subscriptions: Subscription[];
  /** Each collection's first step: its current epoch read and its replication started. */
  opened: Promise<void>[];
  /** Replications being replaced by a fresh epoch (a restore), and those already replaced. */
  swaps: Set<Promise<void>>;
  retired: WeakSet<object>;
  pauseAll(): Promise<void>;
}

/** What a replication is started with. */
interface ReplicationInput {
  db: PatronDatabase;
  api: SyncApi;
  tokens: TokenSource;
  serverUrl: string;
  terminalId: string;
  /** The terminal's store: after a restore, customers signed up elsewhere are left to that store's terminals. */
  storeId?: string;
  rejected: RejectedRows;
  status: StatusStore & { now: () => string };
  fetch?: typeof fetch;
  options?: ReplicationOptions;
}

/**
 * Replicates each collection with RxDB's protocol over the sync API (docs/architecture.md#terminal-replication): checkpointed pulls, pushes
 * answered with conflicts, and one poke stream turned into 'RESYNC' — so there is exactly one pull path.
 */
export function startReplication(input: ReplicationInput): Replication {
  const { db, status } = input;
  const names = Object.keys(db.collections) as CollectionName[];
  const resync$ = new Map<CollectionName, Subject<'RESYNC'>>();
  const ctx: CollectionContext = {
    input,
    // Pages of the server's maximum: an initial sync of a big merchant is dominated by per-batch local write
    // costs (RxDB rebuilds index arrays per write), so fewer, larger batches are much faster.
    pullBatch: input.options?.pullBatchSize ?? 1000,
    pushBatch: input.options?.pushBatchSize ?? 100,
    received: createReceivedCounter(status),
    pending: createPendingWrites(status),
    setAside: createSetAside(status),
    caughtUp: new Set(),
    lookupReady: deferred(),
    states: {},
    loads: new AbortController(),
    subscriptions: [],
    opened: [],
    swaps: new Set(),
    retired: new WeakSet(),
    pauseAll: () => pauseAll(),
  };
  for (const name of names) {
    const stream$ = new Subject<'RESYNC'>();
    resync$.set(name, stream$);
    replicateCollection(ctx, name, stream$, names);
  }
  const resync = (collections: readonly CollectionName[] = names) => {
    for (const name of collections) resync$.get(name)?.next('RESYNC');
  };
  const triggers = startResyncTriggers(input, resync);
  const networkChanged = (online: boolean) => {
    if (!online) {
      markUnreachable(status);
      return;
    }
    triggers.reconnect();
    resync();
  };

  async function pauseAll(): Promise<void> {
    triggers.stop();
    await Promise.all(Object.values(ctx.states).map((state) => state?.pause()));
  }

  return {
    states: ctx.states,
    pending$: ctx.pending.pending$,
    resync,
    networkChanged,
    awaitInSync: () => awaitCurrentInSync(ctx),
    async stop() {
      ctx.loads.abort();
      triggers.stop();
      ctx.received.stop();
      for (const sub of ctx.subscriptions) sub.unsubscribe();
      await Promise.all(ctx.opened);
      await Promise.all([...ctx.swaps]);
      await Promise.all(Object.values(ctx.states).map((state) => state?.cancel()));
    },
  };
}

/**
 * What makes every collection pull: a poke, the poke stream (re)connecting or dropping, and a periodic timer
 * that starts once the initial sync is done (during it, a resync only adds work).
 */
function startResyncTriggers(input: ReplicationInput, resync: (collections?: readonly CollectionName[]) => void): { stop(): void; reconnect(): void } {
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
            // The keep-alive deadline passed or the connection failed: offline now, not when a pull times out.
            unreachable: () => markUnreachable(input.status),
          },
        });
  let timer: ReturnType<typeof setInterval> | undefined;
  const startTimer = input.status.status$.subscribe(({ initialSyncDone }) => {
    if (!initialSyncDone || timer !== undefined) return;
    timer = setInterval(() => resync(), input.options?.resyncIntervalMs ?? 60_000);
  });
  return {
    reconnect: () => pokes?.reconnect(),
    stop() {
      pokes?.stop();
      startTimer.unsubscribe();
      clearInterval(timer);
    },
  };
}

/** The server is out of reach (the status store keeps a stop for an update or a revocation). */
function markUnreachable(status: StatusStore): void {
  status.update({ connection: 'offline', lastError: 'NETWORK' });
}

/** What one replication of a collection is: the collection, its identity and the epoch it belongs to. */
interface Lineage {
  name: CollectionName;
  stream$: Subject<'RESYNC'>;
  names: readonly CollectionName[];
  /** The replication's identity without its epoch. */
  base: string;
  epoch: Epoch;
}

/**
 * Starts one collection's replication. A collection terminals push reads its epoch first (replication-epoch.ts):
 * after a restore of the server, a later epoch's replication is the current one, and the first one, made
 * synchronously so that `states` is complete at once, is dropped unstarted.
 */
function replicateCollection(ctx: CollectionContext, name: CollectionName, stream$: Subject<'RESYNC'>, names: readonly CollectionName[]): void {
  const { db, serverUrl, terminalId } = ctx.input;
  const pullOnly = PULL_ONLY_COLLECTIONS.includes(name);
  if (!pullOnly) trackLocalWrites(ctx, name);
  // The server URL and terminal are part of the identity: enrolling elsewhere starts a fresh replication.
  const lineage: Lineage = { name, stream$, names, base: `patron:${serverUrl}:${terminalId}:${name}`, epoch: FIRST_EPOCH };
  const first = openReplication(ctx, lineage);
  ctx.states[name] = first;
  if (pullOnly) {
    launch(ctx, lineage, first);
    return;
  }
  const opened = readEpoch(db as never, lineage.base).then(
    async (epoch) => {
      if (ctx.loads.signal.aborted) return;
      if (epoch.n === FIRST_EPOCH.n) return launch(ctx, lineage, first);
      await first.cancel();
      if (ctx.loads.signal.aborted) return;
      const current = openReplication(ctx, { ...lineage, epoch });
      ctx.states[name] = current;
      launch(ctx, { ...lineage, epoch }, current);
    },
    () => launch(ctx, lineage, first),
  );
  ctx.opened.push(opened);
}

/** Counts the local writes of a collection the terminal pushes as pending until the server acknowledges them. */
function trackLocalWrites(ctx: CollectionContext, name: CollectionName): void {
  const collection = ctx.input.db.collections[name] as PatronCollections[typeof name];
  ctx.subscriptions.push(
    collection.eventBulks$.subscribe((bulk) => {
      if (bulk.context.startsWith('replication-')) return;
      ctx.pending.written(name, bulk.events.map((event) => ({ id: event.documentId, lwt: event.documentData._meta.lwt })));
    }),
  );
}

/** Starts a replication made by `openReplication`: after its initial load for a fresh replica, else at once. */
function launch(ctx: CollectionContext, lineage: Lineage, state: RxReplicationState<unknown, Checkpoint>): void {
  const { name, names } = lineage;
  const checkpoints = checkpointsOf.get(state) ?? {};
  const loadFirst = ctx.input.options?.initialLoad !== false && (APPEND_ONLY_COLLECTIONS.includes(name) || name === 'customers');
  if (loadFirst) void loadThenStart(ctx, name, state, epochIdentifier(lineage.base, lineage.epoch), checkpoints, names);
  else void state.start();
  // Ready when the first pull has reached the end and its documents are written — not RxDB's "initial
  // replication done", which also waits for the push side's first scan of the whole local collection.
  void firstPullDone(state).then(
    () => {
      if (!ctx.retired.has(state)) markCaughtUp(ctx, name, names);
    },
    () => {},
  );
}

/** Where each replication starts, kept by reference: an initial load sets it before the replication starts. */
const checkpointsOf = new WeakMap<object, { pull?: Checkpoint; push?: { id: string; lwt: number } }>();

/** Makes (without starting) the replication of one collection for one epoch. */
function openReplication(ctx: CollectionContext, lineage: Lineage): RxReplicationState<unknown, Checkpoint> {
  const { db, status } = ctx.input;
  const { name } = lineage;
  const collection = db.collections[name] as PatronCollections[typeof name];
  const pullOnly = PULL_ONLY_COLLECTIONS.includes(name);
  const replicationIdentifier = epochIdentifier(lineage.base, lineage.epoch);
  const checkpoints: { pull?: Checkpoint; push?: { id: string; lwt: number } } = {};
  // A 410 CHECKPOINT_TOO_OLD turns into a full resync of the collection (full-resync.ts), or after a restore
  // of the server, for a collection terminals push, into the next epoch's replication.
  const pull = fullResyncPull({
    name,
    api: ctx.input.api,
    collection: collection as never,
    db: db as never,
    identifier: replicationIdentifier,
    appendOnly: APPEND_ONLY_COLLECTIONS.includes(name),
    upstreamIdle: () => upstreamIdle(state),
    ...(pullOnly ? {} : { restored: async () => replaceWithNextEpoch(ctx, lineage, state) }),
  });
  const state = replicateRxCollection<unknown, Checkpoint>({
    collection: collection as never,
    replicationIdentifier,
    live: true,
    retryTime: ctx.input.options?.retryMs ?? 5_000,
    waitForLeadership: false,
    // RxDB would start (or restart) a replication whenever the page becomes visible: before an initial load
    // has finished, or after 426/revoked paused it. A till keeps syncing in the background anyway.
    toggleOnDocumentVisible: false,
    autoStart: false,
    pull: {
      batchSize: ctx.pullBatch,
      get initialCheckpoint() {
        return checkpoints.pull;
      },
      stream$: lineage.stream$.asObservable(),
      handler: async (checkpoint, batchSize) => {
        const page = await pull(checkpoint, batchSize);
        if (page.documents.length < batchSize && ctx.caughtUp.has(name) && !ctx.retired.has(state)) status.update({ lastSyncAt: status.now() });
        return { documents: page.documents as never[], checkpoint: page.checkpoint ?? checkpoint ?? undefined };
      },
    },
    ...(pullOnly
      ? {}
      : {
          push: {
            batchSize: ctx.pushBatch,
            get initialCheckpoint() {
              return checkpoints.push;
            },
            handler: pushHandler(ctx, lineage, (): RxReplicationState<unknown, Checkpoint> => state),
          },
        }),
  });
  checkpointsOf.set(state, checkpoints);
  watch(ctx, state as RxReplicationState<unknown, Checkpoint>);
  return state as RxReplicationState<unknown, Checkpoint>;
}

/** Counts what a replication receives, and pauses every collection on a failure retrying cannot heal. */
function watch(ctx: CollectionContext, state: RxReplicationState<unknown, Checkpoint>): void {
  ctx.subscriptions.push(
    state.error$.subscribe((error) => {
      const cause = findSyncError(error);
      if (cause && (cause.failure === 'update-needed' || cause.failure === 'revoked' || cause.failure === 'not-enrolled')) {
        // Replication cannot heal by itself: stop retrying; the local queue stays in the database.
        void ctx.pauseAll();
      }
    }),
  );
  ctx.subscriptions.push(state.received$.subscribe(() => ctx.received.count(1)));
}

/** The push handler of one replication; a refusal saying it predates a restore of the server begins the next epoch. */
function pushHandler(ctx: CollectionContext, lineage: Lineage, state: () => RxReplicationState<unknown, Checkpoint>): (batch: PushRows) => Promise<never[]> {
  const collection = ctx.input.db.collections[lineage.name] as PatronCollections[CollectionName];
  return async (batch) => {
    try {
      return await pushBatch(ctx, lineage.name, collection, batch, lineage.epoch);
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'CHECKPOINT_TOO_OLD' && error.details?.reason === 'restored')) throw error;
      // The next epoch offers these rows again, as new documents.
      replaceWithNextEpoch(ctx, lineage, state());
      return [];
    }
  };
}

/**
 * The server was restored from a backup: stores the next epoch, then replaces `old` with that epoch's
 * replication, which has no checkpoints and no assumed server states, so it pushes every local document again
 * and pulls from zero. The server settles what it already holds (an equal document is a replay, a different
 * one a conflict merged as usual). The old replication's bookkeeping is removed. Runs in the background: it is
 * called from the old replication's own handlers, which its removal must not wait for.
 */
function replaceWithNextEpoch(ctx: CollectionContext, lineage: Lineage, old: RxReplicationState<unknown, Checkpoint>): void {
  if (ctx.retired.has(old)) return;
  ctx.retired.add(old);
  const collection = ctx.input.db.collections[lineage.name];
  const swap = (async () => {
    let epoch: Epoch;
    try {
      const since = await latestWriteTime(collection.storageInstance as never);
      epoch = await beginNextEpoch(ctx.input.db as never, lineage.base, lineage.epoch, since);
    } catch {
      // Nothing changed: the old replication goes on, and its next 410 tries again.
      ctx.retired.delete(old);
      return;
    }
    await old.remove().catch(() => {});
    if (ctx.loads.signal.aborted) return;
    const next = { ...lineage, epoch };
    const state = openReplication(ctx, next);
    ctx.states[lineage.name] = state;
    launch(ctx, next, state);
  })();
  ctx.swaps.add(swap);
  void swap.finally(() => ctx.swaps.delete(swap));
}

/** Resolves when every collection's current replication is in sync (a replication replaced meanwhile counts as done). */
async function awaitCurrentInSync(ctx: CollectionContext): Promise<void> {
  await Promise.all(ctx.opened);
  for (;;) {
    const current = { ...ctx.states };
    await Promise.all(Object.values(current).map((state) => state && Promise.race([state.awaitInSync(), untilStopped(state)])));
    await Promise.all([...ctx.swaps]);
    const names = Object.keys(current) as CollectionName[];
    if (ctx.swaps.size === 0 && names.every((name) => ctx.states[name] === current[name])) return;
  }
}

/** Resolves once `state` is cancelled or removed (its `awaitInSync` would wait for ever then). */
function untilStopped(state: RxReplicationState<unknown, Checkpoint>): Promise<void> {
  return new Promise((resolve) => {
    if (state.isStopped()) return resolve();
    state.canceled$.subscribe({ next: (canceled) => canceled && resolve(), complete: resolve });
  });
}

/** A collection's first sync is stored locally: the status says so (`customers` ready = lookup-ready). */
function markCaughtUp(ctx: CollectionContext, name: CollectionName, names: readonly CollectionName[]): void {
  ctx.caughtUp.add(name);
  ctx.received.flush();
  if (name === 'customers') ctx.lookupReady.resolve();
  ctx.input.status.update({
    lastSyncAt: ctx.input.status.now(),
    ready: names.filter((n) => ctx.caughtUp.has(n)),
    initialSyncDone: ctx.caughtUp.size === names.length,
  });
}

/**
 * Pushes a batch and keeps the pending writes. RxDB (17.6) reads the local documents of an upstream pass
 * before it compares them with the assumed master state; a pull landing in between makes it offer an older
 * state on top of a newer one, which the server would accept. So what the replica holds now is pushed instead.
 */
async function pushBatch(ctx: CollectionContext, name: CollectionName, collection: PatronCollections[CollectionName], batch: PushRows, epoch: Epoch): Promise<never[]> {
  const { rows, writtenAt } = withoutOthersDocuments(ctx, name, epoch, await withCurrentStates(collection, batch));
  if (rows.length === 0) return [];
  const keys = rows.map((row) => `${name}:${(row.newDocumentState as unknown as { id: string }).id}`);
  // Rows on their way are unacknowledged until answered — also rows written before a restart, which only
  // their push brings back into the pending set (the offline redemption cap counts them from then on).
  ctx.pending.offered(keys, writtenAt);
  const answer = await pushSplitting({ rows: rows as unknown as PushRow[], keys, writtenAt }, (part) => ctx.input.api.push(name, part), {
    setAside: ctx.setAside,
    answered: (part, result) => {
      ctx.input.rejected.mark(name, result.rejected.map((row) => row.id));
      ctx.pending.answered(part.keys, part.writtenAt);
    },
    failed: (part) => ctx.pending.offered(part.keys, part.writtenAt),
  });
  return answer.conflicts as never[];
}

/**
 * A replication begun after a restore offers every document written before it began; of those, the ones
 * another terminal or store made are left out (they count as acknowledged, so RxDB does not offer them again):
 * the server would refuse them from here and answer with a tombstone. Their own terminals push them again.
 */
function withoutOthersDocuments(ctx: CollectionContext, name: CollectionName, epoch: Epoch, batch: { rows: PushRows; writtenAt: number[] }): { rows: PushRows; writtenAt: number[] } {
  if (epoch.n === FIRST_EPOCH.n) return batch;
  const origin = { terminalId: ctx.input.terminalId, storeId: ctx.input.storeId };
  const keep = batch.rows.map((row, i) => batch.writtenAt[i]! > epoch.since || !madeElsewhere(name, row.newDocumentState as Record<string, unknown>, origin));
  return { rows: batch.rows.filter((_, i) => keep[i]), writtenAt: batch.writtenAt.filter((_, i) => keep[i]) };
}

/**
 * A fresh replica's customers, then its visits and ledger entries: downloaded by the initial load
 * (initial-load.ts) — customers first and alone, so the counter's lookup works as soon as they are stored and
 * nothing competes with them for the local writes — then each replication starts from where its load ended.
 * Customers are lookup-ready as soon as their load has stored the last page; their replication then pulls from
 * zero, which stores only the merge base (RxDB's assumed-state documents) of documents that did not change.
 */
async function loadThenStart(
  ctx: CollectionContext,
  name: CollectionName,
  state: RxReplicationState<unknown, Checkpoint>,
  replicationIdentifier: string,
  checkpoints: { pull?: Checkpoint; push?: { id: string; lwt: number } },
  names: readonly CollectionName[],
): Promise<void> {
  const { db, api } = ctx.input;
  try {
    // By name, not by `ctx.states`: collections are set up in the order RxDB lists them, which is not fixed,
    // so the customers' state may not exist yet when the ledger's load asks whether to wait for it.
    const first = name === 'customers' || !names.includes('customers');
    const loaded = await initialLoad({
      collection: db.collections[name] as never,
      name,
      api,
      identifierHash: await db.hashFunction(`rxdbreplication${replicationIdentifier}`),
      batchSize: ctx.pullBatch,
      signal: ctx.loads.signal,
      onWritten: (documents) => ctx.received.count(documents),
      after: first ? undefined : untilAborted(ctx.lookupReady.promise, ctx.loads.signal),
      // Customers are written page by page as they arrive (the write overlaps the next page's download, so the
      // lookup is ready about one page after the last one is downloaded); the rest in large writes (throughput).
      minWrite: name === 'customers' ? Math.min(ctx.pullBatch, ctx.input.options?.initialLoadWrite ?? Infinity) : ctx.input.options?.initialLoadWrite,
    });
    // Customers need the merge base a conflict of a loaded document is merged with: pulled again from zero.
    if (name !== 'customers') checkpoints.pull = loaded?.downstream;
    checkpoints.push = loaded?.upstream;
    if (name === 'customers' && loaded?.complete) markCaughtUp(ctx, name, names);
    // A replica that is not fresh has nothing to load first: the other collections need not wait.
    if (name === 'customers' && loaded === null) ctx.lookupReady.resolve();
  } finally {
    if (!ctx.loads.signal.aborted) await state.start();
  }
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

/** Resolves once the push side has sent what was written so far (its queue stops growing while awaited). */
async function upstreamIdle(state: RxReplicationState<unknown, Checkpoint>): Promise<void> {
  const queues = state.internalReplicationState?.streamQueue;
  if (!queues) return;
  for (let up = queues.up; ; up = queues.up) {
    await up;
    if (queues.up === up) return;
  }
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
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
