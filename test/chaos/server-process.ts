import { buildApp } from '../../src/sync/server/app.ts';
import { createPostgresDatabase } from '../../src/sync/server/db/postgres.ts';

/**
 * One sync server instance in its own process, so the harness can kill -9 it in the middle of a push batch
 * (docs/reliability.md#f1): Postgres then rolls back whatever that instance had not committed. Configured by env:
 * CHAOS_DATABASE_URL, CHAOS_PORT (0 = any), CHAOS_BROKEN=1 for the deliberately broken variant.
 */
const url = process.env.CHAOS_DATABASE_URL;
if (!url) throw new Error('CHAOS_DATABASE_URL is required');
const db = createPostgresDatabase(url);
const app = await buildApp({
  db,
  logger: false,
  rateLimit: false,
  keepAliveMs: 5_000,
  brokenClockForTests: process.env.CHAOS_BROKEN === '1',
});
await app.listen({ port: Number(process.env.CHAOS_PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });

process.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  void (async () => {
    await app.close();
    await db.close();
    process.exit(0);
  })();
});
// The harness went away: do not linger.
process.on('disconnect', () => process.exit(0));
