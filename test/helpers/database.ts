import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Database } from '../../src/sync/server/db/database.ts';
import { migrate } from '../../src/sync/server/db/migrate.ts';
import { createPgliteDatabase } from '../../src/sync/server/db/pglite.ts';
import { createPostgresDatabase } from '../../src/sync/server/db/postgres.ts';

/** The real Postgres the server suite runs against (CI: 127.0.0.1:5432, trust auth, database `test`). */
export const TEST_DATABASE_URL = process.env.PATRON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The database kinds every server test runs on. */
export const DATABASE_KINDS = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** A migrated, empty database of its own for one test file; `drop` removes it. */
export interface TestDatabase {
  db: Database;
  /** Connection string (Postgres only), to open more connections or a second server instance. */
  url: string | null;
  drop(): Promise<void>;
}

/** Creates a fresh database: a new Postgres database per call (so files run in parallel), or in-memory PGlite. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    // PATRON_TEST_PGLITE_ON_DISK=1 (benchmarks): PGlite in a temp folder, fsync and all, as a shop runs it.
    if (process.env.PATRON_TEST_PGLITE_ON_DISK === '1') return pgliteOnDisk();
    const db = await createPgliteDatabase();
    await migrate(db);
    return { db, url: null, drop: () => db.close() };
  }
  const name = `patron_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createPostgresDatabase(url.toString());
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close().catch(() => {});
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

async function pgliteOnDisk(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'patron-pglite-'));
  const db = await createPgliteDatabase(join(dir, 'pgdata'));
  await migrate(db);
  return {
    db,
    url: null,
    async drop() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Everything the server persists: a refused request must leave every count, clock and credential as it was.
const PERSISTED_TABLES = [
  'merchants', 'merchant_clock', 'stores', 'terminals', 'enrolment_codes', 'audit_log', 'rejected_writes', 'server_secrets', 'write_audit',
  'customers', 'visits', 'loyalty_entries', 'rewards', 'settings', 'staff', 'inbox',
] as const;

/** Row counts of every table, the merchants' clocks and the terminals' credential state (current and previous). */
export async function databaseSnapshot(db: Database): Promise<Record<string, string>> {
  const counts: Record<string, string> = {};
  for (const table of PERSISTED_TABLES) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
    counts[table] = rows[0]!.n;
  }
  const clock = await db.query<{ v: string }>(`SELECT COALESCE(sum(version), 0)::text AS v FROM merchant_clock`);
  counts.clock = clock.rows[0]!.v;
  const creds = await db.query<{ h: string | null }>(
    `SELECT string_agg(credential_hash || coalesce(previous_credential_hash, '-'), ',' ORDER BY terminal_id) AS h FROM terminals`,
  );
  counts.credentials = creds.rows[0]!.h ?? '';
  return counts;
}
