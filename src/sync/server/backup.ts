import { closeSync, existsSync, mkdirSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Database } from './db/database.ts';
import { PGDATA } from './db/data-folder.ts';
import { syncPath, syncTree } from './db/durable-fs.ts';
import { lockDataFolder } from './db/folder-lock.ts';
import { migrate } from './db/migrate.ts';
import { createPgliteDatabase, type PgliteDatabase } from './db/pglite.ts';
import { fenceRestoredFeed } from './sync/horizons.ts';
import { TABLES } from './sync/tables.ts';

// Backups of the embedded database: a tar.gz of its data folder (PGlite's dumpDataDir), taken between two
// statements while the server keeps serving — a crash-consistent image that Postgres replays on open, the
// way it recovers from a power cut. Postgres deployments use pg_dump or pg_basebackup instead.

/** Where a restore builds the database it verifies, inside the data folder (same file system: rename is atomic). */
const RESTORING = 'pgdata.restoring';
const PATTERN = /^patron-backup-\d{8}T\d{6}Z\.tar\.gz$/;

/** Thrown when an archive does not hold a database this server can open; nothing was replaced. */
export class BadBackupError extends Error {
  constructor(file: string, problem: string) {
    super(`${file} is not a usable backup: ${problem}; nothing was replaced`);
    this.name = 'BadBackupError';
  }
}

/** Writes `bytes` to `file` durably: a temp file fsynced, renamed over, the folder fsynced. */
export function writeDurably(file: string, bytes: Uint8Array): void {
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  syncPath(dirname(file));
}

/** The archive of a running embedded database (a checkpoint first, so little WAL is left to replay). */
export async function dumpDatabase(db: PgliteDatabase): Promise<Uint8Array> {
  await db.query('CHECKPOINT');
  return new Uint8Array(await (await db.dump()).arrayBuffer());
}

/** Writes a timestamped backup into `dir` and deletes the oldest beyond `keep`; returns the new file. */
export async function backupInto(db: PgliteDatabase, dir: string, keep: number, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const file = join(dir, `patron-backup-${stamp}.tar.gz`);
  writeDurably(file, await dumpDatabase(db));
  const all = readdirSync(dir).filter((name) => PATTERN.test(name)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(dir, old), { force: true });
  return file;
}

/** Reads every row of every table: a damaged page fails its checksum here rather than after the swap. */
async function readEverything(db: Database): Promise<number> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM schema_migrations`);
  if (rows.length === 0) throw new Error('no migrations recorded');
  let documents = 0;
  for (const table of [...Object.values(TABLES), 'merchants', 'merchant_clock', 'terminals', 'staff']) {
    const counted = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT * FROM ${table}) t`);
    documents += counted.rows[0]?.n ?? 0;
  }
  return documents;
}

/**
 * Restores `file` into the data folder `dir` (the server must be stopped: the folder lock is taken). The
 * archive is unpacked into `<dir>/pgdata.restoring`, opened, migrated, read end to end and fenced (every
 * terminal then resyncs in full, horizons.ts); only then is the current `pgdata` moved aside (kept as
 * `pgdata.before-restore-<time>`) and the restored one renamed into place. Returns where the old one went.
 */
export async function restoreBackup(dir: string, file: string): Promise<{ previous: string | null; documents: number }> {
  if (!existsSync(file)) throw new BadBackupError(file, 'the file does not exist');
  mkdirSync(dir, { recursive: true });
  const lock = await lockDataFolder(dir);
  const restoring = join(dir, RESTORING);
  try {
    rmSync(restoring, { recursive: true, force: true });
    let documents: number;
    try {
      // The whole archive is inflated first: a truncated or corrupt one fails here, not in PGlite's unpacker
      // (whose stream error escapes as an unhandled error).
      const tar = gunzipSync(readFileSync(file));
      const db = await createPgliteDatabase(restoring, { load: new Blob([tar]), minFreeBytes: 0 });
      try {
        await migrate(db);
        documents = await readEverything(db);
        await fenceRestoredFeed(db);
      } finally {
        await db.close();
      }
    } catch (error) {
      rmSync(restoring, { recursive: true, force: true });
      throw new BadBackupError(basename(file), (error as Error).message);
    }
    syncTree(restoring);
    const current = join(dir, PGDATA);
    let previous: string | null = null;
    if (existsSync(current)) {
      previous = join(dir, `${PGDATA}.before-restore-${new Date().toISOString().replace(/[-:.]/g, '')}`);
      renameSync(current, previous);
    }
    renameSync(restoring, current);
    syncPath(dir);
    return { previous, documents };
  } finally {
    lock.release();
  }
}
