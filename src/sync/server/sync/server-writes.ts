import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { TABLES, type Doc } from './tables.ts';

/** Writes server-made documents as ordinary new versions. `onlyNew` leaves existing ids untouched. */
export async function writeServerDocs(tx: Queryable, collection: CollectionName, merchantId: string, docs: readonly Doc[], options: { onlyNew: boolean }): Promise<number> {
  let written = 0;
  for (const doc of docs) {
    const json = JSON.stringify(doc);
    const result = await tx.query(
      options.onlyNew
        ? `INSERT INTO ${TABLES[collection]} (merchant_id, id, doc, deleted, written_by) VALUES ($1, $2, $3::jsonb, $4, 'server')
           ON CONFLICT (merchant_id, id) DO NOTHING RETURNING id`
        : `INSERT INTO ${TABLES[collection]} (merchant_id, id, doc, deleted, written_by) VALUES ($1, $2, $3::jsonb, $4, 'server')
           ON CONFLICT (merchant_id, id) DO UPDATE SET doc = EXCLUDED.doc, deleted = EXCLUDED.deleted, written_by = 'server' RETURNING id`,
      [merchantId, doc.id, json, doc._deleted === true],
    );
    written += result.rows.length;
  }
  return written;
}

/** The business time of a server-made change: now, but never before the document's own time. */
export function serverUpdatedAt(previous: string, now: string): string {
  return previous > now ? previous : now;
}
