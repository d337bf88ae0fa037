import { getChangedDocumentsSince, type RxCollection } from 'rxdb';
import type { CollectionName } from '../model/wire-protocol.ts';
import type { TotalsApi } from './api.ts';
import type { PatronDatabase } from './database.ts';
import type { StatusStore, SyncStatus } from './status.ts';

// Initial-sync progress in documents. Replication counts the documents it writes (`received`); a percentage
// also needs how many are coming, which only the server knows: its feed totals count what a pull from
// checkpoint 0 returns. That is the right denominator only for a replica that starts empty — a terminal that
// resumes an interrupted sync or catches up after a day pulls just part of the feed — so no total is set
// anywhere else, and the UI shows the count without a percentage rather than a wrong one.

/**
 * Whether the replica holds no document at all, tombstones included: its first sync is ahead. Read it before
 * replication starts writing.
 */
export async function isEmptyReplica(db: PatronDatabase): Promise<boolean> {
  for (const collection of Object.values<RxCollection>(db.collections)) {
    // Through the write-time index every storage keeps; deleted documents are included.
    const { documents } = await getChangedDocumentsSince(collection.storageInstance, 1);
    if (documents.length > 0) return false;
  }
  return true;
}

/**
 * Fetches the feed totals once and sets `expected` to their sum over the replicated collections. Never
 * rejects: offline or an older server without the endpoint leaves `expected` unset (the failure itself is in
 * the status already, as for any request).
 */
export async function loadExpectedDocuments(input: { db: PatronDatabase; api: TotalsApi; status: StatusStore }): Promise<void> {
  const totals = await input.api.totals().catch(() => null);
  if (!totals) return;
  const names = Object.keys(input.db.collections) as CollectionName[];
  input.status.update({ expected: names.reduce((sum, name) => sum + totals.documents[name], 0) });
}

/** Initial-sync progress as the status bar shows it. */
export interface InitialSyncProgress {
  received: number;
  /** Documents in all; null when unknown. Grows with `received` when writes during the sync push past it. */
  total: number | null;
  /** Whole percent as a fraction, at most 0.99 until the initial sync is done; null when the total is unknown. */
  fraction: number | null;
}

/**
 * The progress of the initial sync. Documents written on the server meanwhile (and a document updated after
 * it was pulled, which comes again) make `received` outgrow the total, so only the end of the sync says 100 %.
 */
export function initialSyncProgress(status: Pick<SyncStatus, 'received' | 'expected' | 'initialSyncDone'>): InitialSyncProgress {
  const { received, expected } = status;
  if (expected === undefined) return { received, total: null, fraction: null };
  const total = Math.max(expected, received);
  if (status.initialSyncDone) return { received, total, fraction: 1 };
  const percent = total === 0 ? 0 : Math.min(99, Math.floor((100 * received) / total));
  return { received, total, fraction: percent / 100 };
}
