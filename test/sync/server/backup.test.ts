import { cpSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { runCli } from '../../../src/sync/server/cli.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { startServer, type RunningServer } from '../../../src/sync/server/main.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, startClient, testStorage, type TestClient } from '../../helpers/terminal.ts';

// Backups of the embedded default: taken online under load, restored after checks, and terminals converge
// with the restored server by pushing what the backup lacks. Real servers on real folders, real clients.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const root = mkdtempSync(join(tmpdir(), 'patron-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} });
  return { code, stdout, stderr };
}

const serve = (dataDir: string) => startServer({ dataDir, port: 0, app: { logger: false, rateLimit: false }, print: () => {} });

describe('patron-sync backup and restore', () => {
  const clients: TestClient[] = [];
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
  });

  it('restores a backup taken under load; terminals push what it lacks and every replica converges', async () => {
    const a = join(root, 'a');
    let server: RunningServer = await serve(a);
    const seed: SeededMerchant = await seedMerchant(server.db);
    const storages = [testStorage(), testStorage()];
    const start = async (i: number, url: string, credential?: TestClient['credential']) => {
      const code = credential ? undefined : (await createEnrolmentCode(server.db, seed.merchantId, seed.storeId, 10, 'test')).code;
      const client = await startClient({ serverUrl: url, collections: ['customers'], storage: storages[i], name: `till${i}`, ...(code ? { code } : {}), ...(credential ? { credential } : {}) });
      clients.push(client);
      return client;
    };
    let tills = [await start(0, server.url), await start(1, server.url)];
    const ctx = (c: TestClient): WriteContext => ({ merchantId: seed.merchantId, storeId: seed.storeId, terminalId: c.credential.terminalId, staffId: seed.cashier.id, now: new Date().toISOString(), offline: false });
    const signUp = async (c: TestClient, n: number) => {
      for (let i = 0; i < n; i++) {
        const { _deleted, ...doc } = newCustomer({ phone: nextPhone(), name: `مشتری ${i}` }, ctx(c), 'IR');
        await c.db.customers.insert(doc);
      }
    };

    // Under load: both tills sign customers up while the backup is taken through the running server.
    await signUp(tills[0]!, 30);
    await eventually(() => tills[0]!.status.get().pending === 0, 30_000, 'the first sign-ups acknowledged');
    const load = Promise.all(tills.map((c) => signUp(c, 40)));
    const file = join(root, 'shop.tar.gz');
    const backup = await cli(['backup', '--data', a, '--to', file]);
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(backup.stdout).toContain(`Wrote a backup of ${a} to ${file}`);
    await load;
    // After the backup: more writes, acknowledged by the server that is about to be lost.
    await Promise.all(tills.map((c) => signUp(c, 20)));
    for (const c of tills) await eventually(() => c.status.get().pending === 0, 30_000, 'pushes acknowledged');
    const credentials = tills.map((c) => c.credential);
    for (const c of tills) await c.close();
    await server.close();

    // The shop's disk dies; the backup is restored into a new folder and served at a new address.
    const b = join(root, 'b');
    const restored = await cli(['restore', '--data', b, '--from', file]);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    server = await serve(b);
    const lacking = (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers`)).rows[0]!.n;
    expect(lacking).toBeGreaterThanOrEqual(30);
    expect(lacking).toBeLessThan(150);
    // The operator points the tills at the restored server (its address is part of their credential).
    tills = await Promise.all([0, 1].map((i) => start(i, server.url, { ...credentials[i]!, serverUrl: server.url })));
    for (const c of tills) await eventually(async () => c.status.get().pending === 0 && (await c.db.customers.count().exec()) === 150, 60_000, 'the till to resync');
    await eventually(async () => (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers`)).rows[0]!.n === 150, 30_000, 'the server to hold every customer');
    for (const c of tills) await c.close();

    // A fresh replica pulled from zero equals the long-lived ones.
    const fresh = await start(0, server.url);
    await eventually(async () => (await fresh.db.customers.count().exec()) === 150, 60_000, 'a fresh replica');
    await server.close();
  });

  it('keeps the newest scheduled backups, and refuses a damaged archive before replacing anything', async () => {
    const dir = join(root, 'c');
    const scheduled = join(root, 'scheduled');
    const server = await startServer({ dataDir: dir, port: 0, app: { logger: false, rateLimit: false }, print: () => {}, backups: { dir: scheduled, keep: 2, everyMs: 300 } });
    await eventually(() => readdirSync(scheduled).filter((n) => n.endsWith('.tar.gz')).length === 2, 60_000, 'two scheduled backups');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await server.close();
    const kept = readdirSync(scheduled).filter((n) => n.endsWith('.tar.gz'));
    expect(kept).toHaveLength(2);
    for (const name of kept) expect(name).toMatch(/^patron-backup-\d{8}T\d{6}Z\.tar\.gz$/);
    const good = join(root, 'good.tar.gz');
    expect((await cli(['backup', '--data', dir, '--to', good])).code).toBe(0);
    const broken = join(root, 'broken.tar.gz');
    cpSync(good, broken);
    truncateSync(broken, 4096);
    const before = readdirSync(join(dir, 'pgdata')).sort();
    const refused = await cli(['restore', '--data', dir, '--from', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/broken\.tar\.gz is not a usable backup: .*; nothing was replaced/);
    expect(readdirSync(join(dir, 'pgdata')).sort()).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['patron.lock', 'pgdata']);
    // Postgres deployments are told what to use instead.
    const onPostgres = await runCli(['backup', '--to', broken], { stdout: { write: () => {} }, stderr: { write: () => {} }, env: { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' } });
    expect(onPostgres).toBe(2);
  });
});
