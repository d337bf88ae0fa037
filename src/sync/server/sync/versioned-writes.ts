import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { auditWrittenRows } from './audit.ts';
import { TABLES, type Doc } from './tables.ts';

/** How a write treats a document id the table already holds for the merchant. */
export type OnConflict = 'update' | 'keep';

/** Options of a versioned write. */
export interface VersionedWriteOptions {
  /** `update` replaces the stored document (a new version); `keep` leaves it and writes nothing for it. */
  onConflict: OnConflict;
  /**
   * False skips the reservation, leaving the versions unset. Only the tests' deliberately broken server uses
   * it (with a timestamp trigger installed instead of the guard), to prove the suites catch a broken feed.
   */
  reserveVersions?: boolean;
  /** The documents' JSON when the caller already has it (a push serialises before the clock lock). */
  jsonOf?: (doc: Doc) => string | undefined;
  /** False leaves the audit trail out: only for generated data (the demo merchant), never for a real write. */
  audit?: boolean;
}

/**
 * Writes documents of one merchant in one statement: it reserves one version per document with a single
 * clock update (patron_reserve_versions, which also takes the clock row lock if the caller has not) and
 * gives the documents consecutive versions in the order given, so the feed carries them in that order.
 * A document id must appear at most once. The same statement records each written row in the audit trail
 * (audit.ts), diffed against the row it replaced. Returns the ids written.
 */
export async function writeVersioned(tx: Queryable, collection: CollectionName, merchantId: string, writtenBy: string, docs: readonly Doc[], options: VersionedWriteOptions): Promise<string[]> {
  if (docs.length === 0) return [];
  const conflict =
    options.onConflict === 'update'
      ? `ON CONFLICT (merchant_id, id) DO UPDATE SET doc = EXCLUDED.doc, deleted = EXCLUDED.deleted, written_by = EXCLUDED.written_by, version = EXCLUDED.version`
      : `ON CONFLICT (merchant_id, id) DO NOTHING`;
  // The reservation is a MATERIALIZED CTE: it runs once, before the first row reaches the guard trigger.
  const audited = options.audit === false ? '' : `, ${auditWrittenRows(collection, { merchant: '$1', writer: '$6' })}`;
  const { rows } = await tx.query<{ id: string }>(
    `WITH reserved AS MATERIALIZED (SELECT CASE WHEN $7 THEN patron_reserve_versions($1, $2) END AS first),
     written AS (
       INSERT INTO ${TABLES[collection]} (merchant_id, id, doc, deleted, written_by, version)
       SELECT $1, u.id, u.doc::jsonb, u.deleted, $6, reserved.first + u.n - 1
         FROM reserved, unnest($3::text[], $4::text[], $5::boolean[]) WITH ORDINALITY AS u(id, doc, deleted, n)
       ${conflict}
       RETURNING id, version, doc, xmax = 0 AS inserted)${audited}
     SELECT id FROM written`,
    [merchantId, docs.length, docs.map((d) => d.id), docs.map((d) => options.jsonOf?.(d) ?? JSON.stringify(d)), docs.map((d) => d._deleted === true), writtenBy, options.reserveVersions !== false],
  );
  return rows.map((row) => row.id);
}
