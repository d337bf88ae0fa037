import type { Replication } from '../../../src/sync/client/replicate.ts';

// Replication variants the profiles compare against the default (shared by the Node child and the page).

/**
 * A variant for the profile: visits and ledger entries wait until customers are complete, so the cashier's
 * lookup does not share the first seconds with 600k other documents. (Paused one tick after start: RxDB
 * queues pause() behind the start it schedules itself.)
 */
export async function customersFirst(replication: Replication): Promise<void> {
  const later = (['visits', 'loyaltyEntries'] as const).map((name) => replication.states[name]).filter((state) => state !== undefined);
  await new Promise((resolve) => setTimeout(resolve, 0));
  await Promise.all(later.map((state) => state.pause()));
  void replication.states.customers?.awaitInitialReplication().then(() => Promise.all(later.map((state) => state.start())));
}

/** When the documents had arrived locally, per the replication's own `received$` (written to the storage). */
export interface WrittenTimes {
  /** Every expected customer written (the data a lookup needs is there, whatever the status says). */
  customersMs: number | null;
  /** Every expected document written. */
  allMs: number | null;
}

/**
 * Counts each synced collection's received documents and notes when the expected counts are reached — so a
 * run splits into "downloading and writing" and the tail until the replication reports itself in sync.
 */
export function trackWritten(replication: Replication, expected: Record<'customers' | 'visits' | 'loyaltyEntries', number>, started: number): WrittenTimes {
  const times: WrittenTimes = { customersMs: null, allMs: null };
  const counts = { customers: 0, visits: 0, loyaltyEntries: 0 };
  for (const name of ['customers', 'visits', 'loyaltyEntries'] as const) {
    replication.states[name]?.received$.subscribe(() => {
      counts[name] += 1;
      const now = performance.now() - started;
      if (times.customersMs === null && counts.customers >= expected.customers) times.customersMs = now;
      if (times.allMs === null && counts.customers >= expected.customers && counts.visits >= expected.visits && counts.loyaltyEntries >= expected.loyaltyEntries) {
        times.allMs = now;
      }
    });
  }
  return times;
}
