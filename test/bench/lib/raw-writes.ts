import type { Database } from '../../../src/sync/server/db/database.ts';

// The server benchmark's raw floors: the rows the terminals pushed, written straight into tables shaped like
// `customers` (LIKE … INCLUDING ALL: columns, generated phone column, primary key, indexes), without HTTP,
// validation or rules.

/** One pushed row as stored: its id and its document's JSON. */
export interface RawRow {
  id: string;
  json: string;
}

/** Runs one statement (on a pool of connections, or on the single PGlite connection). */
export type RawRunner = (sql: string, params: unknown[]) => Promise<void>;

/** What a raw run measured. */
export interface RawRun {
  rows: number;
  ms: number;
  writers: number;
  batch: number;
}

/** A table with no trigger: versions are given by the statement. The floor Patron's push is compared with. */
export const PLAIN_TABLE = 'bench_plain_customers';
/** A table whose rows a per-row trigger stamps with the next clock version: the write path before reserved versions. */
export const STAMPED_TABLE = 'bench_stamped_customers';

/** Creates both tables; the stamping trigger takes (and re-enters) the clock row lock once per row. */
export async function createRawTables(db: Database): Promise<void> {
  await db.exec(`
    CREATE TABLE ${PLAIN_TABLE} (LIKE customers INCLUDING ALL);
    ALTER TABLE ${PLAIN_TABLE} ADD FOREIGN KEY (merchant_id) REFERENCES merchants (merchant_id) ON DELETE CASCADE;
    CREATE TABLE ${STAMPED_TABLE} (LIKE customers INCLUDING ALL);
    ALTER TABLE ${STAMPED_TABLE} ADD FOREIGN KEY (merchant_id) REFERENCES merchants (merchant_id) ON DELETE CASCADE;
    CREATE FUNCTION bench_stamp_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE merchant_clock SET version = version + 1 WHERE merchant_id = NEW.merchant_id RETURNING version INTO NEW.version;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER ${STAMPED_TABLE}_stamp BEFORE INSERT OR UPDATE ON ${STAMPED_TABLE} FOR EACH ROW EXECUTE FUNCTION bench_stamp_version();
  `);
}

const UPSERT = `ON CONFLICT (merchant_id, id) DO UPDATE SET doc = EXCLUDED.doc, deleted = EXCLUDED.deleted, written_by = EXCLUDED.written_by, version = EXCLUDED.version`;

/** A multi-row upsert of `n` rows: $1 merchant, $2 written_by, then id, doc (and the version, unless stamped) per row. */
function upsertStatement(table: string, n: number): string {
  const stamped = table === STAMPED_TABLE;
  const width = stamped ? 2 : 3;
  const values = Array.from({ length: n }, (_, i) => {
    const at = 3 + width * i;
    return stamped ? `($1, $${at}, $${at + 1}::jsonb, false, $2, 0)` : `($1, $${at}, $${at + 1}::jsonb, false, $2, $${at + 2}::bigint)`;
  });
  return `INSERT INTO ${table} (merchant_id, id, doc, deleted, written_by, version) VALUES ${values.join(', ')} ${UPSERT}`;
}

/**
 * Upserts `rows` into an empty `table` (it is emptied first) in statements of `batch` rows, `writers` at once
 * (writer w takes batches w, w + writers, …); plain-table versions are the rows' positions.
 */
export async function rawUpsertRun(db: Database, run: RawRunner, table: string, merchantId: string, rows: readonly RawRow[], writers: number, batch: number): Promise<RawRun> {
  await db.exec(`TRUNCATE ${table}`);
  const batches: { start: number; rows: readonly RawRow[] }[] = [];
  for (let i = 0; i < rows.length; i += batch) batches.push({ start: i, rows: rows.slice(i, i + batch) });
  const stamped = table === STAMPED_TABLE;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let b = w; b < batches.length; b += writers) {
        const { start, rows: slice } = batches[b]!;
        const params = slice.flatMap((row, i) => (stamped ? [row.id, row.json] : [row.id, row.json, start + i + 1]));
        await run(upsertStatement(table, slice.length), [merchantId, 'raw', ...params]);
      }
    }),
  );
  return { rows: rows.length, ms: performance.now() - started, writers, batch };
}
