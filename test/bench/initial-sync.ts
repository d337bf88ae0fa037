// Initial-sync benchmark in Node (issue 4 item 6): a fresh terminal (RxDB memory storage, no dev-mode, no
// validation wrapper) replicating 100k customers, 300k visits and 300k ledger entries from the real server on
// Postgres — beside the floor, a raw bulkInsert of the same documents into a fresh database of the same
// storage, measured in the same run. Target: ≤ 2× the floor. A table, not a test.
import { spawnChild } from './lib/child.ts';
import type { CpuSummary } from './lib/cpu-profile.ts';
import type { DatasetSize } from './lib/dataset.ts';
import { duration, int, loadAverage, mib, perSecond, printTable, type BenchContext, type Print } from './lib/report.ts';
import { ms, rate, wall } from './lib/run-format.ts';
import { startSyncServer, type SyncServer } from './lib/sync-server.ts';
import type { ClientRun } from './initial-sync-client.ts';

const TARGET = 2;
// The memory storage keeps every document and index in the V8 heap.
const CHILD_ARGS = ['--max-old-space-size=8192', '--expose-gc'];

export async function run(ctx: BenchContext): Promise<void> {
  const size: DatasetSize = ctx.quick ? { customers: 10_000, visits: 30_000, loyaltyEntries: 30_000 } : { customers: 100_000, visits: 300_000, loyaltyEntries: 300_000 };
  // A run that has not finished by then is stopped and reported as such (the whole suite should fit ~10 min).
  const limitMs = ctx.quick ? 120_000 : 200_000;
  const server = await startSyncServer(size, ctx.print, 'initial-sync');
  try {
    ctx.print('[initial-sync] floor: raw bulkInsert into a fresh memory-storage database…');
    const floor = await inChild((child) => child.request<ClientRun>({ cmd: 'floor', files: server.files }));
    ctx.print(`[initial-sync] replication: a fresh terminal against the server (stopped after ${duration(limitMs)} if not done; load average ${loadAverage()})…`);
    const sync = await syncRun(server, { limitMs, label: 'initial-sync' });
    ctx.print('[initial-sync] network floor: the same pages downloaded and validated, nothing stored…');
    const network = await inChild(async (child) => child.request<ClientRun>({ cmd: 'download', url: server.url, code: await server.enrolmentCode() }));
    report(ctx.print, server, floor, sync, limitMs, network);
    if (ctx.profile) await profile(ctx, server, floor, sync, limitMs);
    else if (!sync.finished || sync.ms > TARGET * floor.ms) ctx.print('target missed: `npm run bench -- initial-sync --profile` shows where the time goes.');
  } finally {
    await server.close();
  }
}

async function inChild<T>(fn: (child: ReturnType<typeof spawnChild>) => Promise<T>): Promise<T> {
  const child = spawnChild(new URL('./initial-sync-client.ts', import.meta.url), CHILD_ARGS);
  try {
    return await fn(child);
  } finally {
    await child.close();
  }
}

function syncRun(server: SyncServer, input: Record<string, unknown>): Promise<ClientRun> {
  return inChild(async (child) => child.request<ClientRun>({ cmd: 'sync', url: server.url, code: await server.enrolmentCode(), expected: server.size, ...input }));
}

function total(size: DatasetSize): number {
  return size.customers + size.visits + size.loyaltyEntries;
}


function report(print: Print, server: SyncServer, floor: ClientRun, sync: ClientRun, limitMs: number, network: ClientRun): void {
  const n = total(server.size);
  const ratio = sync.ms / floor.ms;
  const complete = (run: ClientRun) =>
    run.counts.customers === server.size.customers && run.counts.visits === server.size.visits && run.counts.loyaltyEntries === server.size.loyaltyEntries;
  const counts = (run: ClientRun) => `${int(run.counts.customers)} / ${int(run.counts.visits)} / ${int(run.counts.loyaltyEntries)}`;
  const lookup = (run: ClientRun) => (run.lookupReadyMs === null ? 'not reached' : duration(run.lookupReadyMs));
  const verdict = !sync.finished ? `fail: not done after ${duration(limitMs)}` : !complete(sync) ? 'fail: replica incomplete' : ratio <= TARGET ? 'pass' : 'fail';
  printTable(
    print,
    `Initial sync in Node — RxDB memory storage, ${int(server.size.customers)} customers + ${int(server.size.visits)} visits + ${int(server.size.loyaltyEntries)} ledger entries, server on Postgres${server.shimmed ? ' (pull ORDER BY shimmed)' : ''}`,
    ['measure', 'Patron replication', 'floor: raw bulkInsert', 'ratio', 'target', 'result'],
    [
      [`wall time, ${int(n)} documents`, wall(sync, n), duration(floor.ms), `${sync.finished ? '' : '> '}${ratio.toFixed(2)}×`, `≤ ${TARGET}×`, verdict],
      ['documents/s', rate(sync), int(perSecond(n, floor.ms)), '', '', ''],
      ['network floor: the same pages downloaded and validated, nothing stored', duration(network.ms), '', `sync = ${(sync.ms / network.ms).toFixed(2)}× it`, '', ''],
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
      ['peak RSS', mib(sync.peakRss), mib(floor.peakRss), '', '', ''],
      ['peak V8 heap above start', mib(sync.peakHeap - sync.startHeap), mib(floor.peakHeap - floor.startHeap), '', '', ''],
      ['documents in the replica (c / v / l)', counts(sync), counts(floor), '', '', complete(sync) && complete(floor) ? 'complete' : 'INCOMPLETE'],
    ],
  );
  print(
    `replication: default options (pull batch 1000, pokes on; customers through RxDB replication, then visits and ledger entries by the initial load), ${int(sync.pulls ?? 0)} pull requests, ${int(sync.statusUpdates ?? 0)} status updates; ` +
      `the floor inserts customers, then visits, then entries (one bulkInsert each) and holds its ${mib(floor.startHeap)} input in the heap from the start.`,
  );
}

/**
 * Where the client's time goes: the floor again in pull-sized slices (what page-by-page writes cost the
 * storage alone), the sync with the largest pull page the server answers, and a CPU profile of the terminal.
 */
async function profile(ctx: BenchContext, server: SyncServer, floor: ClientRun, sync: ClientRun, limitMs: number): Promise<void> {
  const { print } = ctx;
  const n = total(server.size);
  print('[initial-sync] profiling: the floor in slices, sync with pull batch 1000, RxDB replication alone, a CPU profile of the terminal…');
  const sliced = (chunk: number) => inChild((child) => child.request<ClientRun>({ cmd: 'floor', files: server.files, chunk, limitMs: 120_000 }));
  const slices = [] as [number, ClientRun][];
  for (const chunk of [300, 1000, 5000, 20_000]) slices.push([chunk, await sliced(chunk)]);
  const big = await syncRun(server, { options: { pullBatchSize: 1000 }, limitMs, label: 'initial-sync, batch 1000' });
  const alone = await syncRun(server, { options: { initialLoad: false }, limitMs, label: 'initial-sync, RxDB replication alone' });
  const push1000 = await syncRun(server, { options: { pushBatchSize: 1000 }, limitMs, label: 'initial-sync, push batch 1000' });
  // The profiled sync is bounded: the first part of the sync shows the per-page costs; the quadratic part is
  // what the sliced floors show.
  const profiled = await syncRun(server, { profile: true, limitMs: ctx.quick ? limitMs : 60_000, label: 'initial-sync, profiled' });
  const row = (label: string, run: ClientRun): string[] => [
    label,
    wall(run, n),
    rate(run),
    ms(run.lookupReadyMs),
    run.written ? ms(run.written.allMs) : run.finished ? duration(run.ms) : 'not reached',
    run.pulls === undefined ? '' : int(run.pulls),
    `${(run.ms / floor.ms).toFixed(2)}×`,
  ];
  printTable(print, 'Initial sync in Node — where the time goes (same run, same server, same documents)', ['variant', 'wall time', 'documents/s', 'lookup-ready', 'all written', 'pull requests', 'vs floor'], [
    row('floor: one bulkInsert per collection', floor),
    ...slices.map(([chunk, run]) => row(`floor: bulkInsert in slices of ${int(chunk)}${chunk === 300 ? ' (the default pull batch)' : chunk === 1000 ? ' (the server’s largest page)' : ''}`, run)),
    row('replication, pull batch 1000 (default)', sync),
    row('replication, pull batch 1000', big),
    row('RxDB replication alone (no initial load: an assumed-state document per document)', alone),
    row('replication, push batch 1000 (the upstream pass reads the fork in push-sized batches)', push1000),
    row('replication, pull batch 1000, CPU profiler attached', profiled),
  ]);
  if (profiled.profile) printProfile(print, `terminal process (pull batch 1000, first ${duration(profiled.ms)})`, profiled.profile);
}

/** Prints a CPU profile's buckets and hottest functions. */
export function printProfile(print: Print, what: string, profile: CpuSummary): void {
  const busy = profile.buckets.filter((b) => b.name !== '(idle)').reduce((sum, b) => sum + b.ms, 0);
  printTable(
    print,
    `CPU profile of the ${what}: self time by area (${duration(profile.totalMs)} sampled, ${duration(busy)} busy)`,
    ['area', 'self time', 'share'],
    profile.buckets.slice(0, 12).map((b) => [b.name, duration(b.ms), `${(b.share * 100).toFixed(1)} %`]),
  );
  printTable(print, `CPU profile of the ${what}: hottest functions`, ['function', 'self time', 'share'], profile.functions.slice(0, 12).map((f) => [f.name, duration(f.ms), `${(f.share * 100).toFixed(1)} %`]));
}
