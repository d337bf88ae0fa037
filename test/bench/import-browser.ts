// Import benchmark (issue 19 item 4): a manager imports a 50,000-row customer file through the REAL app —
// production web build served by the real sync server on Postgres, the replica filled by the app's own initial
// sync with 10,000 customers — in Debian's Chromium: file input, mapping and preview, the check (worker, then
// duplicates against the replica), "merge" for every duplicate, the batched writes, and the push to the server.
// An .xlsx of the same rows is read and checked too (not written: every row would be a duplicate by then).
// While it runs the page records every task over 50 ms, every frame, and keys typed into a probe field
// (import/page.ts). Beside it, the floor: the same customer documents bulk-inserted into the same storage in
// the same browser. `--quick`: 5,000 rows over 2,000 customers (PATRON_IMPORT_ROWS and PATRON_IMPORT_EXISTING
// set other sizes). `--profile`: an unminified build and a CPU
// profile of the page from the CSV's check to "done" (PATRON_IMPORT_PROFILE=<file> also saves it as a
// .cpuprofile for DevTools); its numbers are inflated by the profiler. A table, never an assertion (STYLE.md).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import writeXlsxFile from 'write-excel-file/node';
import { buildApp, type PatronApp } from '../../src/sync/server/app.ts';
import type { Database } from '../../src/sync/server/db/database.ts';
import { chromiumAvailable, CHROMIUM, openTerminal, type BrowserTerminal } from '../e2e/support/browser.ts';
import { byTestId, enrolInDemo, signIn, text, waitForSync } from '../e2e/support/counter-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';
import { seedMerchant, SEED_PINS } from '../helpers/sync-server.ts';
import { csvOf, importFile, type FileMix, type ImportFile } from './import/data.ts';
import type { FloorResult, ImportBench, Recorded } from './import/page.ts';
import { chromiumVersion } from './initial-sync-browser.ts';
import { printProfile } from './initial-sync.ts';
import { bundleIntoApp } from './lib/app-bundle.ts';
import { bundleResolver, summarize, type Profile } from './lib/cpu-profile.ts';
import { buildCustomers, FIXTURE_WRITER, loadDataset } from './lib/dataset.ts';
import { duration, int, printTable, type BenchContext, type Print } from './lib/report.ts';

const PAGE_BUNDLE = 'bench-import.js';
/** Pause between probe keys (a person types a few keys a second; this is faster, so a stall is hit). */
const KEY_GAP_MS = 100;
/** The import's batch size (import-run.ts), for the floor's sliced insert. */
const FLOOR_SLICE = 500;
const SEED = Number(process.env.PATRON_BENCH_SEED ?? 19_4);

export async function run(ctx: BenchContext): Promise<void> {
  if (!chromiumAvailable()) {
    ctx.print(`[import-browser] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PATRON_CHROMIUM)`);
    return;
  }
  const size = {
    existing: Number(process.env.PATRON_IMPORT_EXISTING ?? (ctx.quick ? 2_000 : 10_000)),
    rows: Number(process.env.PATRON_IMPORT_ROWS ?? (ctx.quick ? 5_000 : 50_000)),
  };
  const progress = (line: string) => ctx.print(`[import-browser] ${line}`);
  let web: WebBuild | null = null;
  let tdb: TestDatabase | null = null;
  let app: PatronApp | null = null;
  let terminal: BrowserTerminal | null = null;
  try {
    progress(`seed ${SEED}; building the web app…`);
    web = await buildWebApp({ private: true, minify: !ctx.profile });
    await bundleIntoApp(web.dir, path.join(import.meta.dirname, 'import/page.ts'), PAGE_BUNDLE);
    let dbKind = 'Postgres';
    tdb = await createTestDatabase('postgres').catch(() => {
      dbKind = 'PGlite (no Postgres reachable)';
      return createTestDatabase('pglite');
    });
    const seed = await seedMerchant(tdb.db, 'Import Café');
    const existing = buildCustomers(size.existing, { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: FIXTURE_WRITER, staffId: seed.manager.id }, { seed: SEED });
    await loadDataset(tdb.db, seed.merchantId, FIXTURE_WRITER, { customers: existing, visits: [], loyaltyEntries: [] });
    app = await buildApp({ db: tdb.db, webRoot: web.dir, logger: false, rateLimit: false, demo: { merchantId: seed.merchantId, storeId: seed.storeId } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    progress(`a fresh terminal syncs ${int(size.existing)} customers (not measured)…`);
    terminal = await openTerminal('import-bench');
    const page = terminal.page;
    await enrolInDemo(page, url);
    await signIn(page, { name: seed.manager.name, pin: SEED_PINS.manager });
    await waitForSync(page, { initialSync: 'done', connection: 'online' }, 10 * 60_000);
    const file = importFile(size.rows, existing, SEED);
    await page.goto(`${url}/#/customers`);
    await page.addScriptTag({ url: `/${PAGE_BUNDLE}`, type: 'module' });
    await page.waitForFunction(() => 'patronImportBench' in globalThis);

    progress(`the same ${int(size.rows)} rows as .xlsx: read, preview, check (not written)…`);
    const xlsx = await importXlsx(page, file);
    progress(`the ${int(size.rows)}-row CSV: read, preview, check, merge duplicates, write, push…`);
    const csv = await importCsv(page, file, tdb.db, seed.merchantId, size.existing, ctx.profile);
    progress('floor: the same customer documents bulk-inserted into the same storage…');
    const terminalId = (await tdb.db.query<{ terminal_id: string }>(`SELECT terminal_id FROM terminals WHERE merchant_id = $1`, [seed.merchantId])).rows[0]!.terminal_id;
    const floor = await page.evaluate(
      (input) => (globalThis as unknown as { patronImportBench: ImportBench }).patronImportBench.floor(input),
      { databaseName: `patron-${terminalId}`, existing: existing.map((c) => c.id), slice: FLOOR_SLICE },
    );
    report(ctx.print, { dbKind, size, mix: file.mix, xlsx, csv, floor, problems: terminal.problems });
    if (csv.profile) {
      const resolvers = web.assets().filter((a) => a.file.endsWith('.js')).map((a) => bundleResolver(`/assets/${a.file}`, a.text));
      printProfile(ctx.print, 'page (renderer main thread) from the CSV check to "done", profiler attached', summarize(csv.profile, (at, line) => resolvers.reduce<string | undefined>((found, resolve) => found ?? resolve(at, line), undefined)));
      if (process.env.PATRON_IMPORT_PROFILE) writeFileSync(process.env.PATRON_IMPORT_PROFILE, JSON.stringify(csv.profile));
    }
  } finally {
    await terminal?.close();
    await app?.close().catch(() => {});
    await tdb?.drop().catch(() => {});
    web?.remove();
  }
}

const mark = (page: Page, name: string) => page.evaluate((n) => (globalThis as unknown as { patronImportBench: ImportBench }).patronImportBench.mark(n), name);

/** Wall-clock times the benchmark sent probe keys, in order (the page records their handling in the same order). */
let sent: number[] = [];

/** Presses a key in the probe field every KEY_GAP_MS until `until` settles. */
async function typeUntil(page: Page, until: Promise<unknown>): Promise<void> {
  let settled = false;
  void until.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await page.evaluate(() => (globalThis as unknown as { patronImportBench: ImportBench }).patronImportBench.focus());
    sent.push(performance.timeOrigin + performance.now());
    await page.keyboard.press('KeyA');
    await page.waitForTimeout(KEY_GAP_MS);
  }
  await until;
}

/**
 * Opens the import and chooses a file; marks the choice and the preview shown. The file is given by its path:
 * a file given as bytes is rebuilt inside the page from base64 by Playwright, a long task that is the
 * benchmark's, not the app's.
 */
async function choose(page: Page, name: string, buffer: Buffer): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'patron-bench-import-'));
  try {
    writeFileSync(path.join(dir, name), buffer);
    await byTestId(page, 'open-import').click();
    await mark(page, `${name}:chosen`);
    await byTestId(page, 'import-file').setInputFiles(path.join(dir, name));
    await byTestId(page, 'import-preview').waitFor({ timeout: 10 * 60_000 });
    await mark(page, `${name}:preview`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks the mapped rows with keys typed meanwhile; resolves once the review (summary) shows. */
async function check(page: Page, name: string): Promise<string> {
  await mark(page, `${name}:check`);
  await byTestId(page, 'import-check').click();
  const summary = byTestId(page, 'import-summary');
  await typeUntil(page, summary.waitFor({ timeout: 10 * 60_000 }));
  await mark(page, `${name}:review`);
  return (await summary.textContent()) ?? '';
}

/** What one file's run measured. */
interface FileRun {
  recorded: Recorded;
  /** Each probe key on the page's clock: when the benchmark sent it, its handler ran, the next frame began. */
  keys: { at: number; handled: number; frame: number }[];
  summary: string;
  done?: string;
  /** Customers the server holds beyond the ones it held before. */
  serverCustomers?: number;
  /** The page's CPU profile from the check to "done" (--profile). */
  profile?: Profile;
}

/** Starts the page's instruments and a fresh list of sent keys. */
async function startRecording(page: Page): Promise<void> {
  sent = [];
  await page.evaluate(() => (globalThis as unknown as { patronImportBench: ImportBench }).patronImportBench.start());
}

/** Stops them: the record, with each key's times (sent, handled, frame) on the page's clock. */
async function stopRecording(page: Page): Promise<Pick<FileRun, 'recorded' | 'keys'>> {
  const { recorded, origin } = await page.evaluate(() => {
    const b = (globalThis as unknown as { patronImportBench: ImportBench }).patronImportBench;
    return { recorded: b.stop(), origin: b.origin() };
  });
  const keys = recorded.keys.map((key, i) => ({ at: (sent[i] ?? Number.NaN) - origin, handled: key.handled - origin, frame: key.frame - origin }));
  return { recorded, keys };
}

async function importXlsx(page: Page, file: ImportFile): Promise<FileRun> {
  const buffer = await writeXlsxFile(file.cells.map((row) => row.map((value) => ({ value })))).toBuffer();
  await startRecording(page);
  await choose(page, 'customers.xlsx', buffer);
  const summary = await check(page, 'customers.xlsx');
  const recorded = await stopRecording(page);
  await page.getByRole('button', { name: text('en', 'import:close') }).click();
  return { ...recorded, summary };
}

async function importCsv(page: Page, file: ImportFile, db: Database, merchantId: string, existing: number, profiling: boolean): Promise<FileRun> {
  await startRecording(page);
  await choose(page, 'customers.csv', Buffer.from(csvOf(file)));
  const cdp = profiling ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const summary = await check(page, 'customers.csv');
  await byTestId(page, 'conflict-all').selectOption('merge');
  await mark(page, 'write');
  await byTestId(page, 'import-start').click();
  const done = byTestId(page, 'import-done');
  await typeUntil(page, done.waitFor({ timeout: 30 * 60_000 }));
  await mark(page, 'written');
  const doneText = (await done.textContent()) ?? '';
  const profile = cdp ? ((await cdp.send('Profiler.stop')).profile as unknown as Profile) : undefined;
  await typeUntil(page, waitForSync(page, { pending: 0, connection: 'online' }, 30 * 60_000));
  await mark(page, 'synced');
  const recorded = await stopRecording(page);
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM customers WHERE merchant_id = $1 AND NOT deleted`, [merchantId]);
  return { ...recorded, summary, done: doneText, serverCustomers: Number(rows[0]!.n) - existing, ...(profile ? { profile } : {}) };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const ms = (value: number) => (Number.isNaN(value) ? '—' : duration(value));

/** Long tasks, frames and probe keys of the span between two marks. */
function span({ recorded, keys: allKeys }: FileRun, from: string, to: string): string[] {
  const start = recorded.marks[from] ?? Number.NaN;
  const end = recorded.marks[to] ?? Number.NaN;
  const inSpan = (at: number) => at >= start && at <= end;
  const tasks = recorded.longTasks.filter((t) => inSpan(t.start)).map((t) => t.duration);
  const frames = recorded.frames.filter(inSpan);
  const gaps = frames.slice(1).map((at, i) => at - frames[i]!);
  const keys = allKeys.filter((k) => inSpan(k.at)).map((k) => ({ frame: k.frame - k.at }));
  return [
    ms(end - start),
    ms(tasks.length ? Math.max(...tasks) : 0),
    String(tasks.length),
    ms(tasks.reduce((sum, t) => sum + t, 0)),
    ms(gaps.length ? Math.max(...gaps) : Number.NaN),
    String(gaps.filter((g) => g > 50).length),
    keys.length ? String(keys.length) : '—',
    ms(percentile(keys.map((k) => k.frame), 50)),
    ms(percentile(keys.map((k) => k.frame), 95)),
    ms(keys.length ? Math.max(...keys.map((k) => k.frame)) : Number.NaN),
  ];
}

interface Report {
  dbKind: string;
  size: { existing: number; rows: number };
  mix: FileMix;
  xlsx: FileRun;
  csv: FileRun;
  floor: FloorResult;
  problems: readonly string[];
}

function report(print: Print, r: Report): void {
  const { mix } = r;
  printTable(
    print,
    `Import of ${int(r.size.rows)} rows in Chromium ${chromiumVersion()} — production web build, replica of ${int(r.size.existing)} customers in IndexedDB (RxDB Dexie), server on ${r.dbKind}. ` +
      `File: ${int(mix.existingPhone)} rows with an existing phone, ${int(mix.existingEmail)} with an existing e-mail, ${int(mix.earlierRow)} repeating an earlier row, ${int(mix.bad)} refused, ${int(mix.withPoints)} with points; duplicates merged. ` +
      `Long tasks: main-thread tasks over 50 ms (PerformanceObserver). Frame gap: between requestAnimationFrame callbacks. Keys: a key every ${KEY_GAP_MS} ms (after the last one was handled) into a probe field, sent → the frame after its handler.`,
    ['step', 'wall', 'longest task', 'tasks > 50 ms', 'in long tasks', 'longest frame gap', 'gaps > 50 ms', 'keys', 'key p50', 'key p95', 'key max'],
    [
      ['.xlsx: choose → preview (read + parse in the worker)', ...span(r.xlsx, 'customers.xlsx:chosen', 'customers.xlsx:preview')],
      ['.xlsx: check → review (rows checked, duplicates found)', ...span(r.xlsx, 'customers.xlsx:check', 'customers.xlsx:review')],
      ['CSV: choose → preview (read + parse in the worker)', ...span(r.csv, 'customers.csv:chosen', 'customers.csv:preview')],
      ['CSV: check → review (rows checked, duplicates found)', ...span(r.csv, 'customers.csv:check', 'customers.csv:review')],
      ['CSV: start → all written locally ("done")', ...span(r.csv, 'write', 'written')],
      ['CSV: "done" → the server holds them all (nothing pending)', ...span(r.csv, 'written', 'synced')],
      ['CSV: start → synced', ...span(r.csv, 'write', 'synced')],
    ],
  );
  const written = (r.csv.recorded.marks.written ?? 0) - (r.csv.recorded.marks.write ?? 0);
  printTable(print, `Floor: the ${int(r.floor.documents)} customer documents the import created, read back from the replica and bulk-inserted into a fresh database of the same storage (already holding the other customers), same page`, ['write', 'wall', 'documents/s', 'import ÷ floor'], [
    ['the import (start → "done"; with opening lines, merges and its records)', ms(written), int((r.floor.documents * 1000) / written), '1.00×'],
    ['floor: one bulkInsert', ms(r.floor.oneMs), int((r.floor.documents * 1000) / r.floor.oneMs), `${(written / r.floor.oneMs).toFixed(2)}×`],
    [`floor: bulkInsert in slices of ${r.floor.slice}`, ms(r.floor.slicedMs), int((r.floor.documents * 1000) / r.floor.slicedMs), `${(written / r.floor.slicedMs).toFixed(2)}×`],
  ]);
  print();
  print(`.xlsx review: ${r.xlsx.summary}`);
  print(`CSV review: ${r.csv.summary}`);
  print(`CSV done: ${r.csv.done} The server holds ${int(r.csv.serverCustomers ?? 0)} new customers.`);
  const problems = r.problems.filter((p) => p.startsWith('pageerror:'));
  if (problems.length > 0) print(`page errors: ${problems.slice(0, 5).join(' | ')}`);
}
