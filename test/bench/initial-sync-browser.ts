// Initial-sync benchmark in Chromium (issue 4 item 6): a fresh terminal on IndexedDB (RxDB Dexie storage)
// replicating 20k customers, 60k visits and 60k ledger entries (a fifth of the Node size) from the real server
// on Postgres — beside the floor, a raw bulkInsert of the same documents into IndexedDB in the same page
// code, measured in the same run. The page is bundled with esbuild into a temp dir and served by the
// benchmark's own app instance (same origin as the API). A table, not a test.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import type { ReplicationOptions } from '../../src/sync/client/replicate.ts';
import { COLLECTION_NAMES, type CollectionName } from '../../src/sync/model/wire-protocol.ts';
import type { BrowserRun } from './browser/page.ts';
import { bundleResolver, summarize, type Profile } from './lib/cpu-profile.ts';
import type { DatasetSize } from './lib/dataset.ts';
import { duration, int, median, mib, perSecond, printTable, type BenchContext, type Print } from './lib/report.ts';
import { ms, rate, wall } from './lib/run-format.ts';
import { startSyncServer, type SyncServer } from './lib/sync-server.ts';
import { SYNCED, type Synced } from './lib/variants.ts';
import { CHROMIUM, CHROMIUM_ARGS as E2E_CHROMIUM_ARGS } from '../e2e/support/browser.ts';
import { printProfile } from './initial-sync.ts';

const TARGET = 2;
// The e2e suite's Chromium and flags, plus performance.memory without its 100 KB quantisation (heap column).
export const CHROMIUM_ARGS = [...E2E_CHROMIUM_ARGS, '--enable-precise-memory-info'];

export async function run(ctx: BenchContext): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    ctx.print(`[initial-sync-browser] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PATRON_CHROMIUM)`);
    return;
  }
  const size: DatasetSize = ctx.quick ? { customers: 2_000, visits: 6_000, loyaltyEntries: 6_000 } : { customers: 20_000, visits: 60_000, loyaltyEntries: 60_000 };
  // A run that has not finished by then is stopped and reported as such (the whole suite should fit ~10 min).
  const limitMs = ctx.quick ? 120_000 : 200_000;
  const bundleDir = mkdtempSync(join(tmpdir(), 'patron-bench-page-'));
  let server: SyncServer | null = null;
  try {
    server = await startPageServer(size, ctx.print, bundleDir);
    // Alternating rounds (floor, the terminal, the terminal with customers alone), so a busy machine's load
    // falls on all three alike; the lookup-ready table gives medians.
    const rounds: Round[] = [];
    for (let i = 0; i < LOOKUP_ROUNDS; i++) {
      ctx.print(`[initial-sync-browser] round ${i + 1} of ${LOOKUP_ROUNDS}: floor (raw bulkInsert into a fresh IndexedDB database), a fresh terminal against the server, the same without visits and ledger…`);
      const floorRun = await inBrowser(server, async (page) => page.evaluate(() => (window as unknown as Bench).patronBench.floor()));
      const syncRun = await syncIn(server, { limitMs }, ctx.print);
      const aloneRun = await syncIn(server, { limitMs, collections: CUSTOMERS_ALONE }, ctx.print);
      rounds.push({ floor: floorRun.result, sync: syncRun.result, alone: aloneRun.result });
    }
    const [floor, sync] = [{ result: rounds[0]!.floor }, { result: rounds[0]!.sync }];
    report(ctx.print, server, floor.result, sync.result, limitMs);
    reportLookupReady(ctx.print, server, rounds);
    if (ctx.profile) await profile(ctx, server, floor.result, sync.result, readFileSync(join(bundleDir, 'page.js'), 'utf8'), limitMs);
    else if (!sync.result.finished || sync.result.ms > TARGET * floor.result.ms) ctx.print('target missed: `npm run bench -- initial-sync-browser --profile` shows where the time goes.');
  } finally {
    await server?.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

/**
 * Bundles the page into `bundleDir` and starts the sync server with the dataset, serving the page, its bundle
 * and the floor's input from the benchmark's own app instance (bench-only routes, same origin as the API).
 */
export async function startPageServer(size: DatasetSize, print: Print, bundleDir: string): Promise<SyncServer> {
  await bundlePage(bundleDir);
  return startSyncServer(size, print, 'initial-sync-browser', (app, files) => {
    app.get('/bench/', async (_request, reply) => reply.type('text/html').send(readFileSync(join(bundleDir, 'index.html'))));
    app.get('/bench/page.js', async (_request, reply) => reply.type('text/javascript').send(readFileSync(join(bundleDir, 'page.js'))));
    app.get('/bench/docs/:name', async (request, reply) => {
      const name = (request.params as { name: string }).name;
      if (!(SYNCED as readonly string[]).includes(name)) return reply.code(404).send();
      return reply.type('application/json').send(createReadStream(files[name as Synced]));
    });
  });
}

interface SyncInput {
  code: string;
  expected: DatasetSize;
  options?: ReplicationOptions;
  limitMs?: number;
  /** Only these collections on the device (the customers-alone baseline). */
  collections?: CollectionName[];
}

/** Rounds of the lookup-ready comparison (alternating, medians reported). */
const LOOKUP_ROUNDS = Number(process.env.PATRON_BENCH_ROUNDS ?? 3);

/** One round: the floor, the terminal, and the terminal with customers alone. */
interface Round {
  floor: BrowserRun;
  sync: BrowserRun;
  alone: BrowserRun;
}

/** The device without visits and ledger entries: what lookup-ready costs when nothing competes with customers. */
const CUSTOMERS_ALONE = COLLECTION_NAMES.filter((name) => name !== 'visits' && name !== 'loyaltyEntries');

interface Bench {
  patronBench: { floor(input?: { chunk?: number }): Promise<BrowserRun>; sync(input: SyncInput): Promise<BrowserRun> };
}

/** One fresh terminal in a fresh browser profile; with `cpuProfile`, the renderer is profiled over CDP. */
export async function syncIn(server: SyncServer, input: Omit<SyncInput, 'code' | 'expected'>, print: Print, cpuProfile = false): Promise<{ result: BrowserRun; profile: Profile | null }> {
  const code = await server.enrolmentCode();
  return (
    await inBrowser(server, async (page) => {
      const cdp = cpuProfile ? await page.context().newCDPSession(page) : null;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await cdp.send('Profiler.start');
      }
      const expected = input.collections ? { customers: server.size.customers, visits: 0, loyaltyEntries: 0 } : server.size;
      const result = await page.evaluate((arg) => (window as unknown as Bench).patronBench.sync(arg), { ...input, code, expected });
      const profile = cdp ? ((await cdp.send('Profiler.stop')).profile as unknown as Profile) : null;
      return { result, profile };
    }, print)
  ).result;
}

/** Variants of the sync (same server, same documents) and a CPU profile of the page's main thread. */
async function profile(ctx: BenchContext, server: SyncServer, floor: BrowserRun, sync: BrowserRun, bundle: string, limitMs: number): Promise<void> {
  ctx.print('[initial-sync-browser] profiling: the floor in slices of 300, pull batch 1000, RxDB replication alone, and a CPU profile of the renderer…');
  const sliced = await inBrowser(server, async (page) => page.evaluate(() => (window as unknown as Bench).patronBench.floor({ chunk: 300 })));
  const big = await syncIn(server, { options: { pullBatchSize: 1000 }, limitMs }, ctx.print);
  const alone = await syncIn(server, { options: { initialLoad: false }, limitMs }, ctx.print);
  const push1000 = await syncIn(server, { options: { pushBatchSize: 1000 }, limitMs }, ctx.print);
  // The profiled run is bounded: its first minute shows the per-page costs.
  const profiled = await syncIn(server, { limitMs: Math.min(limitMs, 60_000) }, ctx.print, true);
  const n = server.size.customers + server.size.visits + server.size.loyaltyEntries;
  const row = (label: string, run: BrowserRun) => [
    label,
    wall(run, n),
    rate(run),
    lookup(run),
    run.written ? ms(run.written.allMs) : run.finished ? duration(run.ms) : 'not reached',
    run.pulls === undefined ? '' : int(run.pulls),
    `${(run.ms / floor.ms).toFixed(2)}×`,
  ];
  printTable(ctx.print, 'Initial sync in Chromium — where the time goes (same run, same server, same documents)', ['variant', 'wall time', 'documents/s', 'lookup-ready', 'all written', 'pull requests', 'vs floor'], [
    row('floor: one bulkInsert per collection', floor),
    row('floor: bulkInsert in slices of 300 (the default pull batch)', sliced.result),
    row('replication, pull batch 1000 (default)', sync),
    row('replication, pull batch 1000', big.result),
    row('RxDB replication alone (no initial load: an assumed-state document per document)', alone.result),
    row('replication, push batch 1000 (the upstream pass reads the fork in push-sized batches)', push1000.result),
    row('replication, default, CPU profiler attached (first minute)', profiled.result),
  ]);
  if (profiled.profile) printProfile(ctx.print, 'page (renderer main thread; IndexedDB work runs off it and shows as idle)', summarize(profiled.profile, bundleResolver('/bench/page.js', bundle)));
}

async function bundlePage(dir: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
    outfile: join(dir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Not minified, so a CPU profile names functions and esbuild's per-module comments map lines to sources;
    // production-like where it matters: no dev-mode plugin, no validation wrapper, NODE_ENV=production.
    minify: false,
    absWorkingDir: fileURLToPath(new URL('../..', import.meta.url)),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>patron bench</title><script type="module" src="/bench/page.js"></script>\n');
}

/** A fresh Chromium profile (so a fresh IndexedDB) per run; the page waits until the bundle has loaded. */
async function inBrowser<T>(server: SyncServer, fn: (page: Page) => Promise<T>, print?: Print): Promise<{ result: T }> {
  const profile = mkdtempSync(join(tmpdir(), 'patron-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(0);
    page.on('console', (message) => {
      if (print && message.text().startsWith('[initial-sync-browser]')) print(message.text());
    });
    await page.goto(`${server.url}/bench/${process.env.PATRON_BENCH_DEBUG ? '?debug' : ''}`);
    await page.waitForFunction(() => document.title === 'patron bench ready');
    return { result: await fn(page) };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** "156.0.8078.79" from `chromium --version` (the user agent carries a reduced version). */
export function chromiumVersion(): string {
  try {
    const out = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.match(/(\d+\.\d+\.\d+\.\d+)/)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}


function lookup(run: BrowserRun): string {
  return ms(run.lookupReadyMs);
}

function report(print: Print, server: SyncServer, floor: BrowserRun, sync: BrowserRun, limitMs: number): void {
  const n = server.size.customers + server.size.visits + server.size.loyaltyEntries;
  const ratio = sync.ms / floor.ms;
  const complete = (run: BrowserRun) =>
    run.counts.customers === server.size.customers && run.counts.visits === server.size.visits && run.counts.loyaltyEntries === server.size.loyaltyEntries;
  const counts = (run: BrowserRun) => `${int(run.counts.customers)} / ${int(run.counts.visits)} / ${int(run.counts.loyaltyEntries)}`;
  printTable(
    print,
    `Initial sync in Chromium ${chromiumVersion()} — RxDB Dexie/IndexedDB, ${int(server.size.customers)} customers + ${int(server.size.visits)} visits + ${int(server.size.loyaltyEntries)} ledger entries, server on Postgres${server.shimmed ? ' (pull ORDER BY shimmed)' : ''}`,
    ['measure', 'Patron replication', 'floor: raw bulkInsert', 'ratio', 'target', 'result'],
    [
      [
        `wall time, ${int(n)} documents`,
        wall(sync, n),
        duration(floor.ms),
        `${sync.finished ? '' : '> '}${ratio.toFixed(2)}×`,
        `≤ ${TARGET}×`,
        !sync.finished ? `fail: not done after ${duration(limitMs)}` : !complete(sync) ? 'fail: replica incomplete' : ratio <= TARGET ? 'pass' : 'fail',
      ],
      ['documents/s', rate(sync), int(perSecond(n, floor.ms)), '', '', ''],
      [
        'lookup-ready (customers complete)',
        lookup(sync),
        lookup(floor),
        sync.lookupReadyMs !== null && floor.lookupReadyMs ? `${(sync.lookupReadyMs / floor.lookupReadyMs).toFixed(2)}×` : '',
        '',
        '',
      ],
      ['customers written locally (change events)', ms(sync.written?.customersMs), lookup(floor), '', '', ''],
      ['all documents written locally (change events)', ms(sync.written?.allMs), duration(floor.ms), '', '', ''],
      ['peak JS heap above start (performance.memory)', mib(sync.peakHeap - sync.startHeap), mib(floor.peakHeap - floor.startHeap), '', '', ''],
      ['documents in the replica (c / v / l)', counts(sync), counts(floor), '', '', complete(sync) && complete(floor) ? 'complete' : 'INCOMPLETE'],
    ],
  );
  print(`replication: default options (pull batch 1000, pokes on; customers through RxDB replication, then visits and ledger entries by the initial load), ${int(sync.pulls ?? 0)} pull requests; the floor inserts customers, then visits, then entries (one bulkInsert each).`);
}

/**
 * Issue 16 item 2: a fresh tablet is lookup-ready first. The time to lookup-ready (the status lists
 * `customers`) with the visits and ledger entries on the server, beside the same terminal with customers alone
 * and the raw bulkInsert of the customers (the floor's first step) — same run, same server, same storage.
 */
function reportLookupReady(print: Print, server: SyncServer, rounds: readonly Round[]): void {
  const med = (values: (number | null | undefined)[]) => {
    const known = values.filter((v): v is number => typeof v === 'number');
    return known.length === values.length && known.length > 0 ? median(known) : null;
  };
  const runs = (values: (number | null | undefined)[]) => values.map((v) => ms(v)).join(', ');
  const gap = (run: BrowserRun) => (run.lookupReadyMs !== null && run.written?.customersMs != null ? run.lookupReadyMs - run.written.customersMs : null);
  const ready = rounds.map((r) => r.sync.lookupReadyMs);
  const alone = rounds.map((r) => r.alone.lookupReadyMs);
  const raw = rounds.map((r) => r.floor.lookupReadyMs);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const verdict = (value: number | null, target: number) => (value === null ? 'not reached' : value <= target ? 'pass' : 'fail');
  const x = (value: number | null) => (value === null ? '' : `${value.toFixed(2)}×`);
  const [vsAlone, vsRaw] = [ratio(med(ready), med(alone)), ratio(med(ready), med(raw))];
  const many = `${int(server.size.visits)} visits + ${int(server.size.loyaltyEntries)} ledger entries`;
  printTable(print, `Lookup-ready on a fresh tablet in Chromium — ${int(server.size.customers)} customers, medians of ${rounds.length} alternating rounds (same run, same server, same storage)`, ['measure', 'Patron (runs)', 'baseline (runs)', 'ratio of medians', 'target', 'result'], [
    [`lookup-ready with ${many}`, `${ms(med(ready))} (${runs(ready)})`, `customers alone: ${ms(med(alone))} (${runs(alone)})`, x(vsAlone), '≤ 1.15×', verdict(vsAlone, 1.15)],
    [`lookup-ready with ${many}`, `${ms(med(ready))}`, `raw bulkInsert of the customers: ${ms(med(raw))} (${runs(raw)})`, x(vsRaw), '≤ 1.3×', verdict(vsRaw, 1.3)],
    ['ready status after the last customer stored', `${ms(med(rounds.map((r) => gap(r.sync))))} (${runs(rounds.map((r) => gap(r.sync)))})`, `customers alone: ${runs(rounds.map((r) => gap(r.alone)))}`, '', '≤ 100 ms', verdict(med(rounds.map((r) => gap(r.sync))), 100)],
    ['everything stored (change events)', ms(med(rounds.map((r) => r.sync.written?.allMs))), `floor, all three bulkInserts: ${ms(med(rounds.map((r) => r.floor.ms)))}`, x(ratio(med(rounds.map((r) => r.sync.written?.allMs)), med(rounds.map((r) => r.floor.ms)))), '', ''],
  ]);
}
