import { map, type Observable } from 'rxjs';
import type { RxStorageInstance } from 'rxdb';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { PatronDatabase } from '../database.ts';
import { scanDocuments, type ScanCheckpoint } from '../scan.ts';

/** A stored document as scans and change events give it: its fields, `_deleted`, and RxDB's meta fields. */
export type StoredDocument = { id: string; _deleted: boolean } & Record<string, unknown>;

/**
 * Whole-collection reads for what computes over the entire replica on the device (the analytics worker): pages
 * in write-time order (scan.ts: each page one or two exact index ranges), and every change as it is written.
 */
export function replicaStream(db: PatronDatabase) {
  return {
    /** The replica's database name (what is kept on the device about it is keyed by it). */
    name: db.name,
    /**
     * Every stored document of a collection, tombstones included, in pages of up to `pageSize` in write-time
     * order; with `from`, only those written after that checkpoint (scan.ts).
     */
    pages(collection: CollectionName, pageSize: number, from?: ScanCheckpoint): AsyncGenerator<StoredDocument[]> {
      const instance = db.collections[collection].storageInstance as unknown as RxStorageInstance<StoredDocument, unknown, unknown>;
      return scanDocuments(instance, pageSize, from) as AsyncGenerator<StoredDocument[]>;
    },
    /** The documents of each write to a collection, as stored. */
    changes$(collection: CollectionName): Observable<StoredDocument[]> {
      return db.collections[collection].eventBulks$.pipe(map((bulk) => bulk.events.map((event) => event.documentData as unknown as StoredDocument)));
    },
    /** Runs `fn` when the replica closes. */
    onClose(fn: () => void): void {
      db.onClose.push(fn);
    },
  };
}

/** Whole-collection reads of a replica. */
export type ReplicaStream = ReturnType<typeof replicaStream>;
