// Fleet benchmark: many terminals holding poke streams across two server instances on one Postgres, some of
// them writing. It measures how long a write takes to become visible on a terminal of the same merchant on the
// other instance (push → NOTIFY → poke → pull), beside the same write seen by pulling right after the push
// answered (the floor: no poke path), both in the same run; the instances' memory per open stream; and the
// Postgres connections the fleet holds. A table, not a test: nothing here asserts a timing.
import pg from 'pg';
import { createEnrolmentCode } from '../../src/sync/server/repositories/admin.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { seedMerchant } from '../helpers/sync-server.ts';
import type { InstanceMemory } from './fleet-server.ts';
import { spawnChild, type Child } from './lib/child.ts';
import { duration, int, median, printTable, type BenchContext, type Print } from './lib/report.ts';

interface Size {
  merchants: number;
  terminalsPerMerchant: number;
  writers: number;
  rounds: number;
}

const FULL: Size = { merchants: 100, terminalsPerMerchant: 10, writers: 100, rounds: 5 };
const QUICK: Size = { merchants: 20, terminalsPerMerchant: 10, writers: 20, rounds: 3 };

export async function run(ctx: BenchContext): Promise<void> {
  const size = ctx.quick ? QUICK : FULL;
  const { print } = ctx;
  const tdb = await createTestDatabase('postgres');
  const children: Child[] = [];
  const admin = new pg.Client({ connectionString: tdb.url! });
  try {
    await admin.connect();
    const servers = [spawnChild(new URL('./fleet-server.ts', import.meta.url), ['--expose-gc']), spawnChild(new URL('./fleet-server.ts', import.meta.url), ['--expose-gc'])];
    children.push(...servers);
    const urls = await Promise.all(servers.map(async (server) => (await server.request<{ url: string }>({ cmd: 'start', databaseUrl: withApplicationName(tdb.url!) })).url));
    print(`[fleet] seeding ${size.merchants} merchants with ${size.terminalsPerMerchant} enrolment codes each…`);
    const merchants = await seedFleet(tdb.db, size);
    print(`[fleet] enrolling ${int(size.merchants * size.terminalsPerMerchant)} terminals over HTTP, alternating instances…`);
    const client = spawnChild(new URL('./fleet-client.ts', import.meta.url));
    children.push(client);
    await client.request({ cmd: 'prepare', servers: urls, merchants, writesPerMerchant: 2 * size.rounds });
    // The instances have served every terminal once: what opening the streams adds is the streams' own memory.
    const idle = await Promise.all(servers.map((server) => server.request<InstanceMemory>({ cmd: 'memory' })));
    print(`[fleet] opening ${int(size.merchants * size.terminalsPerMerchant)} poke streams…`);
    await client.request({ cmd: 'streams' });
    const open = await Promise.all(servers.map((server) => server.request<InstanceMemory>({ cmd: 'memory' })));
    const connections = await databaseConnections(admin);

    print(`[fleet] ${size.writers} writers × ${size.rounds} rounds, each write watched from the other instance…`);
    const floor = await client.request<number[]>({ cmd: 'write', writers: size.writers, rounds: size.rounds, viaPoke: false });
    const poked = await client.request<number[]>({ cmd: 'write', writers: size.writers, rounds: size.rounds, viaPoke: true });
    const busyConnections = await databaseConnections(admin);
    await client.request({ cmd: 'stop' });
    report(print, size, { floor, poked, idle, open, connections: Math.max(connections, busyConnections) });
  } finally {
    for (const child of children.reverse()) {
      await child.request({ cmd: 'stop' }).catch(() => {});
      await child.close().catch(() => {});
    }
    await admin.end().catch(() => {});
    await tdb.drop().catch(() => {});
  }
}

async function seedFleet(db: Parameters<typeof seedMerchant>[0], size: Size) {
  const merchants = [];
  for (let m = 0; m < size.merchants; m++) {
    const seed = await seedMerchant(db, `Fleet ${m}`);
    const codes: string[] = [];
    for (let t = 0; t < size.terminalsPerMerchant; t++) codes.push((await createEnrolmentCode(db, seed.merchantId, seed.storeId, 60, 'bench')).code);
    merchants.push({ origin: { merchantId: seed.merchantId, storeId: seed.storeId, staffId: seed.cashier.id }, codes });
  }
  return merchants;
}

const APPLICATION_NAME = 'patron-fleet-instance';

/** The database URL the instances use, naming them so their connections can be counted apart from the harness's. */
function withApplicationName(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', APPLICATION_NAME);
  return url.toString();
}

/** Connections the two instances hold to the benchmark's database. */
async function databaseConnections(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [APPLICATION_NAME]);
  return rows[0]?.n ?? 0;
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

interface FleetResult {
  floor: number[];
  poked: number[];
  idle: InstanceMemory[];
  open: InstanceMemory[];
  connections: number;
}

function report(print: Print, size: Size, r: FleetResult): void {
  const terminals = size.merchants * size.terminalsPerMerchant;
  printTable(print, `Fleet — ${int(terminals)} terminals of ${size.merchants} merchants on 2 instances, ${size.writers} writing (${r.poked.length} writes)`, ['figure', 'p50', 'p95', 'baseline (same run)'], [
    ['write → visible on the other instance (push, NOTIFY, poke, pull)', duration(median(r.poked)), duration(quantile(r.poked, 0.95)), `pull right after the push answered: p50 ${duration(median(r.floor))}, p95 ${duration(quantile(r.floor, 0.95))}`],
  ]);
  const rows = r.open.map((open, i) => {
    // Baseline: the same instance after every terminal enrolled and pulled once, before any stream opened.
    const idle = r.idle[i]!;
    const streams = Math.max(1, open.streams);
    return [`instance ${i + 1}`, int(open.streams), `${int((open.heapUsed - idle.heapUsed) / streams / 1024)} KiB`, `${int((open.rss - idle.rss) / streams / 1024)} KiB`, `${int(idle.rss / 1024 / 1024)} → ${int(open.rss / 1024 / 1024)} MiB`];
  });
  printTable(print, 'Memory per open poke stream (after a full GC; baseline: the same instance before the streams opened)', ['instance', 'streams', 'JS heap / stream', 'RSS / stream', 'RSS before → with streams'], rows);
  print(`Postgres connections held by both instances: ${r.connections} (each instance: a pool of at most 10 plus 1 LISTEN connection).`);
}
