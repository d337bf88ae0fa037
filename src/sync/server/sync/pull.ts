import type { Checkpoint, CollectionName, PullResponse } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { TABLES } from './tables.ts';

/**
 * One page of the gapless change feed (DESIGN §6 MUST): rows of this merchant with a version above the
 * checkpoint, in version order, all filtering in SQL so a short page really means "caught up".
 */
export async function pullPage(db: Queryable, merchantId: string, collection: CollectionName, checkpoint: string | undefined, limit: number): Promise<PullResponse> {
  const since = checkpoint ?? '0';
  // The text copy of the version is named `v`: an alias `version` would make ORDER BY sort the text
  // ("10" < "9") while WHERE compares numbers — pages would skip and repeat rows.
  const { rows } = await db.query<{ doc: Record<string, unknown>; v: string }>(
    `SELECT doc, version::text AS v FROM ${TABLES[collection]}
      WHERE merchant_id = $1 AND version > $2::bigint
      ORDER BY version LIMIT $3`,
    [merchantId, since, limit],
  );
  const last = rows.at(-1);
  const next: Checkpoint | null = last ? { v: last.v } : checkpoint !== undefined ? { v: since } : null;
  return { documents: rows.map((row) => row.doc), checkpoint: next };
}
