import type { RxDatabase } from 'rxdb';
import type { CollectionName } from '../model/wire-protocol.ts';

/**
 * Which replication of a collection is current. A server restored from a backup has lost what it acknowledged
 * after the backup, but RxDB's replication still assumes the server holds every state it was sent, so it would
 * never offer those documents again. A new epoch is a new replication identifier: a replication with no
 * checkpoints and no assumed server states, which offers every local document once (docs/protocol.md §3).
 * Kept in an RxDB local document, so a restart goes on with the same epoch instead of starting another.
 */
export interface Epoch {
  /** 0 until the server is first found restored. */
  n: number;
  /** The latest local write time (`_meta.lwt`) when the epoch began: what was written up to then predates it. */
  since: number;
}

export const FIRST_EPOCH: Epoch = { n: 0, since: 0 };

const key = (base: string) => `replication-epoch:${base}`;

/** The replication identifier of `epoch` (the first is the plain identifier, so a replica that never met a restore keeps its checkpoints). */
export function epochIdentifier(base: string, epoch: Epoch): string {
  return epoch.n === 0 ? base : `${base}:restored-${epoch.n}`;
}

/** The current epoch of the replication named `base`. */
export async function readEpoch(db: RxDatabase, base: string): Promise<Epoch> {
  const doc = await db.getLocal<Epoch>(key(base));
  return doc ? { n: doc.get('n'), since: doc.get('since') } : FIRST_EPOCH;
}

/** Stores and returns the epoch after `current`; it begins after every local write up to `since`. */
export async function beginNextEpoch(db: RxDatabase, base: string, current: Epoch, since: number): Promise<Epoch> {
  const next: Epoch = { n: current.n + 1, since };
  await db.upsertLocal(key(base), next);
  return next;
}

/** The pushing terminal: the server accepts a new visit, ledger line or customer only as its own. */
export interface Origin {
  terminalId: string;
  /** The terminal's store; unknown, customers of every store count as its own. */
  storeId?: string;
}

/**
 * Whether `doc` is one this terminal could not have created: another terminal's visit or ledger line, or a
 * customer signed up at another store. The server refuses such a document from here as a new one (identity
 * is bound to the token), and answers with a tombstone that would delete the local copy; the terminal that
 * created it offers it instead.
 */
export function madeElsewhere(name: CollectionName, doc: Record<string, unknown>, origin: Origin): boolean {
  if (name === 'visits' || name === 'loyaltyEntries') return doc.terminalId !== origin.terminalId;
  if (name === 'customers') return origin.storeId !== undefined && doc.storeId !== origin.storeId;
  return false;
}
