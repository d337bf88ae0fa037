// The customers list's statistics (src/sync/client/customer-stats.ts) at 10k and 100k customers with six
// visits and six ledger lines each, in an RxDB replica (memory storage, production-like: no dev-mode): what the
// main thread spends when the list first opens, and again after each replicated change. Beside each, its floor,
// measured in the same run:
// - cold (the replica read into memory and every customer's statistics derived) beside a plain read of the same
//   documents from the replica (the scan pages, every document touched);
// - after one change (a visit written, as a pull writes it; the index's `rows()` as the list asks for them)
//   beside a full derivation of every customer's statistics from the documents in memory (what a change costs
//   when nothing is kept between derivations) and a plain pass over those documents;
// - a day later with no change (segments and expiring points move with time): `rows()` again.
// A benchmark, not a test: nothing is asserted.
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { createStatsIndex } from '../../src/sync/client/customer-stats.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../src/sync/client/database.ts';
import { replicaStream } from '../../src/sync/client/queries/replica-stream.ts';
import { newVisit } from '../../src/sync/model/document-builders.ts';
import { buildCustomerStats } from '../../src/sync/model/customer-stats.ts';
import type { Customer } from '../../src/sync/model/customer.ts';
import type { LoyaltyEntry } from '../../src/sync/model/loyalty-entry.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, type Settings } from '../../src/sync/model/settings.ts';
import type { Visit } from '../../src/sync/model/visit.ts';
import { buildDataset, withoutDeleted, type DataOrigin } from './lib/dataset.ts';
import { duration, int, median, printTable, type BenchContext } from './lib/report.ts';

const ORIGIN: DataOrigin = {
  merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
  storeId: '01890a5d-ac96-774b-bcce-b302099a8059',
  terminalId: '01890a5d-ac96-774b-bcce-b302099a8057',
  staffId: '01890a5d-ac96-774b-bcce-b302099a8061',
};
const SETTINGS = { timeZone: 'Asia/Tehran', program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES } as unknown as Settings;
const CHANGES = 7;
const PAGE = 2000;

async function replicaOf(customers: number, seed: number): Promise<PatronDatabase> {
  const db = await createPatronDatabase({ name: `customerlist${process.pid}x${seed}`, storage: getRxStorageMemory(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries'] });
  const data = buildDataset({ customers, visits: customers * 6, loyaltyEntries: customers * 6 }, ORIGIN, { seed });
  // Large bulks: each write merges into the storage's sorted indexes.
  const insert = async (collection: { bulkInsert(docs: never[]): Promise<unknown> }, docs: { _deleted?: boolean }[]) => {
    for (let i = 0; i < docs.length; i += 50_000) await collection.bulkInsert(docs.slice(i, i + 50_000).map(withoutDeleted) as never[]);
  };
  await insert(db.customers, data.customers);
  await insert(db.visits, data.visits);
  await insert(db.loyaltyEntries, data.loyaltyEntries);
  return db;
}

/** The floor of the cold start: every stored document read from the replica, page by page. */
async function plainRead(db: PatronDatabase): Promise<number> {
  const stream = replicaStream(db);
  let n = 0;
  for (const name of ['customers', 'visits', 'loyaltyEntries'] as const) for await (const page of stream.pages(name, PAGE)) for (const doc of page) n += doc.id.length;
  return n;
}

/** The floor of a full derivation: one pass over the documents in memory, reading a field of each. */
function plainPass(sources: { customers: Customer[]; visits: Visit[]; entries: LoyaltyEntry[] }): number {
  let n = 0;
  for (const c of sources.customers) n += c.id.length;
  for (const v of sources.visits) n += v.total;
  for (const e of sources.entries) n += e.points;
  return n;
}

const timed = async (f: () => unknown): Promise<number> => {
  const start = performance.now();
  await f();
  return performance.now() - start;
};

async function measure(customers: number, seed: number) {
  const db = await replicaOf(customers, seed);
  try {
    const floorCold = await timed(() => plainRead(db));
    let offset = 0;
    const index = createStatsIndex(replicaStream(db), () => SETTINGS, () => new Date(Date.now() + offset));
    const cold = await timed(() => index.rows());
    const sources = await index.sources();
    const pass: number[] = [];
    const full: number[] = [];
    const change: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const customer = sources.customers[(i * 7919) % sources.customers.length]!;
      const { visit } = newVisit({ customerId: customer.id, items: [], amount: 120_000, currency: 'IRR', paymentMethod: 'cash' }, 0, { ...ORIGIN, now: new Date().toISOString(), offline: false });
      await db.visits.insert(withoutDeleted(visit) as never);
      change.push(await timed(() => index.rows()));
      pass.push(await timed(() => plainPass(sources)));
      full.push(await timed(() => buildCustomerStats({ customers: sources.customers, visits: sources.visits, entries: sources.entries }, SETTINGS, new Date())));
    }
    offset = 86_400_000;
    const dayLater = await timed(() => index.rows());
    index.stop();
    return { customers, visits: sources.visits.length, entries: sources.entries.length, floorCold, cold, pass: median(pass), full: median(full), change: median(change), dayLater };
  } finally {
    await db.close();
  }
}

export async function run(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [2_000, 10_000] : [10_000, 100_000];
  const results = [];
  for (const [i, size] of sizes.entries()) results.push(await measure(size, i + 1));
  printTable(
    ctx.print,
    `The customers list's statistics on the main thread (RxDB memory replica; medians of ${CHANGES} changes)`,
    ['customers', 'visits', 'ledger lines', 'plain read of the replica', 'cold: read + derive', 'plain pass in memory', 'full derivation', 'rows() after one change', 'rows() a day later'],
    results.map((r) => [int(r.customers), int(r.visits), int(r.entries), duration(r.floorCold), duration(r.cold), duration(r.pass), duration(r.full), duration(r.change), duration(r.dayLater)]),
  );
  ctx.print('"rows() after one change" is what the list pays per replicated change; "full derivation" is every customer derived again.');
}
