import type { IdIndex, KeyBatch } from './id-index.ts';
import type { SkipCounts } from './input-shapes.ts';
import type { ZoneClock } from './time.ts';

/**
 * What the visit and ledger tables (visits.ts, ledger.ts) read and write of the replica that owns them: the
 * customer index and chains, balances, stores and the shared key batch. Replica (replica.ts) implements it;
 * the tables depend on this interface rather than on Replica, so the modules form no import cycle.
 */
export interface TableHost {
  readonly clock: ZoneClock;
  readonly customerIndex: IdIndex;
  /** Each customer's latest visit and ledger line (−1: none). */
  readonly visitHead: Int32Array;
  readonly entryHead: Int32Array;
  readonly balance: Float64Array;
  readonly basis: Float64Array;
  readonly skipped: SkipCounts;
  /** The replica's reusable key batch, emptied and sized for `n` keys. */
  keyBatch(n: number): KeyBatch;
  /** The customer index of each batch key (creating placeholders), in batch order. */
  findCustomers(batch: KeyBatch, idOf: (j: number) => string): Int32Array;
  /** The index of a store id, creating it when new. */
  storeSlot(id: string): number;
}
