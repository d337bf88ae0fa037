// Server benchmark: push throughput of 20 terminals of one merchant pushing batches of 100 new customers through
// the real HTTP API, beside the floor — a plain multi-row upsert of the same rows, 500 a statement, into a table
// with no trigger — and a pull of the feed from zero beside the raw keyset SELECT, all measured in the same run.
// A table, not a test: nothing here asserts a timing.
import pg from 'pg';
import { CustomerSchema } from '../../src/sync/model/customer.ts';
import { PushRequestSchema } from '../../src/sync/model/wire-protocol.ts';
import { buildApp, type PatronApp } from '../../src/sync/server/app.ts';
import { pullPage } from '../../src/sync/server/sync/pull.ts';
import type { Database } from '../../src/sync/server/db/database.ts';
import { createEnrolmentCode, createMerchant } from '../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type DatabaseKind } from '../helpers/database.ts';
import { seedMerchant } from '../helpers/sync-server.ts';
import { spawnChild, type Child } from './lib/child.ts';
import { startCpuProfile, type CpuSummary } from './lib/cpu-profile.ts';
import { profiledDatabase, pullSortsAsText, type DbProfile } from './lib/profiled-db.ts';
import { PLAIN_TABLE, STAMPED_TABLE, createRawTables, rawUpsertRun, type RawRow, type RawRun, type RawRunner } from './lib/raw-writes.ts';
import { duration, int, perSecond, percent, printTable, type BenchContext, type Print } from './lib/report.ts';
import type { PullResult, PushResult } from './server-client.ts';

const TERMINALS = 20;
const BATCH = 100;
/** Rows per statement of the raw floor. */
const FLOOR_BATCH = 500;
const PULL_PAGE = 1000;
const PUSH_TARGET = 0.5;
const PULL_TARGET = 0.7;

interface Sizes {
  push: number;
  warmup: number;
  profile: number;
}

/** One database kind's numbers. */
interface ServerResult {
  kind: DatabaseKind;
  version: string;
  push: PushResult;
  /** The plain upsert, no trigger, FLOOR_BATCH rows a statement: with 1 writer and with TERMINALS writers. */
  floorRuns: RawRun[];
  /** The write path before reserved versions: a per-row clock trigger, BATCH rows a statement, TERMINALS writers. */
  stamped: RawRun;
  /** Rows the feed holds when the pulls run. */
  feedRows: number;
  /** The pull as src/ does it. */
  pull: PullResult;
  /** When src/'s pull sorts pages as text: the same pull with the statement ordered by the column (bench shim). */
  pullFixed: PullResult | null;
  rawSelect: { docs: number; ms: number; pages: number };
  pushProfile: { db: DbProfile; client: PushResult; cpu: CpuSummary } | null;
  pullProfile: { db: DbProfile; client: PullResult; cpu: CpuSummary } | null;
  micro: Micro;
}

export async function run(ctx: BenchContext): Promise<void> {
  const { print } = ctx;
  const pgSizes: Sizes = ctx.quick ? { push: 20_000, warmup: 2_000, profile: 4_000 } : { push: 100_000, warmup: 4_000, profile: 10_000 };
  // PGlite is one in-process connection: the same shape at a fifth of the size keeps its column cheap.
  const pgliteSizes: Sizes = ctx.quick ? { push: 4_000, warmup: 2_000, profile: 2_000 } : { push: 20_000, warmup: 2_000, profile: 4_000 };
  for (const [kind, sizes] of [['postgres', pgSizes], ['pglite', pgliteSizes]] as const) {
    const result = await measure(kind, sizes, print);
    report(print, result, ctx.profile);
  }
}

async function measure(kind: DatabaseKind, sizes: Sizes, print: Print): Promise<ServerResult> {
  print(`\n[server/${kind}] preparing a scratch database…`);
  const tdb = await createTestDatabase(kind);
  const profiler = profiledDatabase(tdb.db);
  let app: PatronApp | null = null;
  let child: Child | null = null;
  let rawPool: pg.Pool | null = null;
  try {
    // Production request limits; the auth limit is raised only because 21 tills enrol from one address.
    app = await buildApp({ db: profiler.db, logger: false, rateLimit: { max: 1200, timeWindow: 60_000, authMax: 200 } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const seed = await seedMerchant(tdb.db, 'Bench Café');
    const codes: string[] = [];
    for (let i = 0; i <= TERMINALS; i++) codes.push((await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 60, 'bench')).code);
    const version = (await tdb.db.query<{ v: string }>(`SELECT version() AS v`)).rows[0]?.v.split(' ').slice(0, 2).join(' ') ?? kind;

    child = spawnChild(new URL('./server-client.ts', import.meta.url));
    const origin = { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: seed.merchantId, staffId: seed.cashier.id };
    print(`[server/${kind}] generating ${int(sizes.push + sizes.warmup + sizes.profile)} customers and enrolling ${TERMINALS + 1} terminals…`);
    await child.request({
      cmd: 'prepare',
      url,
      codes,
      origin,
      terminals: TERMINALS,
      batch: BATCH,
      sets: [
        { name: 'warmup', count: sizes.warmup, phoneBase: 0 },
        { name: 'measure', count: sizes.push, phoneBase: 1_000_000 },
        { name: 'profile', count: sizes.profile, phoneBase: 3_000_000 },
      ],
    });

    await child.request<PushResult>({ cmd: 'push', name: 'warmup' });
    const before = await clockVersion(tdb.db, seed.merchantId);
    print(`[server/${kind}] push: ${TERMINALS} terminals × batches of ${BATCH}…`);
    const push = await child.request<PushResult>({ cmd: 'push', name: 'measure' });

    // The raw runs write exactly the rows the terminals pushed (read back, untimed).
    const { rows: pushed } = await tdb.db.query<RawRow>(
      `SELECT id, doc::text AS json FROM customers WHERE merchant_id = $1 AND version > $2::bigint ORDER BY version`,
      [seed.merchantId, before],
    );
    const rawMerchant = await createMerchant(tdb.db, { name: 'Raw baseline', currency: 'IRR', defaultRegion: 'IR', locale: 'fa', timeZone: 'Asia/Tehran' }, 'bench');
    await createRawTables(tdb.db);
    rawPool = tdb.url ? new pg.Pool({ connectionString: tdb.url, max: TERMINALS }) : null;
    // The scratch database is dropped WITH (FORCE) at the end: idle connections may see that first.
    rawPool?.on('error', () => {});
    const runRaw: RawRunner = rawPool ? poolRunner(rawPool) : (sql, params) => tdb.db.query(sql, params).then(() => undefined);
    if (rawPool) await Promise.all(Array.from({ length: TERMINALS }, async () => (await rawPool!.connect()).release()));
    print(`[server/${kind}] raw upserts of the same rows (${rawPool ? 'a pool of connections' : 'the one PGlite connection'})…`);
    const floorRuns = [
      await rawUpsertRun(tdb.db, runRaw, PLAIN_TABLE, rawMerchant, pushed, 1, FLOOR_BATCH),
      await rawUpsertRun(tdb.db, runRaw, PLAIN_TABLE, rawMerchant, pushed, TERMINALS, FLOOR_BATCH),
    ];
    const stamped = await rawUpsertRun(tdb.db, runRaw, STAMPED_TABLE, rawMerchant, pushed, TERMINALS, BATCH);

    // The pull must hand out every row exactly once. If src/'s statement sorts pages as text (see
    // profiled-db.ts), it is measured as it is once, and then with the bench's shim ordering by the column.
    const feedRows = Number((await tdb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM customers WHERE merchant_id = $1`, [seed.merchantId])).rows[0]?.n ?? 0);
    const textOrder = await pullSortsAsText(tdb.db, seed.merchantId, 'customers', (limit) => pullPage(tdb.db, seed.merchantId, 'customers', undefined, limit));
    print(`[server/${kind}] pull ${int(feedRows)} rows from zero in pages of ${PULL_PAGE}, alternating with the raw keyset SELECT…`);
    const selectClient = tdb.url ? new pg.Client({ connectionString: tdb.url }) : null;
    await selectClient?.connect();
    const select = selectClient
      ? (sql: string, params: unknown[]) => selectClient.query<{ v: string }>(sql, params)
      : (sql: string, params: unknown[]) => tdb.db.query<{ v: string }>(sql, params);
    let rawSelect = { docs: 0, ms: Infinity, pages: 0 };
    const best = (a: PullResult | null, b: PullResult) => (a && a.ms <= b.ms ? a : b);
    let pull: PullResult | null = null;
    let pullFixed: PullResult | null = null;
    for (let round = 0; round < 2; round++) {
      const raw = await rawSelectRun(select, seed.merchantId);
      if (raw.ms < rawSelect.ms) rawSelect = raw;
      if (!textOrder || round === 0) pull = best(pull, await child.request<PullResult>({ cmd: 'pull', pageSize: PULL_PAGE }));
      if (textOrder) {
        profiler.fixPullOrder = true;
        pullFixed = best(pullFixed, await child.request<PullResult>({ cmd: 'pull', pageSize: PULL_PAGE }));
        profiler.fixPullOrder = false;
      }
    }
    await selectClient?.end();
    if (rawSelect.docs !== feedRows) throw new Error(`the raw SELECT returned ${rawSelect.docs} of ${feedRows} rows`);
    if (!pull) throw new Error('no pull measured');

    // Profiling passes with the instrumented database (after the measured runs, so they cost nothing there).
    print(`[server/${kind}] profiling pass…`);
    profiler.reset();
    profiler.enabled = true;
    let cpu = await startCpuProfile();
    const pushClient = await child.request<PushResult>({ cmd: 'push', name: 'profile' });
    const pushCpu = await cpu.stop();
    const pushDb = profiler.report();
    profiler.reset();
    profiler.fixPullOrder = textOrder;
    cpu = await startCpuProfile();
    const pullClient = await child.request<PullResult>({ cmd: 'pull', pageSize: PULL_PAGE });
    const pullCpu = await cpu.stop();
    const pullDb = profiler.report();
    profiler.enabled = false;
    profiler.fixPullOrder = false;

    const micro = microBenchmarks(pushed.slice(0, BATCH).map((row) => JSON.parse(row.json) as Record<string, unknown>), pushed.slice(0, PULL_PAGE).map((row) => JSON.parse(row.json) as Record<string, unknown>));
    return {
      kind,
      version,
      push,
      floorRuns,
      stamped,
      feedRows,
      pull,
      pullFixed,
      rawSelect,
      pushProfile: { db: pushDb, client: pushClient, cpu: pushCpu },
      pullProfile: { db: pullDb, client: pullClient, cpu: pullCpu },
      micro,
    };
  } finally {
    await child?.close().catch(() => {});
    await rawPool?.end().catch(() => {});
    await app?.close().catch(() => {});
    await tdb.drop().catch(() => {});
  }
}

async function clockVersion(db: Database, merchantId: string): Promise<string> {
  const { rows } = await db.query<{ v: string }>(`SELECT version::text AS v FROM merchant_clock WHERE merchant_id = $1`, [merchantId]);
  return rows[0]?.v ?? '0';
}

function poolRunner(pool: pg.Pool): RawRunner {
  return async (sql, params) => {
    await pool.query(sql, params);
  };
}

/** The pull's keyset statement run directly (ordered by the bigint column): pages of PULL_PAGE, documents parsed. */
async function rawSelectRun(select: (sql: string, params: unknown[]) => Promise<{ rows: { v: string }[] }>, merchantId: string): Promise<{ docs: number; ms: number; pages: number }> {
  let since = '0';
  let docs = 0;
  let pages = 0;
  const started = performance.now();
  for (;;) {
    const { rows } = await select(
      `SELECT doc, version::text AS v FROM customers WHERE merchant_id = $1 AND version > $2::bigint ORDER BY version LIMIT $3`,
      [merchantId, since, PULL_PAGE],
    );
    pages += 1;
    docs += rows.length;
    const last = rows.at(-1);
    if (rows.length < PULL_PAGE || !last) break;
    since = last.v;
  }
  return { docs, ms: performance.now() - started, pages };
}

/** CPU cost of the JSON and validation steps of one push batch and one pull page, on this machine. */
interface Micro {
  pushBodyParse: number;
  pushRequestSchema: number;
  customerSchemaPerBatch: number;
  stringifyPerBatch: number;
  pullPageStringify: number;
  pullPageParse: number;
}

function microBenchmarks(batch: Record<string, unknown>[], page: Record<string, unknown>[]): Micro {
  const time = (fn: () => void, reps: number) => {
    for (let i = 0; i < Math.min(20, reps); i++) fn();
    const started = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return (performance.now() - started) / reps;
  };
  const body = { rows: batch.map((doc) => ({ newDocumentState: doc })) };
  const bodyText = JSON.stringify(body);
  const pageText = JSON.stringify({ documents: page, checkpoint: { v: '123456' } });
  return {
    pushBodyParse: time(() => JSON.parse(bodyText), 300),
    pushRequestSchema: time(() => PushRequestSchema.safeParse(body), 300),
    customerSchemaPerBatch: time(() => batch.forEach((doc) => CustomerSchema.safeParse(doc)), 300),
    stringifyPerBatch: time(() => batch.forEach((doc) => JSON.stringify(doc)), 300),
    pullPageStringify: time(() => JSON.stringify({ documents: page, checkpoint: { v: '123456' } }), 50),
    pullPageParse: time(() => JSON.parse(pageText), 50),
  };
}

/** The floor: the faster of the plain upsert runs (the most Postgres takes of these rows here). */
function floorOf(r: ServerResult): RawRun {
  return r.floorRuns.reduce((best, run) => (perSecond(run.rows, run.ms) > perSecond(best.rows, best.ms) ? run : best));
}

function writersLabel(kind: DatabaseKind, writers: number): string {
  if (writers === 1) return '1 writer';
  return kind === 'postgres' ? `${writers} connections` : `${writers} callers, 1 connection`;
}

function report(print: Print, r: ServerResult, forceProfile: boolean): void {
  const pushRate = perSecond(r.push.rows, r.push.ms);
  const floor = floorOf(r);
  const floorRate = perSecond(floor.rows, floor.ms);
  const selectRate = perSecond(r.rawSelect.docs, r.rawSelect.ms);
  const pushRatio = pushRate / floorRate;
  const pullRow = (label: string, p: PullResult) => {
    const rate = perSecond(p.docs, p.ms);
    const complete = p.docs === r.feedRows && p.distinct === r.feedRows;
    const verdict = complete ? (rate / selectRate >= PULL_TARGET ? 'pass' : 'fail') : `fail: ${int(p.docs)} docs sent, ${int(p.distinct)} distinct, ${int(r.feedRows - p.distinct)} rows never sent`;
    return [label, `${int(rate)} docs/s`, `${int(selectRate)} docs/s (keyset SELECT, 1 connection)`, percent(rate / selectRate), `≥ ${percent(PULL_TARGET)}`, verdict];
  };
  const rows: string[][] = [
    [
      `push ${int(r.push.rows)} new customers`,
      `${int(pushRate)} rows/s`,
      `${int(floorRate)} rows/s (plain upsert, no trigger, ${floor.batch} a statement, ${writersLabel(r.kind, floor.writers)})`,
      percent(pushRatio),
      `≥ ${percent(PUSH_TARGET)}`,
      pushRatio >= PUSH_TARGET ? 'pass' : 'fail',
    ],
    pullRow(`pull ${int(r.feedRows)} customers from zero${r.pullFixed ? ' (src as is)' : ''}`, r.pull),
  ];
  if (r.pullFixed) rows.push(pullRow(`pull ${int(r.feedRows)} customers, ORDER BY fixed by a bench shim`, r.pullFixed));
  printTable(print, `Server — ${r.version} (${r.kind}), ${TERMINALS} terminals of one merchant over HTTP, batches of ${BATCH}, pull pages of ${PULL_PAGE}`, ['benchmark', 'Patron', 'raw baseline', 'ratio', 'target', 'result'], rows);
  print(`push latency per batch p50 ${duration(r.push.p50)}, p95 ${duration(r.push.p95)}; pulls: best of 2 rounds${r.pullFixed ? ' (the broken as-is pull: 1 round)' : ''}.`);
  const context = (label: string, x: RawRun) => {
    const rate = perSecond(x.rows, x.ms);
    return [label, `${int(rate)} rows/s`, percent(rate / floorRate), percent(pushRate / rate)];
  };
  printTable(print, `Raw upserts of the same ${int(floor.rows)} rows into tables shaped like customers (${r.kind})`, ['variant', 'rate', 'share of the floor', 'Patron push as a share of it'], [
    ...r.floorRuns.map((run) => context(`no trigger, ${run.batch} a statement, ${writersLabel(r.kind, run.writers)}${run === floor ? ' (the floor above)' : ''}`, run)),
    context(`per-row clock trigger (the write path before reserved versions), ${r.stamped.batch} a statement, ${writersLabel(r.kind, r.stamped.writers)}`, r.stamped),
  ]);
  if (r.pullFixed) {
    print(
      `NOTE: src/sync/server/sync/pull.ts orders by its output alias \`version\` (text): pages come in text order ('10' < '9'), ` +
        `rows are skipped for good and every page sorts all later rows. Fix: ORDER BY <table>.version (or alias the text column differently).`,
    );
  }
  const pullRatio = perSecond((r.pullFixed ?? r.pull).docs, (r.pullFixed ?? r.pull).ms) / selectRate;
  if (forceProfile || pushRatio < PUSH_TARGET) printPushProfile(print, r);
  if (forceProfile || pullRatio < PULL_TARGET) printPullProfile(print, r);
}

function printPushProfile(print: Print, r: ServerResult): void {
  const p = r.pushProfile;
  if (!p) return;
  const t = p.db.transactions;
  const n = Math.max(1, t.count);
  const per = (ms: number) => (ms / n).toFixed(2);
  const holdMs = (t.bodyMs - t.lockMs + t.commitMs) / n;
  const inTxStatements = p.db.statements.filter((s) => !s.label.startsWith('auth') && !s.label.startsWith('lock'));
  const rows: string[][] = [
    ['request latency seen by the terminal (p50)', p.client.p50.toFixed(2), `${TERMINALS} concurrent terminals`],
    ['transaction, call → COMMIT answered', per(t.totalMs), `${t.count} push transactions`],
    ['  pool checkout + BEGIN', per(t.beginMs), ''],
    ['  lock clock row (FOR UPDATE, waiting for other pushes)', per(t.lockMs), 'serialised per merchant (docs/architecture.md#gapless-feed, a MUST rule)'],
    ...inTxStatements.map((s) => [`  ${s.label}`, per(s.ms), `${s.count} statements`]),
    ['  JavaScript between statements, lock held', per(t.bodyMs - t.statementMs), 'zod per row, rules, JSON.stringify, and other requests sharing the event loop'],
    ['  COMMIT', per(t.commitMs), ''],
    ['lock held per batch (after the lock → COMMIT)', holdMs.toFixed(2), `ceiling ≈ ${int((BATCH * 1000) / holdMs)} rows/s for one merchant`],
    ...p.db.statements.filter((s) => s.label.startsWith('auth')).map((s) => [s.label, (s.ms / Math.max(1, s.count)).toFixed(2), 'per request, outside the transaction']),
    ['CPU: JSON.parse of the request body', r.micro.pushBodyParse.toFixed(2), 'measured alone'],
    ['CPU: PushRequestSchema.safeParse (body)', r.micro.pushRequestSchema.toFixed(2), 'measured alone'],
    ['CPU: CustomerSchema.safeParse × 100 rows', r.micro.customerSchemaPerBatch.toFixed(2), 'measured alone; runs while the lock is held'],
    ['CPU: JSON.stringify × 100 docs', r.micro.stringifyPerBatch.toFixed(2), 'measured alone; runs while the lock is held'],
    ['raw floor: one batch at the floor rate', ((BATCH * 1000) / perSecond(floorOf(r).rows, floorOf(r).ms)).toFixed(2), `${BATCH} rows ÷ floor rows/s`],
  ];
  printTable(print, `Profile — where a push batch's time goes (${r.kind}, ms per batch of ${BATCH}, profiling pass)`, ['step', 'ms', 'note'], rows);
  printCpu(print, `server process during the push pass (${r.kind})`, p.cpu);
}

/** The server process's CPU by area during a profiling pass (Postgres itself runs in other processes). */
function printCpu(print: Print, what: string, cpu: CpuSummary): void {
  printTable(
    print,
    `CPU profile of the ${what}: self time by area`,
    ['area', 'self time', 'share'],
    cpu.buckets.slice(0, 10).map((b) => [b.name, duration(b.ms), percent(b.share)]),
  );
}

function printPullProfile(print: Print, r: ServerResult): void {
  const p = r.pullProfile;
  if (!p) return;
  const pages = Math.max(1, p.client.pages);
  const stat = (prefix: string) => p.db.statements.find((s) => s.label.startsWith(prefix));
  const select = stat('pull page SELECT');
  const auth = stat('auth');
  const pageMs = p.client.ms / pages;
  const selectMs = (select?.ms ?? 0) / pages;
  const authMs = (auth?.ms ?? 0) / pages;
  const rest = pageMs - selectMs - authMs - r.micro.pullPageStringify - r.micro.pullPageParse;
  printTable(print, `Profile — where a pull page's time goes (${r.kind}, ms per page of ${PULL_PAGE}, profiling pass${r.pullFixed ? ', ORDER BY shim on' : ''})`, ['step', 'ms', 'note'], [
    ['page latency seen by the terminal', pageMs.toFixed(2), `${p.client.pages} pages, ${int(perSecond(p.client.docs, p.client.ms))} docs/s`],
    ['auth: terminal still active (query)', authMs.toFixed(2), 'one query per request'],
    ['keyset SELECT incl. pg parsing jsonb → objects', selectMs.toFixed(2), 'the same statement the raw baseline runs'],
    ['JSON.stringify of the page (Fastify, no response schema)', r.micro.pullPageStringify.toFixed(2), 'measured alone'],
    ['JSON.parse of the page on the terminal', r.micro.pullPageParse.toFixed(2), 'measured alone'],
    ['rest: Fastify hooks, HTTP, fetch/undici, scheduling', rest.toFixed(2), 'by difference'],
    ['raw keyset SELECT page', (r.rawSelect.ms / Math.max(1, r.rawSelect.pages)).toFixed(2), 'raw baseline'],
  ]);
  printCpu(print, `server process during the pull pass (${r.kind})`, p.cpu);
}
