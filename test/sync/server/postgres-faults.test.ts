import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorBodySchema } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { migrate } from '../../../src/sync/server/db/migrate.ts';
import { createPostgresDatabase } from '../../../src/sync/server/db/postgres.ts';
import { startServer, type RunningServer } from '../../../src/sync/server/main.ts';
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow } from '../../helpers/documents.ts';
import { startOwnPostgres, type OwnPostgres } from '../../helpers/own-postgres.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { customerRows, enrolOver } from '../../helpers/server-process.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

// docs/reliability.md#f14: a server host dies (or its link freezes, no FIN) while its push holds a merchant's clock.
describe('a push orphaned mid-transaction on Postgres (F14)', () => {
  const limits = { lockTimeoutMs: 300, idleInTransactionTimeoutMs: 1_500 };
  let tdb: TestDatabase;
  let proxy: TcpProxy;
  let frozenHost: Database;
  let db: Database;
  let app: PatronApp;
  let seed: SeededMerchant;
  let till: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    // The other instance's connections go through a link the test can freeze.
    frozenHost = createPostgresDatabase(proxy.url(tdb.url!), limits);
    db = createPostgresDatabase(tdb.url!, limits);
    app = await testApp(db);
    seed = await seedMerchant(tdb.db);
    till = await enrolTerminal(app, db, seed);
  });
  afterAll(async () => {
    proxy?.setMode('pass');
    await app?.close();
    await db?.close();
    await frozenHost?.close().catch(() => {});
    await proxy?.close();
    await tdb?.drop();
  });

  const code = (body: string) => ErrorBodySchema.parse(JSON.parse(body)).error.code;

  it('holds the merchant no longer than the idle-in-transaction timeout; meanwhile pushes get 503 DATABASE_BUSY and /ready says so', async () => {
    let wake: () => void = () => {};
    let locked: () => void = () => {};
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // The other instance takes the clock as a push does, then its host freezes: no statement, no FIN.
    const orphan = frozenHost.transaction(async (tx) => {
      await tx.query(`SELECT version FROM merchant_clock WHERE merchant_id = $1 FOR UPDATE`, [seed.merchantId]);
      locked();
      await new Promise<void>((resolve) => (wake = resolve));
    });
    orphan.catch(() => {});
    await holding;
    const frozenAt = Date.now();
    proxy.setMode('blackhole');

    const blocked = await till.request('POST', '/v1/push/customers', { rows: [insertRow(aCustomer(till.ctx(seed.cashier)))] });
    expect(blocked.statusCode).toBe(503);
    expect(code(blocked.body)).toBe('DATABASE_BUSY');
    await within(5_000, '/ready reporting the held clock', async () => {
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      return ready.statusCode === 503 && code(ready.body) === 'DATABASE_BUSY';
    });

    // Postgres ends the idle session by itself; the merchant writes again.
    const later = aCustomer(till.ctx(seed.cashier));
    await within(10_000, 'the clock to be released', async () => (await till.request('POST', '/v1/push/customers', { rows: [insertRow(later)] })).statusCode === 200);
    const heldFor = Date.now() - frozenAt;
    expect(heldFor).toBeLessThan(limits.idleInTransactionTimeoutMs + 5_000);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = $1`, [later.id]);
    expect(rows[0]?.n).toBe(1);
    wake();
  });
});

// docs/reliability.md#f2: Postgres itself goes down — fast shutdown (sessions end with 57P01) and immediate
// shutdown (a crash, recovery on start) — while terminals push through a real HTTP server.
describe('Postgres shut down during pushes (F2)', () => {
  let pg: OwnPostgres;
  let server: RunningServer;

  beforeAll(async () => {
    pg = await startOwnPostgres();
    const migrating = createPostgresDatabase(pg.url);
    await migrate(migrating);
    await migrating.close();
    server = await startServer({ databaseUrl: pg.url, port: 0, app: { logger: false, rateLimit: false }, print: () => {} });
  });
  afterAll(async () => {
    await server?.close();
    await pg?.destroy();
  });

  it('keeps every write answered 200 through a fast and an immediate shutdown, answers 503 meanwhile, and reconnects by itself', async () => {
    const shop = await (async () => {
      const seed = await seedMerchant(server.db, `F2 ${randomBytes(3).toString('hex')}`);
      const { createEnrolmentCode } = await import('../../../src/sync/server/repositories/admin.ts');
      const codes = await Promise.all([0, 1, 2].map(async () => (await createEnrolmentCode(server.db, seed.merchantId, seed.storeId, 60, 'test')).code));
      return { merchantId: seed.merchantId, storeId: seed.storeId, staffId: seed.cashier.id, codes };
    })();
    const tills = await Promise.all(shop.codes.map((code) => enrolOver(server.url, code)));
    const acknowledged: string[] = [];
    const refusals = new Map<string, number>();
    let stop = false;
    let serial = 0;
    const writer = async (till: { terminalId: string; auth: Record<string, string> }) => {
      while (!stop) {
        serial += 1;
        const rows = customerRows(shop, till.terminalId, serial * 20, 20);
        // A batch is retried until it is answered 200, as the client does (replays are idempotent).
        for (;;) {
          const answer = await fetch(`${server.url}/v1/push/customers`, { method: 'POST', headers: till.auth, body: JSON.stringify({ rows }) });
          const body: unknown = await answer.json();
          if (answer.status === 200) break;
          const failure = ErrorBodySchema.parse(body).error.code;
          refusals.set(failure, (refusals.get(failure) ?? 0) + 1);
          await sleep(100);
        }
        acknowledged.push(...rows.map((row) => row.newDocumentState.id));
      }
    };
    const writers = tills.map(writer);
    for (const mode of ['fast', 'immediate'] as const) {
      const before = acknowledged.length;
      await within(30_000, 'pushes to flow', async () => acknowledged.length >= before + 100);
      await pg.stop(mode);
      const during = await fetch(`${server.url}/ready`);
      expect(during.status).toBe(503);
      await sleep(300);
      await pg.start();
    }
    const after = acknowledged.length;
    await within(30_000, 'pushes to flow after the restarts', async () => acknowledged.length >= after + 100);
    stop = true;
    await Promise.all(writers);

    expect(refusals.get('DATABASE_UNAVAILABLE') ?? 0).toBeGreaterThan(0);
    expect([...refusals.keys()].filter((code) => code !== 'DATABASE_UNAVAILABLE')).toEqual([]);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::text[])`, [acknowledged]);
    expect(rows[0]?.n).toBe(acknowledged.length);
  });
});
