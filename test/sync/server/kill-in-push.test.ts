import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type DatabaseLocation } from '../../../src/sync/server/main.ts';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { customerRows, enrolOver, killGroup, prepareShop, spawnServer, type ServerProcess } from '../../helpers/server-process.ts';
import { startServerFixture } from '../../helpers/sync-server.ts';

// docs/reliability.md#i2 / #f1: a batch is all or nothing — when a row fails half way, and when the server is killed
// (SIGKILL) while the batch's transaction is open. The kill is aimed: a test-only trigger on the customers
// table stops the push at a marked row, inside its transaction, until the test has killed the process.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const root = mkdtempSync(join(tmpdir(), 'patron-kill-'));
const running: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(killGroup));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(DATABASE_KINDS)('a batch failing half way on %s', (kind) => {
  it('rolls back whole, then applies the rows one by one: the failing row is quarantined, every other row written once', async () => {
    const f = await startServerFixture(kind);
    try {
      await f.tdb.db.exec(`
        CREATE FUNCTION test_fail_here() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.doc->>'name' = 'fail here' THEN RAISE EXCEPTION 'injected failure'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_fail_here BEFORE INSERT OR UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION test_fail_here();`);
      const ctx = f.till.ctx(f.seed.manager);
      const existing = [aCustomer(ctx), aCustomer(ctx), aCustomer(ctx)];
      await f.till.push('customers', existing.map(insertRow));
      const edit = (c: (typeof existing)[number], name: string) => updateRow({ ...c, name, updatedAt: new Date().toISOString() }, c);
      // New sign-ups (one a duplicate phone, which would merge and raise an inbox item), two edits, and last
      // an edit that makes the server fail: everything before it ran inside the same transaction.
      const batch = [insertRow(aCustomer(ctx)), insertRow(aCustomer(ctx, { phone: existing[0]!.phone })), edit(existing[0]!, 'Renamed one'), edit(existing[1]!, 'Renamed two'), edit(existing[2]!, 'fail here')];
      // The batch's transaction rolls back whole; the server then applies its rows one by one, each in a
      // transaction of its own, and the row it still fails on is quarantined rather than answering 500 for the
      // batch forever (docs/architecture.md#no-poison-pills).
      const answered = await f.till.request('POST', '/v1/push/customers', { rows: batch });
      expect(answered.statusCode).toBe(200);
      expect((answered.json() as { rejected: unknown[] }).rejected).toEqual([{ id: existing[2]!.id, code: 'INTERNAL' }]);
      const { rows } = await f.tdb.db.query<{ id: string; name: string }>(`SELECT id, doc->>'name' AS name FROM customers WHERE id = ANY($1::text[])`, [existing.map((c) => c.id)]);
      expect(new Map(rows.map((r) => [r.id, r.name]))).toEqual(new Map([[existing[0]!.id, 'Renamed one'], [existing[1]!.id, 'Renamed two'], [existing[2]!.id, existing[2]!.name]]));
      // Nothing of the rolled-back attempt stayed behind: the duplicate phone raised one inbox item, not two.
      const { rows: dupes } = await f.tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE merchant_id = $1 AND doc->>'kind' = 'duplicate'`, [f.seed.merchantId]);
      expect(dupes[0]!.n).toBe(1);
      const signedUp = batch.slice(0, 2).map((row) => (row.newDocumentState as { id: string }).id);
      expect((await f.tdb.db.query(`SELECT 1 FROM customers WHERE id = ANY($1::text[])`, [signedUp])).rows).toHaveLength(2);
    } finally {
      await f.close();
    }
  });
});

/** A customer batch of 20 whose 10th row is where the trigger stops the push. */
function batchWithMarker(shop: Awaited<ReturnType<typeof prepareShop>>, terminalId: string) {
  return customerRows(shop, terminalId, 5000, 20, { name: (n) => (n === 5009 ? 'kill here' : `مشتری ${n}`) });
}

async function countOf(location: DatabaseLocation, ids: string[]): Promise<number> {
  const opened = await openDatabase(location);
  try {
    return (await opened.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::text[])`, [ids])).rows[0]!.n;
  } finally {
    await opened.close();
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('kill -9 inside a push transaction (F1)', () => {
  it('on PGlite: the batch is absent after the restart, and its retry applies once', async () => {
    const dir = join(root, 'pglite');
    const shop = await prepareShop({ dataDir: dir }, 1);
    const opened = await openDatabase({ dataDir: dir });
    // PGlite runs in the server's thread: the trigger marks the moment with a file in the data folder and
    // then sleeps, holding the process inside the transaction. It fires once (while the file is absent).
    await opened.db.exec(`
      CREATE FUNCTION test_kill_here() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.doc->>'name' = 'kill here' AND pg_stat_file('inside-push', true) IS NULL THEN
          EXECUTE 'COPY (SELECT 1) TO ' || quote_literal(current_setting('data_directory') || '/inside-push');
          PERFORM pg_sleep(600);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_kill_here BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION test_kill_here();`);
    await opened.close();
    const server = await spawnServer(['--data', dir]);
    running.push(server);
    const till = await enrolOver(server.url, shop.codes[0]!);
    const rows = batchWithMarker(shop, till.terminalId);
    const ids = rows.map((r) => r.newDocumentState.id);
    const push = fetch(`${server.url}/v1/push/customers`, { method: 'POST', headers: till.auth, body: JSON.stringify({ rows }) }).catch(() => 'no answer');
    await until(() => existsSync(join(dir, 'pgdata', 'inside-push')), 'the push to reach the marked row');
    await killGroup(server);
    expect(await push).toBe('no answer');
    expect(await countOf({ dataDir: dir }, ids)).toBe(0);

    const again = await spawnServer(['--data', dir]);
    running.push(again);
    const retry = await fetch(`${again.url}/v1/push/customers`, { method: 'POST', headers: till.auth, body: JSON.stringify({ rows }) });
    expect(retry.status).toBe(200);
    await killGroup(again);
    expect(await countOf({ dataDir: dir }, ids)).toBe(20);
  });

  it('on Postgres: the batch is absent after the restart, and its retry applies once', async () => {
    const tdb: TestDatabase = await createTestDatabase('postgres');
    const holder = new pg.Client({ connectionString: tdb.url! });
    await holder.connect();
    try {
      const location = { databaseUrl: tdb.url! };
      const shop = await prepareShop(location, 1);
      // The trigger waits for an advisory lock the test holds: the push sits inside its transaction.
      await tdb.db.exec(`
        CREATE FUNCTION test_kill_here() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.doc->>'name' = 'kill here' THEN PERFORM pg_advisory_xact_lock(4242); END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_kill_here BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION test_kill_here();`);
      await holder.query(`SELECT pg_advisory_lock(4242)`);
      const server = await spawnServer([], { env: { DATABASE_URL: tdb.url! } });
      running.push(server);
      const till = await enrolOver(server.url, shop.codes[0]!);
      const rows = batchWithMarker(shop, till.terminalId);
      const ids = rows.map((r) => r.newDocumentState.id);
      const push = fetch(`${server.url}/v1/push/customers`, { method: 'POST', headers: till.auth, body: JSON.stringify({ rows }) }).catch(() => 'no answer');
      const waiting = async () => (await holder.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows[0]!.n > 0;
      await until(waiting, 'the push to wait at the marked row');
      await killGroup(server);
      expect(await push).toBe('no answer');
      // Postgres ends the orphaned session when it sees the connection gone; then the lock can go too.
      await until(async () => !(await waiting()), 'the killed push to be rolled back');
      await holder.query(`SELECT pg_advisory_unlock(4242)`);
      expect(await countOf(location, ids)).toBe(0);

      const again = await spawnServer([], { env: { DATABASE_URL: tdb.url! } });
      running.push(again);
      const retry = await fetch(`${again.url}/v1/push/customers`, { method: 'POST', headers: till.auth, body: JSON.stringify({ rows }) });
      expect(retry.status).toBe(200);
      expect(await countOf(location, ids)).toBe(20);
    } finally {
      await holder.end();
      await tdb.drop();
    }
  });
});
