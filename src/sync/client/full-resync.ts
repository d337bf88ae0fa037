import type { RxCollection, RxDatabase } from 'rxdb';
import type { Checkpoint, CollectionName, PullResponse } from '../model/wire-protocol.ts';
import type { SyncApi } from './api.ts';
import { SyncError } from './errors.ts';

/** The longest wait for the push side to send the local queue before a full resync (then the pull retries). */
const PUSH_FIRST_TIMEOUT_MS = 60_000;

/** What the pull of one collection needs to resync it in full. */
export interface FullResyncInput {
  name: CollectionName;
  api: SyncApi;
  collection: RxCollection;
  /** Where the "resync under way" mark is kept (RxDB local documents survive a restart). */
  db: RxDatabase;
  /** The replication's identifier: the mark belongs to one replication of the collection. */
  identifier: string;
  /** Append-only collections are never deleted on the server, so a resync deletes nothing locally. */
  appendOnly: boolean;
  /** Resolves once the push side has sent every local write made so far (the queue goes first). */
  upstreamIdle(): Promise<void>;
  /**
   * Collections terminals push: after a restore (the 410's `reason: restored`) the replication is replaced by
   * a fresh one that offers every local document again (replicate.ts), instead of a resync that would only
   * keep them here. Called once the queue is pushed; the old replication stops.
   */
  restored?(): Promise<void>;
}

/**
 * The pull handler of one collection, with the full resync a `410 CHECKPOINT_TOO_OLD` asks for
 * (docs/protocol.md §3): the server purged tombstones or was restored beyond this terminal's checkpoint.
 *
 * 1. The local queue is pushed first (the push side runs; this waits for it to be idle), nothing is dropped.
 * 2. The collection is pulled from zero, page by page, through RxDB's replication as usual (its downstream
 *    never overwrites a local write that is not pushed yet), remembering every id the server still has.
 * 3. With the last page come tombstones for the local documents the server no longer has (not seen in the
 *    full pull): RxDB writes them as the server's state, so they are not pushed back, and it skips any that
 *    carries a local write not yet pushed — that one is pushed instead, so nothing unacknowledged is lost.
 *    Not after a restore (the 410's `reason: restored`): a document the restored server lacks was written
 *    after its backup, not deleted, and stays here. Collections terminals push do not resync after a restore:
 *    `restored` replaces their replication with one that pushes every local document again.
 * 4. The last checkpoint is stored by RxDB as for any pull, and the replication continues live.
 *
 * A mark (a local document) says a resync is under way: after a restart in the middle, it starts again from
 * zero, since the ids seen before the restart are gone.
 */
export function fullResyncPull(input: FullResyncInput): (checkpoint: Checkpoint | undefined, batchSize: number) => Promise<PullResponse> {
  const markId = `full-resync:${input.identifier}`;
  /**
   * The ids the full pull returned so far, whether its first page is still to be requested, and whether the
   * server lost history in a restore: then a document it lacks was not deleted, and is kept here.
   */
  let resync: { seen: Set<string>; fromZero: boolean; restored: boolean } | null = null;
  let markChecked = false;

  async function begin(restored: boolean): Promise<void> {
    await pushedFirst(input.upstreamIdle);
    await input.db.upsertLocal(markId, { since: new Date().toISOString(), restored });
    resync = { seen: new Set(), fromZero: true, restored };
  }

  async function pull(checkpoint: Checkpoint | undefined, batchSize: number): Promise<PullResponse> {
    if (!markChecked) {
      markChecked = true;
      const mark = await input.db.getLocal<{ restored?: boolean }>(markId);
      if (mark) await begin(mark.get('restored') === true);
    }
    try {
      return await input.api.pull(input.name, resync?.fromZero ? undefined : checkpoint?.v, batchSize);
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'CHECKPOINT_TOO_OLD')) throw error;
      const restored = error.details?.reason === 'restored';
      if (restored && input.restored) {
        await pushedFirst(input.upstreamIdle);
        await input.restored();
        // Nothing for this replication: it is over, and the fresh one pulls from zero.
        return { documents: [], checkpoint: checkpoint ?? null };
      }
      await begin(restored);
      return input.api.pull(input.name, undefined, batchSize);
    }
  }

  return async (checkpoint, batchSize) => {
    const page = await pull(checkpoint, batchSize);
    const current = resync;
    if (current === null) return page;
    current.fromZero = false;
    for (const doc of page.documents) current.seen.add(String(doc.id));
    if (page.documents.length >= batchSize && page.checkpoint !== null) return page;
    const gone = input.appendOnly || current.restored ? [] : await tombstonesOfUnseen(input.collection, current.seen);
    resync = null;
    await (await input.db.getLocal(markId))?.remove();
    return { documents: [...page.documents, ...gone], checkpoint: page.checkpoint };
  };
}

/** Waits for the push side to be idle, or fails (so the pull is retried later from the old checkpoint). */
async function pushedFirst(upstreamIdle: () => Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SyncError('offline', 'NETWORK')), PUSH_FIRST_TIMEOUT_MS);
  });
  try {
    await Promise.race([upstreamIdle(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The local documents (not deleted) whose ids the full pull did not return, as tombstones. */
async function tombstonesOfUnseen(collection: RxCollection, seen: ReadonlySet<string>): Promise<Record<string, unknown>[]> {
  const local = await collection.find().exec();
  return local
    .filter((doc) => !seen.has(String(doc.primary)))
    .map((doc) => ({ ...(doc.toJSON() as Record<string, unknown>), _deleted: true }));
}
