import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { syncPath, syncTree } from './durable-fs.ts';
import { LOCK_FILE } from './folder-lock.ts';
import { exitOnPanic, PgliteStartError, startDurablePglite } from './pglite.ts';

/** The Postgres data folder inside a Patron data folder. */
export const PGDATA = 'pgdata';
/** Where a new database is built before it is renamed to `pgdata`: a folder of this name is never data. */
const CREATING = 'pgdata.creating';

/** Names that are never the shop's data: our lock, the admin socket, an interrupted creation. */
const IGNORED = new Set([LOCK_FILE, 'patron.sock', CREATING]);

/** Thrown when a data folder is not a complete database; the message names the folder and what is wrong. */
export class DataFolderError extends Error {
  constructor(dir: string, problem: string) {
    super(
      `the data folder ${dir} is not a usable database: ${problem}. Nothing was changed. If it should hold your ` +
        `data, restore a backup into it (patron-sync restore --data ${dir} --from <backup>); to start afresh, ` +
        'name an empty or new folder.',
    );
    this.name = 'DataFolderError';
  }
}

// What a Postgres data folder cannot be without: a bad restore or a half-copied folder misses one of these.
const REQUIRED = ['PG_VERSION', 'global/pg_control', 'base', 'pg_wal', 'pg_xact'];

/** What a data folder holds: nothing yet (a fresh database may go there), or a database to open. */
export type FolderState = 'empty' | 'database';

/**
 * Looks at a data folder without changing it. `empty` only when it holds nothing but our lock file and
 * the leftovers of an interrupted creation; a folder with anything else and no complete `pgdata` is
 * refused — a fresh database is never made over something that may be the shop's data.
 */
export function inspectDataFolder(dir: string): FolderState {
  const entries = readdirSync(dir).filter((name) => !IGNORED.has(name));
  if (entries.length === 0) return 'empty';
  if (!entries.includes(PGDATA)) {
    throw new DataFolderError(dir, `it holds ${describe(entries)} but no database folder "${PGDATA}" (the wrong folder, or a failed restore?)`);
  }
  const pgdata = join(dir, PGDATA);
  if (!statSync(pgdata).isDirectory()) throw new DataFolderError(dir, `"${PGDATA}" is not a folder`);
  if (readdirSync(pgdata).length === 0) throw new DataFolderError(dir, `"${PGDATA}" is empty (a volume that did not mount, or a failed restore?)`);
  const missing = REQUIRED.filter((name) => !existsSync(join(pgdata, name)));
  if (missing.length > 0) throw new DataFolderError(dir, `"${PGDATA}" is incomplete: ${missing.map((m) => `${PGDATA}/${m}`).join(', ')} missing`);
  return 'database';
}

function describe(entries: string[]): string {
  const shown = entries.slice(0, 3).map((name) => `"${name}"`).join(', ');
  return entries.length > 3 ? `${shown} and ${entries.length - 3} more` : shown;
}

/**
 * Builds a new database in `<dir>/pgdata.creating`, syncs it to disk and renames it to `pgdata`, so a
 * creation cut short (kill -9, power cut) leaves no `pgdata` at all and is simply redone.
 */
export async function createDatabaseFolder(dir: string): Promise<void> {
  const creating = join(dir, CREATING);
  rmSync(creating, { recursive: true, force: true });
  const pglite = await startDurablePglite(creating, exitOnPanic);
  await pglite.close();
  // PGlite unpacks its initdb output without fsync: sync every file before the rename publishes it.
  syncTree(creating);
  renameSync(creating, join(dir, PGDATA));
  // Only the folder itself: opening and closing the lock file here would drop this process's fcntl lock.
  syncPath(dir);
}

/**
 * Opens the database in a complete-looking folder with `open`; when Postgres refuses to start, the error
 * names the folder and what Postgres said, and the `postmaster.pid` the failed start left is removed (as a
 * clean Postgres exit would), so a refused folder is left as it was found.
 */
export async function openExisting<T>(dir: string, open: (pgdata: string) => Promise<T>): Promise<T> {
  const pidFile = join(dir, PGDATA, 'postmaster.pid');
  const hadPidFile = existsSync(pidFile);
  try {
    return await open(join(dir, PGDATA));
  } catch (error) {
    if (!hadPidFile) rmSync(pidFile, { force: true });
    throw damagedFolderError(dir, error);
  }
}

function damagedFolderError(dir: string, error: unknown): Error {
  if (!(error instanceof PgliteStartError)) return error instanceof Error ? error : new Error(String(error));
  const said = error.lines.length > 0 ? error.lines.join('; ') : 'Postgres stopped while opening it';
  return new DataFolderError(dir, `its database files are damaged (${said})`);
}
