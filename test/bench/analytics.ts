// The dashboard's cold start and its incremental update at scale: 100k customers, 1M visits and a ledger line
// per visit (plus redemptions), in two measurements, each beside its floor measured in the same run:
// - End to end (analytics-replica.ts, a child process): the documents in an RxDB replica (memory storage, the
//   fastest there is, so the strictest floor); the page's analytics client streams it to the handler in a
//   worker thread until the first snapshot arrives. Floor: a plain scan of the visits read from the same
//   replica (and one of the visits and the ledger lines, what the dashboard reads).
// - The computation alone, in this process: the documents generated in memory, then packed as the worker
//   receives them — 10k-document chunks of columns (input-shapes.ts: arrays of the id and date strings, typed
//   arrays of the numbers and flags), structured-cloned with their buffers transferred — and fed to the
//   aggregator through the worker's entry point (`addColumns`). The deserialisation is not in the timed
//   sections (it is in the end-to-end one). Floor: one plain scan of the same visit columns, reading what any
//   dashboard must read, alternating with the cold computation; medians of the rounds. All chunks stay alive
//   for every round (their strings: hundreds of MB at full size), so a garbage collection during a section
//   marks them all: the aggregation allocates its columns (which triggers collections) and a scan allocates
//   nothing. The collection pauses inside each section are measured (perf_hooks 'gc' entries) and shown beside
//   the times. In the worker the chunks die young, so the time without those pauses is the worker's.
// Targets (issue 7): cold ≤ 1.5 × the floor, incremental (one new visit → an updated dashboard) ≤ 20 ms.
// A benchmark, not a test: nothing is asserted.
import { existsSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createAggregator } from '../../src/renderer/features/analytics/compute/aggregator.ts';
import type { EntryColumns, EntryLike, VisitColumns, VisitLike } from '../../src/renderer/features/analytics/compute/replica.ts';
import type { AnalyticsQuery } from '../../src/renderer/features/analytics/compute/schema.ts';
import { dayKey } from '../../src/renderer/features/analytics/compute/time.ts';
import { asSentToWorker, generate, LAST_90_DAYS, makeIds, NOW, prng, SETTINGS, TODAY, type SentData } from './lib/analytics-data.ts';
import { spawnChild } from './lib/child.ts';
import { duration, int, median, printTable, type BenchContext } from './lib/report.ts';

// A full collection before each timed section, so no section pays for the garbage of the one before (the
// documents themselves stay alive for every round: a collection during a section still marks them all).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

// The text columns are `unknown[]` (the worker checks each entry as it reads it); the floor reads these
// well-formed ones as strings.
type Text = readonly string[];

/** The floor: one plain pass over the visit columns reading what any dashboard must read. */
function scanVisits(chunk: VisitColumns): number {
  const { n, total, live } = chunk;
  const [occurredAt, customerId, storeId] = [chunk.occurredAt as Text, chunk.customerId as Text, chunk.storeId as Text];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!live[i]) continue;
    sum += total[i]! + Date.parse(occurredAt[i]!) + customerId[i]!.length + storeId[i]!.length;
  }
  return sum;
}

/** The same plain pass over the ledger columns. */
function scanEntries(chunk: EntryColumns): number {
  const { n, points, kind } = chunk;
  const [occurredAt, customerId] = [chunk.occurredAt as Text, chunk.customerId as Text];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += points[i]! + Date.parse(occurredAt[i]!) + customerId[i]!.length + kind[i]!;
  return sum;
}

// Collection pauses, summed as the runtime reports them (delivered asynchronously: read after a macrotask).
let gcPauses = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses += entry.duration;
});
const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

// The main thread's CPU time (Linux: the first field of its schedstat, nanoseconds on a CPU), beside the wall
// time: on a machine shared with other work, time spent waiting for a CPU inflates wall times, and the longer
// section more. Not a replacement for the wall time (GC helper threads and waits are real): a second reading.
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const hasCpuClock = existsSync(SCHEDSTAT);
const threadCpuMs = () => (hasCpuClock ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6 : 0);

interface Timing {
  ms: number;
  gc: number;
  cpu: number;
}

/** Runs a section after a full collection; its wall time, the collection pauses inside it, its CPU time. */
async function section(f: () => unknown): Promise<Timing> {
  collectGarbage();
  await flush();
  const gcBefore = gcPauses;
  const cpuBefore = threadCpuMs();
  const start = performance.now();
  f();
  const ms = performance.now() - start;
  const cpu = threadCpuMs() - cpuBefore;
  await flush();
  return { ms, gc: gcPauses - gcBefore, cpu };
}

const medianOf = (xs: readonly Timing[]) => ({ ms: median(xs.map((x) => x.ms)), gc: median(xs.map((x) => x.gc)), net: median(xs.map((x) => x.ms - x.gc)), cpu: median(xs.map((x) => x.cpu)) });

/** Alternating rounds of floor and cold, with and without the ledger. */
async function measure(data: SentData, query: AnalyticsQuery, rounds: number) {
  const t = { floor: [] as Timing[], cold: [] as Timing[], ledgerFloor: [] as Timing[], coldLedger: [] as Timing[] };
  let aggregator = createAggregator(SETTINGS);
  const cold = (ledger: boolean) => () => {
    aggregator = createAggregator(SETTINGS);
    for (const chunk of data.customers) aggregator.addColumns({ customers: chunk });
    for (const chunk of data.visits) aggregator.addColumns({ visits: chunk });
    if (ledger) for (const chunk of data.entries) aggregator.addColumns({ loyaltyEntries: chunk });
    aggregator.snapshot(query);
  };
  const scan = (ledger: boolean) => () => {
    let sum = 0;
    for (const chunk of data.visits) sum += scanVisits(chunk);
    if (ledger) for (const chunk of data.entries) sum += scanEntries(chunk);
    return sum;
  };
  for (let round = 0; round < rounds; round++) {
    t.floor.push(await section(scan(false)));
    aggregator = createAggregator(SETTINGS); // the last round's is garbage before the next section's collection
    t.cold.push(await section(cold(false)));
    t.ledgerFloor.push(await section(scan(true)));
    aggregator = createAggregator(SETTINGS);
    t.coldLedger.push(await section(cold(true)));
  }
  return { aggregator, floor: medianOf(t.floor), cold: medianOf(t.cold), ledgerFloor: medianOf(t.ledgerFloor), coldLedger: medianOf(t.coldLedger) };
}

/** One more cold run with the ledger, outside the medians, timed phase by phase: where the time goes. */
async function phases(data: SentData, query: AnalyticsQuery): Promise<[string, Timing][]> {
  const aggregator = createAggregator(SETTINGS);
  const steps: [string, () => void][] = [
    ['customers: id index, names', () => data.customers.forEach((chunk) => aggregator.addColumns({ customers: chunk }))],
    ['visits: instants, stores, customer lookups, chains, day totals', () => data.visits.forEach((chunk) => aggregator.addColumns({ visits: chunk }))],
    ['ledger lines: the same, balances', () => data.entries.forEach((chunk) => aggregator.addColumns({ loyaltyEntries: chunk }))],
    ['first snapshot: view build, segments, rankings, rows', () => aggregator.snapshot(query)],
  ];
  collectGarbage();
  const out: [string, Timing][] = [];
  for (const [name, step] of steps) {
    await flush();
    const gcBefore = gcPauses;
    const cpuBefore = threadCpuMs();
    const start = performance.now();
    step();
    const ms = performance.now() - start;
    const cpu = threadCpuMs() - cpuBefore;
    await flush();
    out.push([name, { ms, gc: gcPauses - gcBefore, cpu }]);
  }
  return out;
}

interface ReplicaTiming {
  ms: number;
}
interface ColdTiming extends ReplicaTiming {
  streamedMs: number;
  visits: number;
}

/**
 * End to end, in a child process (analytics-replica.ts): the dashboard's cold start from a replica in RxDB
 * memory storage — the page's analytics client streaming it to the handler in a worker thread until the first
 * snapshot — beside plain scans of the visits (and the ledger lines) read from the same replica.
 */
async function endToEnd(print: (line?: string) => void, customers: number, visits: number, rounds: number): Promise<void> {
  const child = spawnChild(new URL('./analytics-replica.ts', import.meta.url), ['--max-old-space-size=12288']);
  try {
    const loaded = await child.request<{ customers: number; visits: number; loyaltyEntries: number; ms: number }>({ cmd: 'load', customers, visits });
    print(`replica (RxDB memory storage): ${int(loaded.customers)} customers, ${int(loaded.visits)} visits, ${int(loaded.loyaltyEntries)} ledger lines (generated and stored in ${duration(loaded.ms)})`);
    const t = { floor: [] as number[], ledgerFloor: [] as number[], cold: [] as number[], streamed: [] as number[] };
    let counted = 0;
    for (let round = 0; round < rounds; round++) {
      t.floor.push((await child.request<ReplicaTiming>({ cmd: 'floor', ledger: false })).ms);
      t.ledgerFloor.push((await child.request<ReplicaTiming>({ cmd: 'floor', ledger: true })).ms);
      const cold = await child.request<ColdTiming>({ cmd: 'cold', query: LAST_90_DAYS });
      t.cold.push(cold.ms);
      t.streamed.push(cold.streamedMs);
      counted = cold.visits;
    }
    const [floor, ledgerFloor, cold, streamed] = [median(t.floor), median(t.ledgerFloor), median(t.cold), median(t.streamed)];
    const ratio = (x: number, base: number) => `${(x / base).toFixed(2)} ×`;
    printTable(print, `Analytics end to end: the cold dashboard from the replica (client → worker thread → first snapshot; medians of ${rounds} rounds; ${int(counted)} visits in the period)`, ['measurement', 'time', 'vs visit scan', 'vs visit + ledger scan', 'target'], [
      [`floor: plain scan of the ${int(loaded.visits)} visits read from the replica`, duration(floor), '1.00 ×', '', ''],
      [`floor: plain scan of the visits + ${int(loaded.loyaltyEntries)} ledger lines read from the replica`, duration(ledgerFloor), ratio(ledgerFloor, floor), '1.00 ×', ''],
      ['cold: customers, visits, ledger, rewards streamed to the worker → first snapshot', duration(cold), ratio(cold, floor), ratio(cold, ledgerFloor), '≤ 1.5 ×'],
      ['  of which the stream (last page sent)', duration(streamed), ratio(streamed, floor), ratio(streamed, ledgerFloor), ''],
    ]);
  } finally {
    await child.close();
  }
}

/** Runs the benchmark; prints through `ctx` when given, and returns the printed text. */
export async function run(ctx?: Partial<BenchContext>): Promise<string> {
  const lines: string[] = [];
  const print = (line = '') => {
    lines.push(line);
    ctx?.print?.(line);
  };
  const quick = ctx?.quick ?? false;
  const [customerCount, visitCount] = quick ? [10_000, 100_000] : [100_000, 1_000_000];
  const rounds = quick ? 3 : 5;
  // First, while this process holds no documents: the child's replica holds them twice.
  await endToEnd(print, customerCount, visitCount, 3);
  print();
  const generated = performance.now();
  const data = asSentToWorker(generate(customerCount, visitCount));
  print(`data: ${int(customerCount)} customers, ${int(data.visitCount)} visits, ${int(data.entryCount)} ledger lines, 3 stores, Asia/Tehran (generated in ${duration(performance.now() - generated)})`);
  const query = LAST_90_DAYS;

  gcObserver.observe({ entryTypes: ['gc'] });
  const m = await measure(data, query, rounds);
  const aggregator = m.aggregator;

  // Incremental: the dashboard is open on `query`; one visit arrives (with its earning line), the worker
  // applies the change events and answers the same question again.
  const random = prng(11);
  const uuidv7 = makeIds(5);
  const someCustomers = (data.visits[0]!.customerId as Text).slice(0, 200);
  const incrementals: number[] = [];
  const applies: number[] = [];
  aggregator.snapshot(query); // the dashboard is open: its view and lists exist
  collectGarbage();
  for (let i = 0; i < 40; i++) {
    const customerId = someCustomers[Math.floor(random() * someCustomers.length)]!;
    const at = new Date(NOW - random() * 3_600_000).toISOString();
    const storeId = (data.visits[0]!.storeId as Text)[0]!;
    const visit: VisitLike = structuredClone({ id: uuidv7(), customerId, storeId, occurredAt: at, total: 120_000, voided: false, feedback: null, _deleted: false });
    const earn: EntryLike = structuredClone({ id: uuidv7(), customerId, storeId, kind: 'earn', points: 120, occurredAt: at, _deleted: false });
    const start = performance.now();
    aggregator.apply([{ collection: 'visits', doc: visit }, { collection: 'loyaltyEntries', doc: earn }]);
    applies.push(performance.now() - start);
    aggregator.snapshot(query);
    incrementals.push(performance.now() - start);
  }
  const rebuilds: number[] = [];
  for (const back of [29, 30, 31]) {
    const start = performance.now();
    aggregator.snapshot({ ...query, from: dayKey(TODAY - back) }); // a new question: a new view
    rebuilds.push(performance.now() - start);
  }
  const rebuild = median(rebuilds);
  const steps = ctx?.profile ? await phases(data, query) : null;

  gcObserver.disconnect();
  const ratio = (x: number, base: number) => `${(x / base).toFixed(2)} ×`;
  const v = int(data.visitCount);
  const e = int(data.entryCount);
  const row = (name: string, x: { ms: number; gc: number; net: number }, floor: { ms: number; net: number } | null, target = ''): string[] => [
    name, duration(x.ms), duration(x.gc), duration(x.net), floor ? ratio(x.ms, floor.ms) : '1.00 ×', floor ? ratio(x.net, floor.net) : '1.00 ×', target,
  ];
  printTable(print, `Analytics: cold computation vs one plain scan (medians of ${rounds} alternating rounds, a full collection before each)`, ['measurement', 'time', 'GC pauses in it', 'time − GC', 'vs floor', 'vs floor, − GC', 'target'], [
    row(`floor: plain scan of ${v} visits (Date.parse, total, ids)`, m.floor, null),
    row(`cold: ${int(customerCount)} customers + visits → first snapshot`, m.cold, m.floor, '≤ 1.5 ×'),
    row(`floor: plain scan of the visits + ${e} ledger lines`, m.ledgerFloor, null),
    row('cold: customers + visits + ledger → first snapshot', m.coldLedger, m.ledgerFloor, '≤ 1.5 ×'),
  ]);
  if (hasCpuClock) {
    const cpuRow = (name: string, x: { cpu: number }, floor: { cpu: number } | null, target = ''): string[] => [name, duration(x.cpu), floor ? ratio(x.cpu, floor.cpu) : '1.00 ×', target];
    printTable(print, 'The same sections in main-thread CPU time (Linux schedstat: waits for a CPU on a shared machine left out)', ['measurement', 'CPU', 'vs floor', 'target'], [
      cpuRow('floor: plain scan of the visits', m.floor, null),
      cpuRow('cold: customers + visits → first snapshot', m.cold, m.floor, '≤ 1.5 ×'),
      cpuRow('floor: plain scan of the visits + ledger lines', m.ledgerFloor, null),
      cpuRow('cold: customers + visits + ledger → first snapshot', m.coldLedger, m.ledgerFloor, '≤ 1.5 ×'),
    ]);
  }
  const missed = m.cold.ms > 1.5 * m.floor.ms || m.coldLedger.ms > 1.5 * m.ledgerFloor.ms;
  if (steps) {
    printTable(print, `Profile: one more cold run with the ledger, phase by phase (outside the medians; ${hasCpuClock ? 'CPU: main thread' : 'no CPU clock here'})`, ['phase', 'time', 'GC pauses in it', 'CPU', 'time / visit floor'], [
      ...steps.map(([name, x]) => [name, duration(x.ms), duration(x.gc), hasCpuClock ? duration(x.cpu) : '', ratio(x.ms, m.floor.ms)]),
    ]);
  } else if (missed) print('target missed: `npm run bench -- analytics --profile` times the cold computation phase by phase.');
  printTable(print, 'Incremental: the dashboard open on the last 90 days, one new visit and its earning line arrive (40 times)', ['measurement', 'median', 'max', 'target'], [
    ['apply the change events + snapshot of the same question', duration(median(incrementals)), duration(Math.max(...incrementals)), '≤ 20 ms'],
    ['apply the change events only', duration(median(applies)), duration(Math.max(...applies)), ''],
    ['a new question (another period): view build + snapshot', duration(rebuild), '', ''],
  ]);
  return lines.join('\n');
}

// `node --import tsx test/bench/analytics.ts [--quick] [--profile]` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  await run({ quick: process.argv.includes('--quick'), profile: process.argv.includes('--profile'), print: (line = '') => console.log(line) });
}
