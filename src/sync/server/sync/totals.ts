import { COLLECTION_NAMES, type CollectionName, type SyncTotals } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { TABLES } from './tables.ts';

// One scalar subquery per collection table, in one statement: every count comes from the same snapshot, in
// one round trip. The WHERE is pullPage's (sync/pull.ts) with checkpoint 0, so a count is exactly what
// pulling that collection from the start to the end returns: every stored row of the merchant once, at its
// latest version, tombstones included; quarantined writes live in rejected_writes and never reach the feed.
// The feed index (merchant_id, version) answers each count without reading documents.
const TOTALS_SQL = `SELECT ${COLLECTION_NAMES.map(
  (name) => `(SELECT count(*) FROM ${TABLES[name]} WHERE merchant_id = $1 AND version > 0)::int AS "${name}"`,
).join(',\n       ')}`;

/** How many documents the merchant's feed holds per collection: what a pull from checkpoint 0 returns now. */
export async function feedTotals(db: Queryable, merchantId: string): Promise<SyncTotals> {
  const { rows } = await db.query<Record<CollectionName, number>>(TOTALS_SQL, [merchantId]);
  const row = rows[0];
  if (!row) throw new Error('feed totals: no row');
  return { documents: Object.fromEntries(COLLECTION_NAMES.map((name) => [name, row[name]])) as Record<CollectionName, number> };
}
