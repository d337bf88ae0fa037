import { getChangedDocumentsSince, type RxCollection, type RxStorageInstance } from 'rxdb';
import { now } from 'rxdb/plugins/utils';
import type { Checkpoint, CollectionName, PullResponse } from '../model/wire-protocol.ts';
import type { SyncApi } from './api.ts';
import { firstWriteOutsideInitialLoad, INITIAL_LOAD_CONTEXT } from './monotonic-storage.ts';

/**
 * Documents per local write, at least (unless the download has ended): a storage pays per write for updating
 * its indexes (RxDB's memory storage merges whole index arrays), so fewer, bigger writes are much cheaper.
 */
const MIN_WRITE = 10_000;

/** Where RxDB's replication of a collection starts after an initial load. */
export interface InitialLoadResult {
  /** The server checkpoint after the last page written (the pull side starts there). */
  downstream: Checkpoint | undefined;
  /** The local write-time checkpoint the push side starts from (every later local write is offered). */
  upstream: { id: string; lwt: number } | undefined;
  /** Documents written by the load. */
  documents: number;
  /** Whether the load wrote every page to the end of the feed (else the replication continues from `downstream`). */
  complete: boolean;
}

/**
 * A fresh terminal's first download of an append-only collection (visits, ledger entries — most of a
 * merchant's documents), written straight into the replica instead of through RxDB's replication.
 *
 * RxDB's replication stores, next to every pulled document, a second document with its assumed server
 * state (the base of a three-way merge). For a first download of a big merchant that doubles the local
 * writes, and local writes are what an initial sync costs (IndexedDB writes ~3-4k documents/s). Documents
 * of append-only collections need no merge base: a visit only changes by a void or feedback (merged from
 * the server's state and the local one, `keepVoid`), a ledger line never. So the load writes the pages as
 * RxDB's replication would — marked as the server's state (`_meta.o`, how RxDB's downstream recognises a
 * document it wrote and may overwrite with a newer server state) — and the replication then starts from the
 * load's checkpoints. A local edit of a loaded document is pushed without an assumed state; the server
 * answers with its state as a conflict, and the collection's conflict handler merges it, as for any
 * conflict.
 *
 * Customers load the same way, first, so the counter's lookup is ready as soon as they are stored (nothing
 * else competes for the local writes meanwhile). They do need a merge base: their replication then pulls
 * from zero in the background, and RxDB's downstream, finding each document equal to the server's state,
 * stores only the assumed-state document (replicate.ts).
 *
 * Runs only on an empty collection (a fresh replica); tombstones are skipped (they delete nothing there);
 * anything unusual (an error, a stop) ends the load early and the replication simply continues from the last page written. Sales recorded
 * while the load runs are kept: the push side starts at the first of them (`firstWriteOutsideInitialLoad`).
 */
export async function initialLoad(input: {
  collection: RxCollection;
  name: CollectionName;
  api: SyncApi;
  /** RxDB's replication identifier (`rxdbreplication` + replicationIdentifier), hashed with the database's hash function. */
  identifierHash: string;
  batchSize: number;
  signal: AbortSignal;
  /** Called after each page is written, with its document count. */
  onWritten: (documents: number) => void;
  /** Waited for before anything else (another collection first: on a replica that is not fresh it resolves at once). */
  after?: Promise<unknown>;
  /** Documents per local write, at least (default MIN_WRITE); twice that are downloaded ahead, at most. */
  minWrite?: number;
}): Promise<InitialLoadResult | null> {
  const { collection, api, name, batchSize, signal } = input;
  const instance = (collection.storageInstance as unknown as { originalStorageInstance: RxStorageInstance<Record<string, unknown>, unknown, unknown> }).originalStorageInstance;
  // Waited for first: the emptiness check is this collection's first IndexedDB access (Chromium opens and
  // creates its database then), which would compete with the customers' write.
  await input.after;
  if (signal.aborted) return null;
  const existing = await getChangedDocumentsSince(instance, 1, undefined);
  if (existing.documents.length > 0) return null;

  const revision = `1-${collection.database.token}`;
  const primary = collection.schema.primaryPath as string;
  let downstream: Checkpoint | undefined;
  let lastWritten: { id: string; lwt: number } | undefined;
  let documents = 0;

  // Pages download one after the other while the pages already downloaded are written, all of them in one
  // write of at least `minWrite` documents; at most twice that many are held in memory (20-40 MB of JSON).
  const minWrite = input.minWrite ?? MIN_WRITE;
  const pages: PullResponse[] = [];
  let ahead = 0;
  let downloading = true;
  let writing = true;
  let reachedEnd = false;
  let writeFailed = false;
  const progress = createNotifier();
  signal.addEventListener('abort', () => progress.notify(), { once: true });
  const download = (async () => {
    try {
      let checkpoint: string | undefined;
      for (;;) {
        while (ahead >= 2 * minWrite && writing && !signal.aborted) await progress.wait();
        if (!writing || signal.aborted) return;
        const page = await api.pull(name, checkpoint, batchSize);
        if (page.documents.length > 0) {
          // A tombstone deletes nothing in an empty replica: it is not stored (the page still moves the checkpoint).
          const kept = page.documents.filter((doc) => (doc as { _deleted?: boolean })._deleted !== true);
          pages.push({ ...page, documents: kept });
          ahead += kept.length;
          progress.notify();
        }
        if (page.documents.length < batchSize || page.checkpoint === null) {
          reachedEnd = true;
          return;
        }
        checkpoint = page.checkpoint.v;
      }
    } catch {
      // Offline, a server error, an expired token…: the replication continues from the last page written,
      // with its own retries and error reporting.
    } finally {
      downloading = false;
      progress.notify();
    }
  })();
  try {
    for (;;) {
      while (ahead < minWrite && downloading && !signal.aborted) await progress.wait();
      if (pages.length === 0 || signal.aborted) break;
      const batch = pages.splice(0);
      const docs = batch.flatMap((page) => page.documents as Record<string, unknown>[]);
      ahead -= docs.length;
      progress.notify();
      if (docs.length === 0) {
        downstream = batch.at(-1)!.checkpoint ?? downstream;
        continue;
      }
      const meta = { lwt: now(), o: { _rev: 1, hash: input.identifierHash } };
      const rows = docs.map((doc) => ({ document: { ...doc, _meta: meta, _rev: revision, _attachments: {} } as never }));
      const result = await instance.bulkWrite(rows, INITIAL_LOAD_CONTEXT);
      // 409: the replica already holds the document (a local write); the replication reconciles it.
      const failure = result.error.find((error) => error.status !== 409);
      if (failure) throw new Error(`initial load of ${name}: local write failed (${failure.status})`);
      const stamp = (rows[0]!.document as { _meta: { lwt: number } })._meta.lwt;
      lastWritten = { lwt: stamp, id: docs.map((doc) => String(doc[primary])).reduce((a, b) => (a > b ? a : b)) };
      downstream = batch.at(-1)!.checkpoint ?? downstream;
      documents += docs.length;
      input.onWritten(docs.length);
    }
  } catch {
    // A local write failed: the replication takes over from the last batch written (and reports errors).
    writeFailed = true;
  } finally {
    writing = false;
    progress.notify();
    await download;
  }
  const firstOther = firstWriteOutsideInitialLoad(instance);
  const upstream = firstOther !== null ? { id: '', lwt: firstOther } : lastWritten;
  return { downstream, upstream, documents, complete: reachedEnd && !writeFailed && !signal.aborted && pages.length === 0 };
}

/** Lets one side of the load wait until the other has made progress (every waiter re-checks its condition). */
function createNotifier(): { wait(): Promise<void>; notify(): void } {
  let waiters: (() => void)[] = [];
  return {
    wait: () => new Promise<void>((resolve) => waiters.push(resolve)),
    notify() {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
  };
}
