import type { Database } from '../../src/sync/server/db/database.ts';

/**
 * Turns a test database into the classic broken sync server: versions from the wall clock (a timestamp
 * cursor, stamped when the row is written, not when it commits) — combined with buildApp's
 * `brokenClockForTests` (no clock row lock) a late-committing row gets a version below a checkpoint that
 * a pull already handed out, and is never pulled. Used to prove the suites can fail.
 */
export async function installTimestampClock(db: Database): Promise<void> {
  await db.exec(`
    CREATE OR REPLACE FUNCTION patron_stamp_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.version := (extract(epoch from clock_timestamp()) * 1000000)::bigint;
      NEW.written_at := now();
      RETURN NEW;
    END
    $$;
  `);
}
