import { statfsSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';
import { DatabaseDamagedError, DiskFullError, isDataCorruption, isDiskFull } from './database.ts';
import { DURABLE_START_PARAMS, DurableNodeFS } from './durable-fs.ts';

/**
 * Free space the embedded database's disk keeps by default. Postgres PANICs when it cannot create a WAL
 * segment (16 MiB, zero-filled at once), and PGlite then spins forever instead of exiting, so every query
 * is refused well before that: one new segment plus the largest batch, with room to spare.
 */
export const DEFAULT_MIN_FREE_BYTES = 64 * 1024 * 1024;

/** Something the operator must hear about, reported by an embedded database on disk. */
export type DatabaseEvent =
  | { kind: 'disk-full'; path: string; freeBytes: number; neededBytes: number }
  | { kind: 'disk-ok'; path: string; freeBytes: number }
  | { kind: 'damaged'; detail: string }
  | { kind: 'panic'; line: string };

export interface PgliteOptions {
  /** Free bytes the data folder's disk must keep; below that every query fails with DiskFullError. 0: no check. */
  minFreeBytes?: number | undefined;
  onEvent?: ((event: DatabaseEvent) => void) | undefined;
  /**
   * Runs (synchronously, from inside PGlite) when Postgres PANICs. PGlite cannot go on — it loops forever —
   * so the default ends the process with code 70, letting a supervisor restart it and Postgres replay its
   * WAL; tests that expect no PANIC may pass their own.
   */
  onPanic?: ((line: string) => void) | undefined;
  /** A backup (a tar of a data folder, gzipped or not) to unpack into the empty folder first: restores. */
  load?: Blob | undefined;
}

/** An embedded database on disk: also dumps its data folder (backups). */
export interface PgliteDatabase extends Database {
  readonly kind: 'pglite';
  /** A tar of the data folder taken between two statements: a crash-consistent image, replayed on open. */
  dump(): Promise<Blob>;
}

/** Thrown when PGlite cannot start on a folder; `lines` are the FATAL/PANIC lines Postgres printed. */
export class PgliteStartError extends Error {
  constructor(
    readonly lines: string[],
    cause: unknown,
  ) {
    super(lines.at(-1) ?? String(cause), { cause });
    this.name = 'PgliteStartError';
  }
}

const SERIOUS = /\b(FATAL|PANIC):/;

/** Starts PGlite on `pgdata` with fsync reaching the disk (durable-fs.ts); `load` unpacks a backup there first. */
export async function startDurablePglite(pgdata: string, onPanic: (line: string) => void, load?: Blob): Promise<PGlite> {
  const lines: string[] = [];
  let started = false;
  const onStderr = (line: string): boolean => {
    if (!started) {
      if (SERIOUS.test(line)) lines.push(line.replace(/^.*?\b(FATAL|PANIC):\s*/, '$1: '));
    } else if (/\bPANIC:/.test(line)) {
      onPanic(line);
    }
    return false;
  };
  try {
    const pglite = await PGlite.create({ fs: new DurableNodeFS(pgdata), startParams: [...DURABLE_START_PARAMS], onStderr, ...(load ? { loadDataDir: load } : {}) });
    started = true;
    return pglite;
  } catch (error) {
    throw new PgliteStartError(lines, error);
  }
}

/** What follows a PANIC by default: PGlite would spin forever, so the process ends (code 70) and says why. */
export function exitOnPanic(line: string): never {
  process.stderr.write(`patron-sync: the embedded database stopped: ${line.trim()}\n`);
  process.exit(70);
}

/**
 * Embedded Postgres (PGlite): one in-process connection, so transactions queue behind each other — the same
 * serialisation the clock row lock gives on a real server. Without a folder it lives in memory (tests); on
 * disk (`npm start`, small shops) every commit is fsynced and every query first checks the disk's free
 * space (see DEFAULT_MIN_FREE_BYTES).
 */
export async function createPgliteDatabase(): Promise<Database>;
export async function createPgliteDatabase(pgdata: string, options?: PgliteOptions): Promise<PgliteDatabase>;
export async function createPgliteDatabase(pgdata?: string, options: PgliteOptions = {}): Promise<Database> {
  if (pgdata === undefined) return adapter(await PGlite.create(), async () => {});
  return openOnDisk(pgdata, options);
}

async function openOnDisk(pgdata: string, options: PgliteOptions): Promise<PgliteDatabase> {
  const onEvent = options.onEvent ?? (() => {});
  const pglite = await startDurablePglite(
    pgdata,
    (line) => {
      onEvent({ kind: 'panic', line });
      (options.onPanic ?? exitOnPanic)(line);
    },
    options.load,
  );
  const guard = diskGuard(pgdata, options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES, onEvent);
  const db = adapter(pglite, guard.check, (error) => {
    if (isDiskFull(error)) guard.sawFull();
    if (isDataCorruption(error) && guard.damaged === null) {
      guard.damaged = (error as Error).message;
      onEvent({ kind: 'damaged', detail: guard.damaged });
    }
  });
  return {
    ...db,
    kind: 'pglite',
    async checkReady() {
      if (guard.damaged !== null) throw new DatabaseDamagedError(guard.damaged);
      await db.query('SELECT 1');
    },
    dump: () => pglite.dumpDataDir('gzip'),
  };
}

interface DiskGuard {
  check(): Promise<void>;
  /** Postgres itself met a full disk: refuse until the next check finds room. */
  sawFull(): void;
  damaged: string | null;
}

function diskGuard(path: string, minFreeBytes: number, onEvent: (event: DatabaseEvent) => void): DiskGuard {
  let full = false;
  const guard: DiskGuard = {
    damaged: null,
    async check() {
      if (minFreeBytes <= 0) return;
      const stats = statfsSync(path);
      const freeBytes = stats.bavail * stats.bsize;
      if (freeBytes < minFreeBytes) {
        if (!full) onEvent({ kind: 'disk-full', path, freeBytes, neededBytes: minFreeBytes });
        full = true;
        throw new DiskFullError(path, freeBytes, minFreeBytes);
      }
      if (full) onEvent({ kind: 'disk-ok', path, freeBytes });
      full = false;
    },
    sawFull() {
      if (!full) onEvent({ kind: 'disk-full', path, freeBytes: 0, neededBytes: minFreeBytes });
      full = true;
    },
  };
  return guard;
}

function adapter(pglite: PGlite, before: () => Promise<void>, onError: (error: unknown) => void = () => {}): Database {
  const watched = async <T>(run: () => Promise<T>): Promise<T> => {
    await before();
    try {
      return await run();
    } catch (error) {
      onError(error);
      throw error;
    }
  };
  const query: Queryable['query'] = (sql, params) => watched(async () => ({ rows: (await pglite.query(sql, params as unknown[])).rows as never[] }));
  return {
    kind: 'pglite',
    query,
    exec: (sql) => watched(async () => { await pglite.exec(sql); }),
    transaction(fn) {
      return watched(() =>
        pglite.transaction((tx) =>
          fn({
            query: async (sql, params) => ({ rows: (await tx.query(sql, params as unknown[])).rows as never[] }),
            exec: async (sql) => { await tx.exec(sql); },
          }),
        ),
      );
    },
    async listen(channels, onMessage) {
      const stops = await Promise.all(channels.map((channel) => pglite.listen(channel, (payload) => onMessage(channel, payload))));
      return async () => {
        await Promise.all(stops.map((stop) => stop()));
      };
    },
    async checkReady() {
      await query('SELECT 1');
    },
    async close() {
      await pglite.close();
    },
  };
}
