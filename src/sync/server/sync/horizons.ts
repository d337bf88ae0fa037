import { COLLECTION_NAMES, type CollectionName } from '../../model/wire-protocol.ts';
import type { Database, Queryable } from '../db/database.ts';
import { TABLES } from './tables.ts';

/** A pull resumed from below the feed's horizon (purged tombstones or a restore): 410 CHECKPOINT_TOO_OLD. */
export class CheckpointTooOldError extends Error {
  constructor(
    readonly collection: CollectionName,
    readonly horizon: string,
    /** The checkpoint predates a restore (history lost), not only purged tombstones. */
    readonly restored = false,
  ) {
    super(`checkpoint below the ${collection} feed's horizon ${horizon}`);
    this.name = 'CheckpointTooOldError';
  }
}

/**
 * An erased customer's tombstone is kept for good: it holds no personal data, and it is what refuses a push
 * that would bring the customer back — an insert of the same id included (docs/privacy.md).
 */
const KEEP_ERASED = ` AND doc->>'status' IS DISTINCT FROM 'erased'`;

/**
 * Deletes tombstones written more than `days` days ago (except erased customers') and raises each merchant's horizon to the highest
 * version purged, in one transaction per collection. Every merchant clock is locked first, so no push is
 * between reading a tombstone and updating it while the row goes. Returns the rows purged per collection.
 */
export async function purgeTombstones(db: Database, days: number): Promise<Record<CollectionName, number>> {
  const purged = {} as Record<CollectionName, number>;
  for (const collection of COLLECTION_NAMES) {
    purged[collection] = await db.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM merchant_clock ORDER BY merchant_id FOR UPDATE`);
      const { rows } = await tx.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM ${TABLES[collection]} WHERE deleted AND written_at < now() - make_interval(days => $1)${collection === 'customers' ? KEEP_ERASED : ''}
           RETURNING merchant_id, version
         ), raised AS (
           INSERT INTO feed_horizons (merchant_id, collection, version)
           SELECT merchant_id, $2, max(version) FROM gone GROUP BY merchant_id
           ON CONFLICT (merchant_id, collection) DO UPDATE SET version = GREATEST(feed_horizons.version, EXCLUDED.version)
         )
         SELECT count(*)::int AS n FROM gone`,
        [days, collection],
      );
      return rows[0]?.n ?? 0;
    });
  }
  return purged;
}

/** Far beyond any version a lost stretch of history could have handed out (a merchant writes far fewer). */
const RESTORE_GAP = 2n ** 40n;

/**
 * After a restore: moves every merchant's clock past anything the lost history could have used and puts
 * every horizon there, so each terminal's old checkpoint gets 410 and it resyncs in full (pushing what the
 * backup lacks) instead of silently missing the writes made since.
 */
export async function fenceRestoredFeed(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`UPDATE merchant_clock SET version = version + $1::bigint`, [RESTORE_GAP.toString()]);
    await tx.query(
      `INSERT INTO feed_horizons (merchant_id, collection, version, restored_version)
       SELECT c.merchant_id, x.collection, c.version, c.version FROM merchant_clock c CROSS JOIN unnest($1::text[]) AS x(collection)
       ON CONFLICT (merchant_id, collection) DO UPDATE SET version = EXCLUDED.version, restored_version = EXCLUDED.restored_version`,
      [COLLECTION_NAMES],
    );
  });
}

/**
 * A push that updates documents the server does not hold (it sends an `assumedMasterState` for them) while the
 * feed's last fence is a restore, with no purge since: the pushing replication predates the restore, and the
 * documents were acknowledged after the backup and lost with it — not deleted and purged, as such a row would
 * otherwise mean. Refused whole with 410 `reason: restored` (nothing written), like a pull from before the
 * restore: the terminal then pushes every document again as new (docs/protocol.md §3) instead of taking a
 * tombstone for them. Reads the fence only when such a row is in the batch.
 */
export async function refusePushBeforeRestore(
  tx: Queryable,
  merchantId: string,
  collection: CollectionName,
  rows: readonly { newDocumentState: Record<string, unknown>; assumedMasterState?: unknown }[],
  stored: ReadonlyMap<string, unknown>,
): Promise<void> {
  const lost = rows.some((row) => row.assumedMasterState !== undefined && row.newDocumentState._deleted !== true && !stored.has(row.newDocumentState.id as string));
  if (!lost) return;
  const { rows: fences } = await tx.query<{ v: string; restored: string | null }>(
    `SELECT version::text AS v, restored_version::text AS restored FROM feed_horizons WHERE merchant_id = $1 AND collection = $2`,
    [merchantId, collection],
  );
  const fence = fences[0];
  if (fence && fence.restored !== null && fence.v === fence.restored) throw new CheckpointTooOldError(collection, fence.v, true);
}
