import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer } from '../../../src/sync/model/document-builders.ts';
import type { LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import { lifetimeEarned, pointsForVisit, tierFor } from '../../../src/sync/model/loyalty.ts';
import { verifyPin } from '../../../src/sync/model/pin.ts';
import { COLLECTION_NAMES, COLLECTION_SCHEMAS, PROTOCOL_HEADER, PROTOCOL_VERSION, type CollectionName } from '../../../src/sync/model/wire-protocol.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import type { Visit } from '../../../src/sync/model/visit.ts';
import { runCli, type CliIo } from '../../../src/sync/server/cli.ts';
import { listMigrations, migrate } from '../../../src/sync/server/db/migrate.ts';
import { createPostgresDatabase } from '../../../src/sync/server/db/postgres.ts';
import { createDemoGenerator } from '../../../src/sync/server/demo/generate.ts';
import { ensureDemoMerchant } from '../../../src/sync/server/demo/load.ts';
import { demoPlan } from '../../../src/sync/server/demo/plan.ts';
import { openDatabase, startServer, type RunningServer } from '../../../src/sync/server/main.ts';
import { TABLES } from '../../../src/sync/server/sync/tables.ts';
import { DATABASE_KINDS, TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { signInOver } from '../../helpers/server-process.ts';

// Each CLI call opens PGlite from scratch (a WASM start, an initdb the first time): seconds each on a
// loaded two-core machine.
vi.setConfig({ testTimeout: 120_000 });

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const headers = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

async function cli(argv: string[], env: Record<string, string | undefined>, extra: Partial<CliIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, ...extra });
  return { code, stdout, stderr };
}

async function cliJson<T>(argv: string[], env: Record<string, string | undefined>): Promise<T> {
  const result = await cli([...argv, '--json'], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Enrols a terminal over HTTP with a printed code and exchanges its credential for an access token. */
async function enrol(url: string, code: string): Promise<{ terminalId: string; merchantId: string; storeId: string; token: string }> {
  const enrolled = await fetch(`${url}/v1/enrol`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName: 'Test till' }) });
  expect(enrolled.status).toBe(200);
  const terminal = (await enrolled.json()) as { terminalId: string; merchantId: string; storeId: string; credential: string };
  const tokenResponse = await fetch(`${url}/v1/token`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ terminalId: terminal.terminalId, credential: terminal.credential }),
  });
  expect(tokenResponse.status).toBe(200);
  const { accessToken } = (await tokenResponse.json()) as { accessToken: string };
  await signInOver(url, { ...headers, authorization: `Bearer ${accessToken}` }, terminal);
  return { terminalId: terminal.terminalId, merchantId: terminal.merchantId, storeId: terminal.storeId, token: accessToken };
}

/** Pulls a whole collection through the real API, page by page from checkpoint zero. */
async function pullAll(url: string, token: string, collection: CollectionName): Promise<Record<string, unknown>[]> {
  const docs: Record<string, unknown>[] = [];
  let checkpoint = '0';
  for (;;) {
    const response = await fetch(`${url}/v1/pull/${collection}?checkpoint=${checkpoint}&limit=1000`, { headers: { ...headers, authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { documents: Record<string, unknown>[]; checkpoint: { v: string } | null };
    docs.push(...page.documents);
    if (page.documents.length < 1000 || !page.checkpoint) return docs;
    checkpoint = page.checkpoint.v;
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A fresh, unmigrated Postgres database of its own. */
async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `patron_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('startServer', () => {
  it('opens PGlite in the data folder, migrates, answers /health and /ready on an ephemeral port, and closes', async () => {
    const dir = tempDir('patron-main-');
    const lines: string[] = [];
    const server = await startServer({ dataDir: dir, port: 0, app: { logger: false }, print: (line) => lines.push(line) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines).toEqual([`Patron sync server listening on ${server.url} (PGlite in ${dir})`]);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready', database: 'pglite' });
      // Only `start` has a demo merchant to hand out codes for.
      expect(await (await fetch(`${server.url}/v1/demo`, { headers })).json()).toEqual({ available: false });
    } finally {
      await server.close();
    }
    await server.closed;
    // The folder is released: the next process may open it, and the migrations are already there.
    const again = await openDatabase({ dataDir: dir });
    try {
      expect(await migrate(again.db)).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('uses Postgres when a database URL is given', async () => {
    const tdb = await createTestDatabase('postgres');
    try {
      const lines: string[] = [];
      const server = await startServer({ databaseUrl: tdb.url ?? '', port: 0, app: { logger: false }, print: (line) => lines.push(line) });
      try {
        expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready', database: 'postgres' });
        // The connection string (it may carry a password) is never printed.
        expect(lines).toEqual([`Patron sync server listening on ${server.url} (Postgres)`]);
      } finally {
        await server.close();
      }
    } finally {
      await tdb.drop();
    }
  });

  it('reports every interface and answers on loopback when listening on 0.0.0.0', async () => {
    const lines: string[] = [];
    const server = await startServer({ dataDir: tempDir('patron-any-'), port: 0, host: '0.0.0.0', app: { logger: false }, print: (line) => lines.push(line) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('applies each migration once when two instances migrate one fresh Postgres database at the same moment', async () => {
    const fresh = await freshPostgres();
    const a = createPostgresDatabase(fresh.url);
    const b = createPostgresDatabase(fresh.url);
    try {
      const results = await Promise.all([migrate(a), migrate(b)]);
      const ids = listMigrations().map((m) => m.id);
      // One of them did the work under the advisory lock; the other found nothing left to do.
      expect(results.map((r) => r.length).sort()).toEqual([0, ids.length]);
      expect(results.flat()).toEqual(ids);
      const { rows } = await a.query<{ id: string }>(`SELECT id FROM schema_migrations ORDER BY id`);
      expect(rows.map((r) => r.id)).toEqual(ids);
      // And again, later: idempotent.
      expect(await Promise.all([migrate(a), migrate(b)])).toEqual([[], []]);
    } finally {
      await a.close();
      await b.close();
      await fresh.drop();
    }
  });

  it('starts two server instances on one fresh Postgres database at once', async () => {
    const fresh = await freshPostgres();
    const servers: RunningServer[] = [];
    try {
      servers.push(...(await Promise.all([0, 1].map(() => startServer({ databaseUrl: fresh.url, port: 0, app: { logger: false }, print: () => {} })))));
      for (const server of servers) expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready', database: 'postgres' });
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await fresh.drop();
    }
  });
});

/** Every demo invariant over the documents of the demo merchant, however they were read. */
function checkDemoDocuments(docs: Record<CollectionName, Record<string, unknown>[]>, merchantId: string, anchor: number): void {
  // Every document parses with the model's schema and belongs to the demo merchant.
  for (const collection of COLLECTION_NAMES) {
    for (const doc of docs[collection]) {
      COLLECTION_SCHEMAS[collection].parse(doc);
      expect(doc.merchantId).toBe(merchantId);
    }
  }
  const customers = docs.customers as unknown as Customer[];
  const visits = docs.visits as unknown as Visit[];
  const entries = docs.loyaltyEntries as unknown as LoyaltyEntry[];
  const ids = new Set(customers.map((c) => c.id));
  expect(new Set(customers.map((c) => c.phone)).size).toBe(customers.length);
  for (const v of visits) expect(ids.has(v.customerId)).toBe(true);
  for (const e of entries) expect(ids.has(e.customerId)).toBe(true);

  // Realistic mix: mostly Persian names with a Latin minority, mostly Iranian mobiles with some abroad.
  const persian = customers.filter((c) => /[\u0600-\u06ff]/.test(c.name)).length / customers.length;
  expect(persian).toBeGreaterThan(0.75);
  expect(persian).toBeLessThan(0.95);
  const foreign = customers.filter((c) => !c.phone.startsWith('+98')).length / customers.length;
  expect(foreign).toBeGreaterThan(0.01);
  expect(foreign).toBeLessThan(0.12);
  expect(customers.every((c) => c.status === 'active' && c.mergedInto === null)).toBe(true);

  // Visits over the past year, amounts in 50 000 – 2 000 000 IRR.
  for (const v of visits) {
    const at = Date.parse(v.occurredAt);
    expect(at).toBeLessThan(anchor);
    expect(at).toBeGreaterThan(anchor - 366 * 86_400_000);
    expect(v.subtotal).toBeGreaterThanOrEqual(50_000);
    expect(v.subtotal).toBeLessThanOrEqual(2_000_000);
    expect(v.currency).toBe('IRR');
  }

  // The ledger: one earn per visit by the program rules at the tier of the moment, redemptions that never
  // overdraw, and exactly one reversal — of the one voided visit.
  const voided = visits.filter((v) => v.voided);
  const reversals = entries.filter((e) => e.kind === 'reversal');
  expect(voided).toHaveLength(1);
  expect(reversals).toHaveLength(1);
  expect(reversals[0]?.visitId).toBe(voided[0]?.id);
  expect(entries.filter((e) => e.kind === 'redeem').length).toBeGreaterThan(0);
  const byCustomer = new Map<string, LoyaltyEntry[]>();
  for (const e of entries) byCustomer.set(e.customerId, [...(byCustomer.get(e.customerId) ?? []), e]);
  for (const list of byCustomer.values()) {
    list.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    let balance = 0;
    for (const e of list) {
      balance += e.points;
      expect(balance).toBeGreaterThanOrEqual(0);
    }
  }
  const earns = new Map(entries.filter((e) => e.kind === 'earn').map((e) => [e.visitId, e]));
  for (const v of visits) {
    const before = (byCustomer.get(v.customerId) ?? []).filter((e) => e.occurredAt < v.occurredAt);
    const expected = pointsForVisit({ total: v.total, tier: tierFor(lifetimeEarned(before), DEFAULT_PROGRAM) }, DEFAULT_PROGRAM);
    expect(v.pointsEarned).toBe(expected);
    expect(earns.get(v.id)?.points).toBe(expected);
  }
  expect(docs.rewards).toHaveLength(5);
  expect(docs.staff).toHaveLength(4);
  expect(docs.settings).toHaveLength(1);
}

describe('demo data', () => {
  it('is deterministic: the same seed and anchor give the same documents, customer by customer', () => {
    const plan = demoPlan();
    const now = Date.parse('2026-03-01T12:00:00Z');
    const run = (seed: number, customers: number) => [...createDemoGenerator(plan, DEFAULT_PROGRAM, { seed, customers, now }).customers()];
    const a = run(3, 60);
    expect(run(3, 60)).toEqual(a);
    expect(run(3, 40)).toEqual(a.slice(0, 40));
    expect(run(4, 60)).not.toEqual(a);
  });

  it('finishes an interrupted load on the next call and writes nothing twice', async () => {
    const tdb = await createTestDatabase('pglite');
    try {
      const first = await ensureDemoMerchant(tdb.db, { customers: 80, seed: 5 });
      expect(first.created).toBe(true);
      const { rows: before } = await tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM merchant_clock WHERE merchant_id = $1`, [first.merchantId]);
      // Simulate a load cut short: the last visits and entries missing, and no completion record.
      await tdb.db.query(`DELETE FROM visits WHERE id IN (SELECT id FROM visits ORDER BY version DESC LIMIT 100)`);
      await tdb.db.query(`DELETE FROM loyalty_entries WHERE id IN (SELECT id FROM loyalty_entries ORDER BY version DESC LIMIT 100)`);
      await tdb.db.query(`DELETE FROM audit_log WHERE action = 'demo.loaded'`);
      // A later call with other options resumes with the recorded seed, size and anchor.
      const resumed = await ensureDemoMerchant(tdb.db, { customers: 10, seed: 99 });
      expect(resumed.created).toBe(true);
      expect(resumed.seed).toBe(5);
      expect(resumed.counts).toEqual(first.counts);
      const { rows: written } = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM visits WHERE version > $1::bigint`, [before[0]?.v ?? '0']);
      expect(written[0]?.n).toBe(100);
      const again = await ensureDemoMerchant(tdb.db);
      expect(again).toMatchObject({ created: false, counts: first.counts, elapsedMs: 0 });
    } finally {
      await tdb.drop();
    }
  });

  it('loads into PGlite as schema-valid data that an enrolled terminal pulls through the HTTP API', async () => {
    const dir = tempDir('patron-demo-');
    const env = { PATRON_DATA_DIR: dir };
    const before = Date.now();
    const demo = await cliJson<{
      created: boolean;
      merchantId: string;
      stores: { id: string }[];
      staff: { name: string; role: string; pin: string }[];
      counts: { customers: number; visits: number; loyaltyEntries: number; rewards: number };
      enrolmentCode: { code: string; storeId: string };
    }>(['demo', '--customers', '400', '--seed', '7'], env);
    expect(demo.created).toBe(true);
    expect(demo.counts.customers).toBe(400);
    expect(demo.counts.visits).toBeGreaterThan(1000);
    expect(demo.counts.loyaltyEntries).toBeGreaterThan(demo.counts.visits);
    expect(demo.staff.map((s) => s.role).sort()).toEqual(['cashier', 'cashier', 'manager', 'owner']);
    expect(demo.enrolmentCode.storeId).toBe(demo.stores[0]?.id);

    // A second run finds the demo merchant and only prints a new code.
    const again = await cli(['demo'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/Creating/);
    expect(again.stdout).toMatch(/Using the demo merchant "Café Patron" \(400 customers/);
    expect(again.stdout).toMatch(/Enrolment code: [A-Z0-9]{4}-[A-Z0-9]{4}/);

    const server = await startServer({ dataDir: dir, port: 0, app: { logger: false }, print: () => {} });
    try {
      const terminal = await enrol(server.url, demo.enrolmentCode.code);
      expect(terminal.merchantId).toBe(demo.merchantId);
      const docs = Object.fromEntries(
        await Promise.all(COLLECTION_NAMES.map(async (c) => [c, await pullAll(server.url, terminal.token, c)] as const)),
      ) as Record<CollectionName, Record<string, unknown>[]>;
      expect(docs.customers).toHaveLength(demo.counts.customers);
      // Several pages each (pull pages are capped at 1000), so this also checks the feed skips nothing.
      expect(docs.visits.length, 'a terminal pulls every visit').toBe(demo.counts.visits);
      expect(docs.loyaltyEntries.length, 'a terminal pulls every ledger entry').toBe(demo.counts.loyaltyEntries);
      checkDemoDocuments(docs, demo.merchantId, Date.now());
      expect(Date.parse((docs.visits[0] as unknown as Visit).occurredAt)).toBeLessThan(before);
      // The printed PINs are the staff's real PINs.
      const cashier = (docs.staff as unknown as Staff[]).find((s) => s.role === 'cashier' && s.name === demo.staff.find((d) => d.role === 'cashier')?.name);
      expect(await verifyPin(demo.staff.find((d) => d.name === cashier?.name)?.pin ?? '', cashier?.pinHash ?? '')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('loads into Postgres through the same code, and every stored document parses', async () => {
    const tdb: TestDatabase = await createTestDatabase('postgres');
    try {
      const demo = await cliJson<{ merchantId: string; counts: { customers: number } }>(['demo', '--customers', '150', '--seed', '11'], { DATABASE_URL: tdb.url ?? '' });
      expect(demo.counts.customers).toBe(150);
      const docs = {} as Record<CollectionName, Record<string, unknown>[]>;
      for (const collection of COLLECTION_NAMES) {
        const { rows } = await tdb.db.query<{ doc: Record<string, unknown> }>(`SELECT doc FROM ${TABLES[collection]} WHERE merchant_id = $1 ORDER BY version`, [demo.merchantId]);
        docs[collection] = rows.map((r) => r.doc);
      }
      checkDemoDocuments(docs, demo.merchantId, Date.now());
      // Versions were stamped by the trigger, gapless feed style: unique and increasing per merchant.
      const { rows } = await tdb.db.query<{ n: number; distinct_versions: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT version)::int AS distinct_versions FROM (
           SELECT version FROM customers WHERE merchant_id = $1 UNION ALL SELECT version FROM visits WHERE merchant_id = $1
           UNION ALL SELECT version FROM loyalty_entries WHERE merchant_id = $1) v`,
        [demo.merchantId],
      );
      expect(rows[0]?.n).toBe(rows[0]?.distinct_versions);
    } finally {
      await tdb.drop();
    }
  });
});

describe('patron-sync start', () => {
  it('creates the demo on the first run, prints the URL, a fresh code and the demo PINs, and reuses the demo later', async () => {
    const dir = tempDir('patron-start-');
    const run = async () => {
      const stop = new AbortController();
      let server: RunningServer | undefined;
      const result = cli(['start', '--port', '0', '--data', dir, '--customers', '60'], {}, { signal: stop.signal, onListening: (s) => (server = s) });
      await waitFor(() => server !== undefined, 'the server to listen', 60_000);
      const health = await fetch(`${server?.url}/health`);
      expect(health.status).toBe(200);
      // `start` offers the one-click demo enrolment to this machine's browser.
      expect(await (await fetch(`${server?.url}/v1/demo`, { headers })).json()).toEqual({ available: true });
      const oneClick = await fetch(`${server?.url}/v1/demo/enrolment-code`, { method: 'POST', headers });
      expect(oneClick.status).toBe(200);
      expect(((await oneClick.json()) as { code: string }).code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      stop.abort();
      const done = await result;
      expect(done.code).toBe(0);
      expect(done.stderr).toBe('');
      return { ...done, url: server?.url ?? '' };
    };

    const first = await run();
    expect(first.stdout).toMatch(/Creating the demo merchant "Café Patron" \(60 customers\)/);
    expect(first.stdout).toContain(`Patron sync server listening on ${first.url}`);
    const code1 = /Enrolment code:\s+([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(first.stdout)?.[1];
    expect(code1).toBeDefined();
    for (const pin of ['258025', '135713', '1111', '2222']) expect(first.stdout).toContain(pin);

    const second = await run();
    expect(second.stdout).not.toMatch(/Creating/);
    expect(second.stdout).toMatch(/Using the demo merchant "Café Patron" \(60 customers/);
    const code2 = /Enrolment code:\s+([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(second.stdout)?.[1];
    expect(code2).toBeDefined();
    expect(code2).not.toBe(code1);
  });
});

/** A request sent in two halves, so it is provably in flight (its body half-read) for as long as the test likes. */
function slowPost(url: string, headers: Record<string, string>, payload: unknown): { sendRest(): void; answer: Promise<{ status: number; body: unknown }> } {
  const body = Buffer.from(JSON.stringify(payload));
  const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) } });
  const answer = new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
  });
  const half = Math.floor(body.length / 2);
  request.write(body.subarray(0, half));
  return { sendRest: () => request.end(body.subarray(half)), answer };
}

interface LogLine {
  msg?: string;
  reqId?: string;
  req?: { url?: string };
  res?: { statusCode?: number };
}

describe.each(DATABASE_KINDS)('graceful shutdown of a `patron-sync serve` process on %s', (kind) => {
  let child: ChildProcess | undefined;
  let tdb: TestDatabase | undefined;
  let locker: pg.Client | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await locker?.end().catch(() => {});
    await tdb?.drop();
  });

  it('on SIGTERM stops accepting, answers the in-flight pushes after their COMMIT, ends the poke stream and exits 0', async () => {
    const dir = tempDir('patron-sigterm-');
    let env: Record<string, string | undefined>;
    if (kind === 'postgres') {
      tdb = await createTestDatabase('postgres');
      env = { DATABASE_URL: tdb.url ?? '' };
    } else {
      env = { PATRON_DATA_DIR: dir };
    }
    const merchant = await cliJson<{ merchantId: string }>(['merchant', 'create', '--name', 'Shutdown Café', '--currency', 'IRR', '--region', 'IR', '--locale', 'fa', '--time-zone', 'Asia/Tehran'], env);
    const store = await cliJson<{ storeId: string }>(['store', 'create', '--merchant', merchant.merchantId, '--name', 'Main'], env);
    const cashier = await cliJson<{ staffId: string }>(['staff', 'add', '--merchant', merchant.merchantId, '--name', 'Sara', '--role', 'cashier', '--pin', '1234'], env);
    const code = await cliJson<{ code: string }>(['enrol-code', '--merchant', merchant.merchantId, '--store', store.storeId], env);

    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
    for (const name of ['DATABASE_URL', 'PATRON_DATA_DIR', 'PORT', 'HOST']) delete childEnv[name];
    const args = ['bin/patron-sync.mjs', 'serve', '--port', '0'];
    if (kind === 'postgres') childEnv.DATABASE_URL = tdb?.url ?? '';
    else args.push('--data', dir);
    const proc = spawn(process.execPath, args, { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const lines: string[] = [];
    let partial = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('exit', (code, signal) => resolve([code, signal])));
    const log = () => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
    const pushArrivals = () => log().filter((l) => l.msg === 'incoming request' && l.req?.url === '/v1/push/customers');

    // The human line with the URL is what scripts (and this test) parse.
    await waitFor(() => lines.some((l) => l.startsWith('Patron sync server listening on ')), 'the URL line', 60_000);
    const url = /listening on (http:\/\/\S+)/.exec(lines.find((l) => l.startsWith('Patron sync server listening on ')) ?? '')?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const terminal = await enrol(url, code.code);
    const auth = { ...headers, authorization: `Bearer ${terminal.token}` };
    const stream = await fetch(`${url}/v1/stream`, { headers: auth });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toContain('event: ready');
    const streamEnded = (async () => {
      for (;;) if ((await reader?.read())?.done !== false) return true;
    })();

    const ctx = { merchantId: merchant.merchantId, storeId: store.storeId, terminalId: terminal.terminalId, staffId: cashier.staffId, now: new Date().toISOString(), offline: false };
    let serial = 0;
    const batch = (size: number) => Array.from({ length: size }, () => {
      serial += 1;
      return { newDocumentState: newCustomer({ phone: `0912${String(2_000_000 + serial).slice(-7)}`, name: `مشتری ${serial}` }, ctx, 'IR') };
    });

    // Push A: a full batch whose body is only half sent — in flight until the test sends the rest.
    const pushA = slowPost(`${url}/v1/push/customers`, auth, { rows: batch(500) });
    await waitFor(() => pushArrivals().length === 1, 'push A to arrive');
    // Push B (Postgres): complete, but stuck inside its transaction behind the merchant's clock row, which
    // the test holds locked from another connection — a push mid-transaction when the signal comes.
    let pushB: Promise<{ status: number; body: unknown }> | undefined;
    if (kind === 'postgres') {
      locker = new pg.Client({ connectionString: tdb?.url ?? '' });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`SELECT version FROM merchant_clock WHERE merchant_id = $1 FOR UPDATE`, [merchant.merchantId]);
      pushB = fetch(`${url}/v1/push/customers`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ rows: batch(100) }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
      const waiting = async () => Number((await locker?.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`))?.rows[0]?.n);
      const deadline = Date.now() + 20_000;
      while ((await waiting()) === 0) {
        if (Date.now() > deadline) throw new Error('push B never waited for the clock row');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    proc.kill('SIGTERM');
    await waitFor(() => log().some((l) => l.msg === 'shutting down: finishing in-flight requests'), 'the shutdown to begin');
    // No new work is accepted any more: a new connection is refused or answered 503 while the server drains.
    const late = await fetch(`${url}/health`).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(late);
    expect(proc.exitCode).toBeNull();

    pushA.sendRest();
    await locker?.query('COMMIT');
    expect(await pushA.answer).toEqual({ status: 200, body: { conflicts: [], rejected: [] } });
    if (pushB) expect(await pushB).toEqual({ status: 200, body: { conflicts: [], rejected: [] } });
    expect(await streamEnded).toBe(true);
    expect(await exited).toEqual([0, null]);
    expect(stderr).toBe('');

    // Both pushes completed only after the shutdown had begun.
    const entries = log();
    const shutdownAt = entries.findIndex((l) => l.msg === 'shutting down: finishing in-flight requests');
    const pushIds = new Set(pushArrivals().map((l) => l.reqId));
    expect(pushIds.size).toBe(kind === 'postgres' ? 2 : 1);
    const completed = entries.map((l, i) => ({ l, i })).filter(({ l }) => l.msg === 'request completed' && pushIds.has(l.reqId));
    expect(completed.map(({ l }) => l.res?.statusCode)).toEqual(kind === 'postgres' ? [200, 200] : [200]);
    for (const { i } of completed) expect(i).toBeGreaterThan(shutdownAt);
    // The process's output holds no token, credential, phone number or name of what was pushed.
    const output = lines.join('\n');
    for (const secret of [terminal.token, '+98912', '0912200', 'مشتری', 'Sara']) expect(output).not.toContain(secret);

    // What was answered 200 is committed and durable: reopen the database the process closed.
    const opened = await openDatabase(kind === 'postgres' ? { databaseUrl: tdb?.url ?? '' } : { dataDir: dir });
    try {
      const { rows } = await opened.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE merchant_id = $1`, [merchant.merchantId]);
      expect(rows[0]?.n).toBe(kind === 'postgres' ? 600 : 500);
    } finally {
      await opened.close();
    }
  }, 120_000);
});

describe('a second signal during a graceful shutdown', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('forces the exit with code 1 when a request keeps the shutdown waiting', async () => {
    const dir = tempDir('patron-twice-');
    const env = { PATRON_DATA_DIR: dir };
    const merchant = await cliJson<{ merchantId: string }>(['merchant', 'create', '--name', 'Twice', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin'], env);
    const store = await cliJson<{ storeId: string }>(['store', 'create', '--merchant', merchant.merchantId, '--name', 'Main'], env);
    const code = await cliJson<{ code: string }>(['enrol-code', '--merchant', merchant.merchantId, '--store', store.storeId], env);
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
    for (const name of ['DATABASE_URL', 'PATRON_DATA_DIR', 'PORT', 'HOST']) delete childEnv[name];
    const proc = spawn(process.execPath, ['bin/patron-sync.mjs', 'serve', '--port', '0', '--data', dir], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stdout = '';
    proc.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (status) => resolve(status)));
    await waitFor(() => /listening on http:\/\/\S+/.test(stdout), 'the URL line', 60_000);
    const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1] ?? '';
    const terminal = await enrol(url, code.code);
    // A push whose body never completes holds the graceful shutdown open.
    const stuck = slowPost(`${url}/v1/push/customers`, { ...headers, authorization: `Bearer ${terminal.token}` }, { rows: [] });
    stuck.answer.catch(() => {});
    await waitFor(() => stdout.includes('"url":"/v1/push/customers"'), 'the push to arrive');
    proc.kill('SIGTERM');
    await waitFor(() => stdout.includes('shutting down: finishing in-flight requests'), 'the shutdown to begin');
    expect(proc.exitCode).toBeNull();
    proc.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stdout).toContain('second signal: exiting without waiting');
  });
});
