/** The small database surface the server needs, implemented by Postgres (pg) and embedded PGlite. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Runs a multi-statement script without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channels` over one dedicated connection. `onReconnect` runs after the connection was lost
   * and re-established (notifications may have been missed meanwhile, so callers poke everyone).
   */
  listen(channels: readonly string[], onMessage: (channel: string, payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /**
   * Throws (DatabaseUnavailableError, DiskFullError, DatabaseBusyError, DatabaseDamagedError) when the
   * database cannot serve writes right now; `/ready` answers with it. Wrappers without it get `SELECT 1`.
   */
  checkReady?(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown when the database cannot be reached; routes answer 503 DATABASE_UNAVAILABLE. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Thrown before touching the embedded database when its disk has less free space than it must keep. */
export class DiskFullError extends Error {
  constructor(
    readonly path: string,
    readonly freeBytes: number,
    readonly neededBytes: number,
  ) {
    super(`disk full: ${path} has ${mib(freeBytes)} free, the server keeps at least ${mib(neededBytes)}`);
    this.name = 'DiskFullError';
  }
}

/** Thrown by `checkReady` while some merchant's clock row has been held longer than the lock timeout. */
export class DatabaseBusyError extends Error {
  constructor(readonly blocked: number) {
    super(`${blocked} transaction(s) have held a merchant clock longer than the lock timeout`);
    this.name = 'DatabaseBusyError';
  }
}

/** Thrown by `checkReady` after a query met a damaged page or index (the database needs a restore). */
export class DatabaseDamagedError extends Error {
  constructor(readonly detail: string) {
    super(`database damaged: ${detail}`);
    this.name = 'DatabaseDamagedError';
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function sqlState(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Whether Postgres ran out of disk (53100 disk_full, ENOSPC) or the embedded guard refused first. */
export function isDiskFull(error: unknown): boolean {
  return error instanceof DiskFullError || sqlState(error) === '53100' || /No space left on device/.test(String((error as { message?: unknown })?.message ?? ''));
}

/**
 * Whether a statement gave up waiting: 55P03 lock_not_available (lock_timeout: another transaction holds the
 * merchant's clock) or 57014 after statement_timeout. The database answered: it is busy, not away.
 */
export function isBusy(error: unknown): boolean {
  if (error instanceof DatabaseBusyError) return true;
  const code = sqlState(error);
  return code === '55P03' || (code === '57014' && /statement timeout/i.test(String((error as { message?: unknown }).message)));
}

/** Whether a query met damaged data: XX001 data_corrupted (a page checksum), XX002 index_corrupted. */
export function isDataCorruption(error: unknown): boolean {
  const code = sqlState(error);
  return error instanceof DatabaseDamagedError || code === 'XX001' || code === 'XX002';
}

// pg-pool's and pg's own timeouts: the database did not answer in time, which is "away", not a bug.
const TIMEOUT_MESSAGES = /timeout exceeded when trying to connect|Query read timeout/i;

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', '08003', '08006', '08001', '08004',
]);

/** Whether an error means "the database is away" rather than "the statement is wrong". */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && (TIMEOUT_MESSAGES.test(message) || /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message));
}
