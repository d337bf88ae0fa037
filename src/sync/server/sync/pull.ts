import type { CollectionName, PullResponse } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { CheckpointTooOldError } from './horizons.ts';
import { TABLES } from './tables.ts';

/**
 * Checkpoints at or above this mark a pull that started from zero and is still below the feed's horizon:
 * the version plus this mark. Such a pull is a full sync made after the horizon was set, so it missed
 * nothing, while a terminal holding a plain checkpoint below the horizon may have (horizons.ts). Clients
 * treat checkpoints as opaque; versions never come near 2^62.
 */
const FRESH = 2n ** 62n;

/**
 * One page of the gapless change feed (docs/architecture.md#gapless-feed, a MUST rule): rows of this merchant with a version above the
 * checkpoint, in version order, all filtering in SQL so a short page really means "caught up". A plain
 * checkpoint below the feed's horizon throws CheckpointTooOldError (horizons.ts); from zero is complete.
 */
export async function pullPage(db: Queryable, merchantId: string, collection: CollectionName, checkpoint: string | undefined, limit: number): Promise<PullResponse> {
  const given = BigInt(checkpoint ?? '0');
  const fresh = given === 0n || given >= FRESH;
  const since = given >= FRESH ? given - FRESH : given;
  // The text copy of the version is named `v`: an alias `version` would make ORDER BY sort the text
  // ("10" < "9") while WHERE compares numbers — pages would skip and repeat rows. The horizon is read by the
  // same statement (one snapshot), so a purge committing in between cannot hide a deletion.
  const { rows } = await db.query<{ doc: Record<string, unknown>; v: string; horizon: string | null; restored: string | null }>(
    `SELECT doc, version::text AS v,
            (SELECT version::text FROM feed_horizons WHERE merchant_id = $1 AND collection = $4) AS horizon,
            (SELECT restored_version::text FROM feed_horizons WHERE merchant_id = $1 AND collection = $4) AS restored
       FROM ${TABLES[collection]}
      WHERE merchant_id = $1 AND version > $2::bigint
      ORDER BY version LIMIT $3`,
    [merchantId, since.toString(), limit, collection],
  );
  const fence = rows.length > 0 ? { v: rows[0]!.horizon ?? '0', restored: rows[0]!.restored } : await horizonOf(db, merchantId, collection);
  const horizon = BigInt(fence.v);
  if (!fresh && since < horizon) throw new CheckpointTooOldError(collection, horizon.toString(), fence.restored !== null && since < BigInt(fence.restored));
  const documents = rows.map((row) => row.doc);
  const last = rows.at(-1);
  if (!last) {
    // Nothing new: the checkpoint sent comes back as it was, unless the horizon lies beyond it.
    if (checkpoint === undefined) return { documents, checkpoint: null };
    return { documents, checkpoint: { v: since < horizon ? horizon.toString() : checkpoint } };
  }
  let next = BigInt(last.v);
  if (next < horizon) {
    // Caught up: no row exists between the last one and the horizon, and none can appear below it.
    if (rows.length < limit) next = horizon;
    else if (fresh) next += FRESH;
  }
  return { documents, checkpoint: { v: next.toString() } };
}

async function horizonOf(db: Queryable, merchantId: string, collection: CollectionName): Promise<{ v: string; restored: string | null }> {
  const { rows } = await db.query<{ v: string; restored: string | null }>(
    `SELECT version::text AS v, restored_version::text AS restored FROM feed_horizons WHERE merchant_id = $1 AND collection = $2`,
    [merchantId, collection],
  );
  return rows[0] ?? { v: '0', restored: null };
}
