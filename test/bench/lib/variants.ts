import type { PatronDatabase } from '../../../src/sync/client/database.ts';

// What the initial-sync benchmarks observe (shared by the Node child and the page, so nothing here may need
// Node: the page bundles it).

/** The collections the benchmarks fill, in the order the floor inserts them. */
export const SYNCED = ['customers', 'visits', 'loyaltyEntries'] as const;
/** One of them. */
export type Synced = (typeof SYNCED)[number];

/** What one run measured, in Node and in the page alike (times in ms, memory in bytes of JS heap). */
export interface SyncRun {
  /** False when the run was stopped at its time limit before every collection was at the end. */
  finished: boolean;
  ms: number;
  /** Customers complete locally (the cashier can search); null when not reached. */
  lookupReadyMs: number | null;
  counts: Record<Synced, number>;
  peakHeap: number;
  startHeap: number;
  /** When the documents were written locally (sync runs). */
  written?: WrittenTimes;
  /** Pull requests made (sync runs). */
  pulls?: number;
}

/** Documents in each filled collection of `db`. */
export async function countSynced(db: PatronDatabase): Promise<Record<Synced, number>> {
  const out = {} as Record<Synced, number>;
  for (const name of SYNCED) out[name] = (await db.collections[name]?.count().exec()) ?? 0;
  return out;
}

/** When the documents had been written locally (the collections' change events: replication and initial load alike). */
export interface WrittenTimes {
  /** Every expected customer written (the data a lookup needs is there, whatever the status says). */
  customersMs: number | null;
  /** Every expected document written. */
  allMs: number | null;
}

/**
 * Counts each synced collection's written documents and notes when the expected counts are reached — so a
 * run splits into "downloading and writing" and the tail until the replication reports itself in sync.
 */
export function trackWritten(db: PatronDatabase, expected: Record<'customers' | 'visits' | 'loyaltyEntries', number>, started: number): WrittenTimes {
  const times: WrittenTimes = { customersMs: null, allMs: null };
  const counts = { customers: 0, visits: 0, loyaltyEntries: 0 };
  for (const name of ['customers', 'visits', 'loyaltyEntries'] as const) {
    db.collections[name]?.eventBulks$.subscribe((bulk) => {
      counts[name] += bulk.events.length;
      const now = performance.now() - started;
      if (times.customersMs === null && counts.customers >= expected.customers) times.customersMs = now;
      if (times.allMs === null && counts.customers >= expected.customers && counts.visits >= expected.visits && counts.loyaltyEntries >= expected.loyaltyEntries) {
        times.allMs = now;
      }
    });
  }
  return times;
}
