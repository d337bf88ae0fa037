import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** The versioned SQL migrations shipped with the server, in order (`NNN_name.sql`). */
export function listMigrations(): { id: string; sql: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ id: name.replace(/\.sql$/, ''), sql: readFileSync(MIGRATIONS_DIR + name, 'utf8') }));
}

/**
 * Applies the migrations not yet applied, all in one transaction under an advisory lock: two instances
 * starting at once queue on the lock, and the second finds nothing left to do. Returns the ids applied.
 */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Migrations may rewrite big tables and wait for another instance's migration: the session limits
    // meant for pushes (db/postgres.ts) do not apply to them.
    await tx.query(`SET LOCAL lock_timeout = 0`);
    await tx.query(`SET LOCAL statement_timeout = 0`);
    await tx.query(`SELECT pg_advisory_xact_lock(7369712)`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ id: string }>(`SELECT id FROM schema_migrations`);
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of listMigrations()) {
      if (done.has(migration.id)) continue;
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO schema_migrations (id) VALUES ($1)`, [migration.id]);
      applied.push(migration.id);
    }
    return applied;
  });
}

