// Keystroke benchmark (issue 5 item 10): from a key press in the counter's lookup field until the results for
// the new text are on screen, in the REAL app — production web build served by the real sync server, replica
// filled in IndexedDB by the app's own initial sync — in Debian's Chromium. Beside it, the floor: the same
// lookup function (src/sync/client/reads.ts lookupCustomers: one indexed RxDB query) on the same replica, in
// the same page, for the same texts, and the in-memory lookup index's search the app answers from once it has
// filled (src/sync/client/lookup-index.ts). A table, never an assertion (STYLE.md).
//
// `run()` returns the printed text (progress goes to stderr). The fill (100k customers; 20k with `quick`) is
// reported and never part of a measured number. Profile mode (`profile`, or PATRON_KEYSTROKE_PROFILE=1) adds a
// Chrome trace and a CPU profile of the page over the typing (unminified build, so samples map to modules):
// each keystroke's main-thread work against its wall time, where the main thread spent the typing, the hottest
// functions. PATRON_KEYSTROKE_TRACE=<file.json> (with it) saves the trace for Perfetto or DevTools, every key a
// User Timing span, and the CPU profile beside it (.cpuprofile). PATRON_KEYSTROKE_GAP_MS changes the pause.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Customer } from '../../src/sync/model/customer.ts';
import { newCustomer } from '../../src/sync/model/document-builders.ts';
import { buildApp, type PatronApp } from '../../src/sync/server/app.ts';
import { FAMILY_NAMES, FIRST_NAMES, LATIN_FAMILY_NAMES, LATIN_FIRST_NAMES } from '../../src/sync/server/demo/catalog.ts';
import { demoPhone } from '../../src/sync/server/demo/phones.ts';
import { Random } from '../../src/sync/server/demo/random.ts';
import { chromiumAvailable, CHROMIUM, openTerminal, type BrowserTerminal } from '../e2e/support/browser.ts';
import { enrolInDemo, signIn, waitForSync } from '../e2e/support/counter-app.ts';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seedMerchant, type SeededMerchant } from '../helpers/sync-server.ts';
import type { FloorSample } from './keystroke/page.ts';
import { installKeystrokeProbe, type ProbeSample, type ProbeState } from './keystroke/probe.ts';
import { startMainThreadTrace, type KeyCpu, type MainThreadTrace } from './keystroke/trace.ts';
import { bundleIntoApp } from './lib/app-bundle.ts';
import { bundleResolver, summarize, type CpuSummary, type Profile } from './lib/cpu-profile.ts';
import { FIXTURE_WRITER, loadDataset } from './lib/dataset.ts';
import { duration, int, machineInfo, printTable, type Print } from './lib/report.ts';

const TARGET_P95_MS = 16;
/** Pause after a key's results are on screen before the next key (a cashier types ~5–7 keys a second). */
const TYPING_GAP_MS = Number(process.env.PATRON_KEYSTROKE_GAP_MS ?? 150);
const PROFILE = process.env.PATRON_KEYSTROKE_PROFILE === '1';
const TRACE_FILE = process.env.PATRON_KEYSTROKE_TRACE;
const PAGE_BUNDLE = 'bench-keystroke.js';

type Kind = 'phone prefix' | 'last four' | 'Persian name' | 'family name' | 'name with a typo';
const KINDS: readonly Kind[] = ['phone prefix', 'last four', 'Persian name', 'family name', 'name with a typo'];
type Scenario = 'nothing open' | 'a card open';
type Sequence = { kind: Kind; text: string };

/**
 * What the cashier types. Each round: a number's start, a "last four", a name from its start (the phone-only path
 * and today's name prefix), then the name search of issue 19.1: a family name alone (a later word of the
 * name) and a Latin name with one typo — all in the same run. Texts differ between rounds
 * and scenarios, so most keys run a new query (a repeated text is answered from RxDB's query cache, as in
 * the app). "A card open": the previous customer's card stays on screen while the next one is looked up.
 */
const SESSIONS: readonly { scenario: Scenario; rounds: readonly (readonly Sequence[])[] }[] = [
  {
    scenario: 'nothing open',
    rounds: [
      [{ kind: 'phone prefix', text: '0912 34' }, { kind: 'last four', text: '4567' }, { kind: 'Persian name', text: 'مریم اح' }, { kind: 'family name', text: 'احمدی' }, { kind: 'name with a typo', text: 'Schmit' }],
      [{ kind: 'phone prefix', text: '0935 78' }, { kind: 'last four', text: '8812' }, { kind: 'Persian name', text: 'زهرا کر' }, { kind: 'family name', text: 'کریمی' }, { kind: 'name with a typo', text: 'Wilsin' }],
      [{ kind: 'phone prefix', text: '0919 05' }, { kind: 'last four', text: '3051' }, { kind: 'Persian name', text: 'علی رض' }, { kind: 'family name', text: 'رضایی' }, { kind: 'name with a typo', text: 'Haddat' }],
      [{ kind: 'phone prefix', text: '0901 62' }, { kind: 'last four', text: '7290' }, { kind: 'Persian name', text: 'سارا مح' }, { kind: 'family name', text: 'موسوی' }, { kind: 'name with a typo', text: 'Jensan' }],
    ],
  },
  {
    scenario: 'a card open',
    rounds: [
      [{ kind: 'phone prefix', text: '0936 21' }, { kind: 'last four', text: '1198' }, { kind: 'Persian name', text: 'فاطمه ر' }, { kind: 'family name', text: 'رحیمی' }, { kind: 'name with a typo', text: 'Beckr' }],
      [{ kind: 'phone prefix', text: '0913 57' }, { kind: 'last four', text: '6634' }, { kind: 'Persian name', text: 'نرگس ک' }, { kind: 'family name', text: 'کاظمی' }, { kind: 'name with a typo', text: 'Milller' }],
      [{ kind: 'phone prefix', text: '0990 48' }, { kind: 'last four', text: '2275' }, { kind: 'Persian name', text: 'حسین م' }, { kind: 'family name', text: 'حسینی' }, { kind: 'name with a typo', text: 'Dubios' }],
    ],
  },
];

interface KeySample extends ProbeSample {
  scenario: Scenario;
  kind: Kind;
}

export async function run(options: { quick?: boolean; profile?: boolean } = {}): Promise<string> {
  const profiling = options.profile ?? PROFILE;
  const lines: string[] = [];
  const print: Print = (line = '') => void lines.push(line);
  const progress = (line: string) => void process.stderr.write(`[keystroke] ${line}\n`);
  if (!chromiumAvailable()) return `[keystroke] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set PATRON_CHROMIUM)`;
  const customers = options.quick ? 20_000 : 100_000;
  let web: WebBuild | null = null;
  let tdb: TestDatabase | null = null;
  let app: PatronApp | null = null;
  let terminal: BrowserTerminal | null = null;
  try {
    progress('building the web app…');
    web = await buildWebApp({ minify: !profiling, private: true });
    await bundleIntoApp(web.dir, path.join(import.meta.dirname, 'keystroke/page.ts'), PAGE_BUNDLE);
    let dbKind = 'Postgres';
    tdb = await createTestDatabase('postgres').catch(() => {
      dbKind = 'PGlite (no Postgres reachable)';
      return createTestDatabase('pglite');
    });
    const db = tdb.db;
    const seed = await seedMerchant(db, 'Keystroke Café');
    const loadStarted = performance.now();
    await loadDataset(db, seed.merchantId, FIXTURE_WRITER, { customers: generateCustomers(customers, seed), visits: [], loyaltyEntries: [] }, 500);
    progress(`${int(customers)} customers generated and loaded on ${dbKind} in ${duration(performance.now() - loadStarted)}`);
    app = await buildApp({ db, webRoot: web.dir, logger: false, rateLimit: false, demo: { merchantId: seed.merchantId, storeId: seed.storeId } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });

    progress(`a fresh terminal in Chromium syncs ${int(customers)} customers into IndexedDB (not measured)…`);
    terminal = await openTerminal('keystroke');
    const page = terminal.page;
    const fillStarted = performance.now();
    await enrolInDemo(page, url);
    await signIn(page, { name: seed.cashier.name, pin: '1234' });
    await waitForSync(page, { initialSync: 'done' }, 20 * 60_000);
    const fillMs = performance.now() - fillStarted;
    progress(`replica filled in ${duration(fillMs)}; typing…`);
    await page.waitForTimeout(2_000); // the last sync writes and first renders settle
    await page.evaluate(installKeystrokeProbe, { marks: profiling });
    await typeSequence(page, { kind: 'phone prefix', text: '0912' }); // warm-up, not counted

    // The pointer rests away from the results: Chromium sends a synthetic mousemove to whatever lies under a
    // still pointer after each layout, and a result row under it would take the highlight (onMouseMove).
    await page.mouse.move(1, 1);
    const cdp = profiling ? await page.context().newCDPSession(page) : null;
    const trace = cdp ? await startMainThreadTrace(cdp, TRACE_FILE) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const samples: KeySample[] = [];
    for (const { scenario, rounds } of SESSIONS) {
      if (scenario === 'a card open') await openSomeCustomer(page);
      for (const sequence of rounds.flat()) samples.push(...(await typeSequence(page, sequence)).map((s) => ({ ...s, scenario, kind: sequence.kind })));
    }
    const profile = cdp ? ((await cdp.send('Profiler.stop')).profile as unknown as Profile) : null;
    if (profile && TRACE_FILE) writeFileSync(TRACE_FILE.replace(/(\.json)?$/, '.cpuprofile'), JSON.stringify(profile));
    const mainThread = trace ? await trace.stop() : null;

    progress('floor: the same lookups on the same replica, in the same page…');
    const { rows } = await db.query<{ terminal_id: string }>(`SELECT terminal_id FROM terminals WHERE merchant_id = $1`, [seed.merchantId]);
    if (!rows[0]) throw new Error('the terminal did not enrol');
    await page.addScriptTag({ url: `/${PAGE_BUNDLE}`, type: 'module' });
    await page.waitForFunction(() => 'patronKeystrokeFloor' in globalThis);
    const floor = await page.evaluate(
      (input) => (globalThis as unknown as { patronKeystrokeFloor: { floor(i: typeof input): Promise<{ samples: FloorSample[]; indexFillMs: number }> } }).patronKeystrokeFloor.floor(input),
      { databaseName: `patron-${rows[0].terminal_id}`, texts: samples.map((s) => s.text), region: 'IR' },
    );

    report(print, { customers, dbKind, fillMs, samples, floor: floor.samples, indexFillMs: floor.indexFillMs });
    if (profile) {
      // The unminified build marks each module with a `// node_modules/…` line, so samples map to modules.
      const resolvers = web.assets().filter((a) => a.file.endsWith('.js')).map((a) => bundleResolver(`/assets/${a.file}`, a.text));
      printProfile(print, samples.length, summarize(profile, (at, line) => resolvers.reduce<string | undefined>((found, resolve) => found ?? resolve(at, line), undefined)), mainThread ?? { totals: [], keys: [] });
    }
    return lines.join('\n');
  } finally {
    await terminal?.close();
    await app?.close().catch(() => {});
    await tdb?.drop().catch(() => {});
    web?.remove();
  }
}

/** Customers as the demo café has them: Persian and Latin names, Iranian and foreign numbers as typed. */
function generateCustomers(count: number, seed: SeededMerchant): Customer[] {
  const rng = new Random(20_240_501);
  const taken = new Set<string>();
  const now = Date.now();
  const out: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const { typed, e164 } = demoPhone(rng, 0.03, taken);
    taken.add(e164);
    const latin = rng.chance(0.12);
    const name = latin ? `${rng.pick(LATIN_FIRST_NAMES)} ${rng.pick(LATIN_FAMILY_NAMES)}` : `${rng.pick(FIRST_NAMES)[0]} ${rng.pick(FAMILY_NAMES)[0]}`;
    const at = new Date(now - Math.floor(rng.float() * 365 * 86_400_000)).toISOString();
    const ctx = { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: seed.merchantId, staffId: seed.cashier.id, now: at, offline: false };
    out.push(newCustomer({ phone: typed, name, ...(rng.chance(0.6) ? { consent: { sms: true } } : {}) }, ctx, 'IR'));
  }
  return out;
}

/** Opens the first customer of a lookup with Enter; the card stays open while the next texts are typed. */
async function openSomeCustomer(page: Page): Promise<void> {
  const input = page.locator('[data-testid="lookup-input"]');
  await input.fill('0912');
  await page.locator('[data-testid="lookup-result"]').first().waitFor();
  await input.press('Enter');
  await page.locator('[data-testid="customer-card"]').waitFor();
  await page.waitForTimeout(500);
}

/** Clears the field (Esc, the lookup's own clear) and types the text key by key, each key's results awaited. */
async function typeSequence(page: Page, sequence: Sequence): Promise<ProbeSample[]> {
  await page.locator('[data-testid="lookup-input"]').focus();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="lookup-result"]').length === 0);
  await page.waitForTimeout(400);
  await page.evaluate(() => {
    const probe = (globalThis as unknown as { __keystroke: ProbeState }).__keystroke;
    probe.samples = [];
    probe.pending = null;
  });
  for (const [index, char] of [...sequence.text].entries()) {
    // Digits and space come from keys; Persian letters arrive as text input, as from an IME or a soft keyboard.
    if (/[0-9 ]/.test(char)) await page.keyboard.press(char === ' ' ? 'Space' : char);
    else await page.keyboard.insertText(char);
    await page.waitForFunction((n) => (globalThis as unknown as { __keystroke: ProbeState }).__keystroke.samples.length >= n, index + 1, { polling: 'raf', timeout: 15_000 });
    await page.waitForTimeout(TYPING_GAP_MS);
  }
  return page.evaluate(() => (globalThis as unknown as { __keystroke: ProbeState }).__keystroke.samples);
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(1)} ms`);
const us = (value: number) => (Number.isNaN(value) ? '—' : `${(value * 1000).toFixed(0)} µs`);

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(/(\d+\.\d+\.\d+\.\d+)/)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function report(print: Print, run: { customers: number; dbKind: string; fillMs: number; samples: readonly KeySample[]; floor: readonly FloorSample[]; indexFillMs: number }): void {
  const paired = run.samples.map((sample, i) => ({ sample, floor: run.floor[i]?.ms ?? Number.NaN, index: run.floor[i]?.indexMs ?? Number.NaN }));
  type Paired = (typeof paired)[number];
  const row = (label: string, picked: readonly Paired[]) => {
    const pct = (f: (p: Paired) => number, p: number, format = ms) => format(percentile(picked.map(f).filter((v) => !Number.isNaN(v)), p));
    const rendered = (p: Paired) => p.sample.frame - p.sample.start;
    const painted = (p: Paired) => p.sample.painted - p.sample.start;
    const commit = (p: Paired) => p.sample.commit - p.sample.start;
    const results = picked.reduce((sum, p) => sum + p.sample.results, 0) / Math.max(1, picked.length);
    return [
      label, String(picked.length), pct(rendered, 50), pct(rendered, 95), pct(painted, 50), pct(painted, 95), pct(commit, 50), pct(commit, 95),
      pct((p) => p.floor, 50), pct((p) => p.floor, 95), pct((p) => p.index, 95, us), results.toFixed(1),
    ];
  };
  const rows: string[][] = [];
  for (const { scenario } of SESSIONS) {
    const inScenario = paired.filter((p) => p.sample.scenario === scenario);
    for (const kind of KINDS) rows.push(row(`${scenario}: ${kind}`, inScenario.filter((p) => p.sample.kind === kind)));
    rows.push(row(`${scenario}: all`, inScenario));
  }
  rows.push(row('every keystroke', paired));

  const all = run.samples.map((s) => s.frame - s.start);
  const p95 = percentile(all, 95);
  print(`Keystroke → rendered lookup results — Chromium ${chromiumVersion()}, production web build, ${int(run.customers)} customers in IndexedDB (RxDB Dexie), server on ${run.dbKind}`);
  print(machineInfo());
  printTable(
    print,
    `Per keystroke: ${run.samples.length} keys, ${TYPING_GAP_MS} ms pause after each key's results. rendered = key event → the frame that paints the new text's results (its requestAnimationFrame); painted = → the first task after that frame (the main thread has laid it out and painted it); DOM commit = key event → React's commit of them; floor = lookupCustomers alone (a second RxDB instance on the same IndexedDB replica, same page, same texts); index = the in-memory lookup index's search alone (the app answers from it once filled), same replica and texts`,
    ['typed', 'keys', 'rendered p50', 'rendered p95', 'painted p50', 'painted p95', 'DOM commit p50', 'DOM commit p95', 'floor p50', 'floor p95', 'index p95', 'results/key'],
    rows,
  );
  print();
  print(`target: rendered p95 ≤ ${TARGET_P95_MS} ms (one frame): ${p95 <= TARGET_P95_MS ? 'met' : 'MISSED'} (${ms(p95)}; worst key ${ms(Math.max(...all))}).`);

  const phases = (title: string, keys: readonly KeySample[], steps: readonly (readonly [string, (s: KeySample) => number])[]) => {
    if (keys.length === 0) return;
    printTable(print, title, ['phase', 'p50', 'p95'], steps.map(([label, f]) => {
      const values = keys.map(f);
      return [label, ms(percentile(values, 50)), ms(percentile(values, 95))];
    }));
  };
  const frameSteps = [
    ['→ the frame that paints them starts (layout, waiting for the frame)', (s: KeySample) => s.frame - s.commit],
    ['→ the main thread has painted that frame (style, layout, paint)', (s: KeySample) => s.painted - s.frame],
  ] as const;
  // Keys answered in their own commit (the in-memory index) and keys whose lookup read IndexedDB (before the
  // index has filled); the remaining keys were answered from RxDB's query cache.
  const fromIndex = run.samples.filter((s) => s.pendingAt === null && s.inputAt !== null);
  phases(`Where the time goes (${fromIndex.length} keys answered in the keystroke's own commit, from the in-memory index)`, fromIndex, [
    ['key event → the input event reaches the field (browser → page, key handling, editing)', (s) => (s.inputAt ?? 0) - s.start],
    ['→ React commits the text and its results (index search, render, DOM)', (s) => s.commit - (s.inputAt ?? 0)],
    ...frameSteps,
  ]);
  const queried = run.samples.filter((s) => s.pendingAt !== null && s.idbStart !== null && s.idbLast !== null);
  phases(`Where the time goes (${queried.length} keys whose lookup read IndexedDB)`, queried, [
    ['key event → React commits the new text (lookup pending)', (s) => (s.pendingAt ?? 0) - s.start],
    ['→ the lookup opens its IndexedDB cursor (effect, RxDB query setup)', (s) => (s.idbStart ?? 0) - (s.pendingAt ?? 0)],
    ['→ the cursor delivers its last row (IndexedDB, in the app)', (s) => (s.idbLast ?? 0) - (s.idbStart ?? 0)],
    ['→ results committed (RxDB result handling, React renders the list)', (s) => s.commit - (s.idbLast ?? 0)],
    ...frameSteps,
  ]);

  // The tail decides the p95: the slowest keys with their phases show whether it is the app or the machine.
  const slowest = [...run.samples].sort((a, b) => b.frame - b.start - (a.frame - a.start)).slice(0, 6);
  const at = (from: number | null, to: number | null) => (from === null || to === null ? '—' : ms(to - from));
  printTable(print, 'Slowest keys', ['scenario', 'text', 'rendered', 'key → input event', '→ DOM commit', '→ frame', '→ painted'],
    slowest.map((s) => [s.scenario, JSON.stringify(s.text), ms(s.frame - s.start), at(s.start, s.inputAt), at(s.inputAt ?? s.start, s.commit), at(s.commit, s.frame), at(s.frame, s.painted)]));
  print();
  print(`The replica was filled by the app's own initial sync in ${duration(run.fillMs)} (not measured above). The in-memory lookup index filled from it in ${duration(run.indexFillMs)} (every customer read once from IndexedDB; until then the counter answers through RxDB). The probe wraps IDBIndex.openCursor to time the lookup's cursor (microseconds per key).`);
}

/** Where the page's main thread spent the typing (profile mode; both recorders on, so every number is inflated). */
function printProfile(print: Print, keys: number, summary: CpuSummary, mainThread: MainThreadTrace): void {
  const share = (value: number) => `${(value * 100).toFixed(1)} %`;
  // Per key: the page's own work against the wall time. A slow key with little thread time waited for a CPU
  // (other processes on the machine), not for the app.
  const row = (label: string, f: (k: KeyCpu) => number) => {
    const values = mainThread.keys.map(f);
    return [label, ms(percentile(values, 50)), ms(percentile(values, 95)), ms(Math.max(...values))];
  };
  if (mainThread.keys.length > 0) printTable(print, `Renderer main thread per keystroke, from the trace (${mainThread.keys.length} keys; tasks that started between the key event and its frame)`, ['', 'p50', 'p95', 'max'], [
    row('key event → frame (wall)', (k) => k.wall),
    row('thread time: key events (editing, React, forced layout)', (k) => k.input),
    row('thread time: the frame (hit test, style, layout, paint)', (k) => k.frame),
    row('thread time: other tasks (GC, timers, CDP)', (k) => k.other),
    row('descheduled: those tasks waiting for a CPU', (k) => k.descheduled),
  ]);
  printTable(print, `Renderer main thread by trace event over the typing (${keys} keys; nested events count in their parents too)`, ['event', 'total', 'per key'],
    mainThread.totals.slice(0, 25).map((e) => [e.name, duration(e.ms), ms(e.ms / Math.max(1, keys))]));
  printTable(print, `Renderer main thread over the typing (CPU profile, ${duration(summary.totalMs)} sampled)`, ['bucket', 'self time', 'share'],
    summary.buckets.slice(0, 20).map((b) => [b.name, duration(b.ms), share(b.share)]));
  printTable(print, 'Hottest functions (self time)', ['function', 'self time', 'share'],
    summary.functions.filter((f) => f.name !== '(idle)').slice(0, 25).map((f) => [f.name.slice(0, 110), duration(f.ms), share(f.share)]));
}
