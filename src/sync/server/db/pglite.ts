import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.ts';

/**
 * Embedded Postgres (PGlite) for `npm start` and tests: one in-process connection, so transactions queue
 * behind each other — the same serialisation the clock row lock gives on a real server.
 */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const pglite = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const query: Queryable['query'] = async (sql, params) => {
    const result = await pglite.query(sql, params as unknown[]);
    return { rows: result.rows as never[] };
  };
  return {
    kind: 'pglite',
    query,
    exec: async (sql) => { await pglite.exec(sql); },
    transaction(fn) {
      return pglite.transaction((tx) =>
        fn({
          query: async (sql, params) => ({ rows: (await tx.query(sql, params as unknown[])).rows as never[] }),
          exec: async (sql) => { await tx.exec(sql); },
        }),
      );
    },
    async listen(channels, onMessage) {
      const stops = await Promise.all(channels.map((channel) => pglite.listen(channel, (payload) => onMessage(channel, payload))));
      return async () => {
        await Promise.all(stops.map((stop) => stop()));
      };
    },
    async close() {
      await pglite.close();
    },
  };
}
