import type { Database } from '../../src/sync/server/db/database.ts';

/**
 * Turns a test database into the classic broken sync server: versions from the wall clock at the start of the
 * writing transaction (the `updated_at = now()` cursor; a counter only keeps the rows of one transaction
 * apart) in place of the version guard. Combined with buildApp's `brokenClockForTests` (no clock row lock, no
 * version reservation), a transaction that commits after a later-started one gets versions below a checkpoint
 * a pull may already have handed out, and those rows are never pulled. Used to prove the suites can fail.
 */
export async function installTimestampClock(db: Database): Promise<void> {
  await db.exec(`
    CREATE SEQUENCE IF NOT EXISTS broken_version_tiebreak MAXVALUE 999 CYCLE;
    CREATE OR REPLACE FUNCTION patron_guard_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.version := (extract(epoch from now()) * 1000000)::bigint * 1000 + nextval('broken_version_tiebreak');
      NEW.written_at := now();
      RETURN NEW;
    END
    $$;
  `);
}
