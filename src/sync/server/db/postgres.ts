import pg from 'pg';
import type { Database, Queryable } from './database.ts';
import { DatabaseUnavailableError, isConnectionError } from './database.ts';

// bigint (int8) columns come back as strings; the server casts versions to text anyway.
function wrap<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    throw isConnectionError(error) ? new DatabaseUnavailableError(error) : error;
  });
}

/** A Postgres database behind a pg Pool, with a dedicated self-healing LISTEN connection. */
export function createPostgresDatabase(connectionString: string, options: { max?: number; queryTimeoutMs?: number } = {}): Database {
  // Bounded waits everywhere: a database that goes silent (dropped packets) must turn into a 503 within
  // seconds, not a request that hangs until the network returns.
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    query_timeout: options.queryTimeoutMs ?? 5_000,
    keepAlive: true,
  });
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
        const next = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
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
    async close() {
      closed = true;
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
  return db;
}
