import pg from 'pg';
import type { Database, Queryable } from './database.ts';
import { DatabaseBusyError, DatabaseUnavailableError, isConnectionError } from './database.ts';

/** Session limits and keepalives of every Postgres connection, in milliseconds. */
export interface PostgresOptions {
  max?: number | undefined;
  /**
   * How long a statement waits for a lock (above all a merchant's clock row) before it fails with 55P03,
   * answered 503 DATABASE_BUSY: pushes of a merchant whose clock is held give up instead of piling up.
   */
  lockTimeoutMs?: number | undefined;
  /** Longest statement (57014, also 503 DATABASE_BUSY). */
  statementTimeoutMs?: number | undefined;
  /**
   * How long Postgres lets a session sit idle inside a transaction before ending it: a server host that died
   * (or froze) mid-push stops holding its merchant's clock after this long.
   */
  idleInTransactionTimeoutMs?: number | undefined;
  /** Client-side limit on any answer (a silent network); defaults to the statement timeout plus two seconds. */
  queryTimeoutMs?: number | undefined;
  /** TCP keepalive idle time on both ends; a dead peer is noticed after idle + 3 probes 5 s apart. */
  keepAliveIdleMs?: number | undefined;
}

/** The defaults: a push holds its merchant's clock for milliseconds, so seconds are generous. */
export const POSTGRES_DEFAULTS = {
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 5_000,
  keepAliveIdleMs: 10_000,
} as const;

/** The session settings every connection starts with (pg sends them in the startup packet). */
export function sessionSettings(options: PostgresOptions = {}) {
  const lock = options.lockTimeoutMs ?? POSTGRES_DEFAULTS.lockTimeoutMs;
  const statement = options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
  const idle = options.idleInTransactionTimeoutMs ?? POSTGRES_DEFAULTS.idleInTransactionTimeoutMs;
  const keepAlive = options.keepAliveIdleMs ?? POSTGRES_DEFAULTS.keepAliveIdleMs;
  const seconds = Math.max(1, Math.round(keepAlive / 1000));
  return {
    lock_timeout: lock,
    statement_timeout: statement,
    idle_in_transaction_session_timeout: idle,
    // The server's side of the keepalives, and tcp_user_timeout for data it sent that is never acknowledged:
    // a backend whose client host vanished mid-transaction is ended instead of waiting hours for the kernel.
    options: `-c tcp_keepalives_idle=${seconds} -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=${(seconds + 15) * 1000}`,
    keepAlive: true,
    keepAliveInitialDelayMillis: keepAlive,
    query_timeout: options.queryTimeoutMs ?? statement + 2_000,
  };
}

// bigint (int8) columns come back as strings; the server casts versions to text anyway.
function wrap<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    throw isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
  });
}

/** A Postgres database behind a pg Pool, with a dedicated self-healing LISTEN connection. */
export function createPostgresDatabase(connectionString: string, options: PostgresOptions = {}): Database {
  // Bounded waits everywhere: a database that goes silent (dropped packets) must turn into a 503 within
  // seconds, not a request that hangs until the network returns.
  const settings = sessionSettings(options);
  const lockTimeoutMs = settings.lock_timeout;
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: 5_000, ...settings });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const listeners = new Set<() => Promise<void>>();
  let closed = false;

  const db: Database = {
    kind: 'postgres',
    query: (sql, params) => wrap(pool.query(sql, params as unknown[])),
    exec: async (sql) => { await wrap(pool.query(sql)); },
    async transaction(fn) {
      const client = await wrap(pool.connect());
      let broken = false;
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await wrap(client.query('BEGIN'));
        const tx: Queryable = {
          query: (sql, params) => wrap(client.query(sql, params as unknown[])),
          exec: async (sql) => { await wrap(client.query(sql)); },
        };
        const result = await fn(tx);
        await wrap(client.query('COMMIT'));
        return result;
      } catch (error) {
        broken ||= isConnectionError(error);
        if (!broken) await client.query('ROLLBACK').catch(() => { broken = true; });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async listen(channels, onMessage, onReconnect) {
      let client: pg.Client | null = null;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let attempt = 0;
      const connect = async (isReconnect: boolean): Promise<void> => {
        if (stopped || closed) return;
        const next = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: settings.keepAliveInitialDelayMillis, options: settings.options });
        next.on('notification', (message) => {
          if (channels.includes(message.channel) && message.payload !== undefined) onMessage(message.channel, message.payload);
        });
        const retry = () => {
          next.removeAllListeners('error');
          next.on('error', () => {});
          next.end().catch(() => {});
          if (client === next) client = null;
          if (stopped || closed) return;
          attempt += 1;
          timer = setTimeout(() => void connect(true), Math.min(200 * 2 ** attempt, 5_000));
        };
        next.on('error', retry);
        next.on('end', () => { if (client === next) retry(); });
        try {
          await next.connect();
          for (const channel of channels) await next.query(`LISTEN "${channel.replace(/"/g, '')}"`);
          client = next;
          attempt = 0;
          if (isReconnect) onReconnect?.();
        } catch {
          retry();
        }
      };
      await connect(false);
      const stop = async () => {
        stopped = true;
        clearTimeout(timer);
        listeners.delete(stop);
        const current = client;
        client = null;
        if (current) {
          current.removeAllListeners('end');
          await current.end().catch(() => {});
        }
      };
      listeners.add(stop);
      return stop;
    },
    async checkReady() {
      await db.query('SELECT 1');
      // A transaction holding a merchant's clock longer than the lock timeout makes every other push of that
      // merchant fail with DATABASE_BUSY (typically a host that died mid-push, until Postgres ends it).
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(DISTINCT l.pid)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'relation' AND l.relation = 'merchant_clock'::regclass AND l.granted
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.mode IN ('RowShareLock', 'RowExclusiveLock') AND a.pid <> pg_backend_pid()
            AND a.xact_start < now() - make_interval(secs => $1::float8 / 1000)`,
        [lockTimeoutMs],
      );
      const blocked = rows[0]?.n ?? 0;
      if (blocked > 0) throw new DatabaseBusyError(blocked);
    },
    async close() {
      closed = true;
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
  return db;
}
