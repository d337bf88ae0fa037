// Child process of the fleet benchmark: one sync server instance on the shared Postgres, so its memory and
// event loop are its own. Started with --expose-gc so memory is read after a collection.
import { buildApp, type PatronApp } from '../../src/sync/server/app.ts';
import type { Database } from '../../src/sync/server/db/database.ts';
import { createPostgresDatabase } from '../../src/sync/server/db/postgres.ts';
import { serveRequests } from './lib/child.ts';

/** An instance's memory after a full collection, and how many poke streams it holds. */
export interface InstanceMemory {
  rss: number;
  heapUsed: number;
  streams: number;
}

let db: Database | null = null;
let app: PatronApp | null = null;

serveRequests(async (message) => {
  switch (message.cmd) {
    case 'start': {
      db = createPostgresDatabase(String(message.databaseUrl));
      // Production settings but no request limit: a thousand tills enrol from this one address.
      app = await buildApp({ db, logger: false, rateLimit: false });
      return { url: await app.listen({ port: 0, host: '127.0.0.1' }) };
    }
    case 'memory': {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      const memory: InstanceMemory = { rss, heapUsed, streams: app?.patron.hub.count() ?? 0 };
      return memory;
    }
    case 'stop':
      await app?.close();
      await db?.close();
      return null;
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
