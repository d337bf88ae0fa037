import { BehaviorSubject, type Observable } from 'rxjs';
import type { CollectionName } from '../model/wire-protocol.ts';
import type { StatusStore } from './status.ts';

// What replication reports as it goes: documents received (initial-sync progress) and the local writes the
// server has not acknowledged yet (the status bar's pending count, the card's "not synced" marks).

/** Counts received documents into the status, at most four times a second. */
export function createReceivedCounter(status: StatusStore): { count(documents: number): void; flush(): void; stop(): void } {
  let unflushed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (unflushed === 0) return;
    status.update({ received: status.get().received + unflushed });
    unflushed = 0;
  };
  return {
    // Progress counts documents once they are written to the local database (not when a page arrives),
    // flushed at most four times a second so a fast initial sync does not re-render the UI per document.
    count(documents) {
      unflushed += documents;
      timer ??= setTimeout(flush, 250);
    },
    flush,
    /** Drops what was not flushed yet (the replication stopped). */
    stop: () => clearTimeout(timer),
  };
}

/**
 * Local writes the server has not answered yet, by the write time (`_meta.lwt`) of each key's last local write.
 * An answer covers the keys whose pushed state was read at or after that write. (Comparing the pushed state
 * with the written one left a write pending for good once a replication write, such as a resolved conflict,
 * had changed the document in between.)
 */
export function createPendingWrites(status: StatusStore) {
  const pending = new Map<string, number>();
  const pending$ = new BehaviorSubject<ReadonlySet<string>>(new Set());
  const publish = () => {
    status.update({ pending: pending.size });
    pending$.next(new Set(pending.keys()));
  };
  return {
    /** Keys `collection:id` of unacknowledged local writes. */
    pending$: pending$.asObservable() as Observable<ReadonlySet<string>>,
    /** Local writes just made (not replication's own). */
    written(collection: CollectionName, writes: readonly { id: string; lwt: number }[]): void {
      for (const write of writes) pending.set(`${collection}:${write.id}`, write.lwt);
      publish();
    },
    /** Rows offered to the server are pending until answered, even when they were written before a restart. */
    offered(keys: readonly string[], writtenAt: readonly number[]): void {
      keys.forEach((key, i) => {
        if (!pending.has(key)) pending.set(key, writtenAt[i]!);
      });
      publish();
    },
    /** An answered push covers each key whose last local write is at or before the state it pushed. */
    answered(keys: readonly string[], writtenAt: readonly number[]): void {
      keys.forEach((key, i) => {
        const lastWrite = pending.get(key);
        if (lastWrite !== undefined && lastWrite <= writtenAt[i]!) pending.delete(key);
      });
      publish();
    },
  };
}

/** The unacknowledged writes of a replication. */
export type PendingWrites = ReturnType<typeof createPendingWrites>;
