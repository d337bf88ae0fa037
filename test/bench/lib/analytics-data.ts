import type { AnalyticsSettings } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import { columnBuffers, packCustomers, packLoyaltyEntries, packVisits } from '../../../src/renderer/features/analytics/compute/input-shapes.ts';
import type { CustomerColumns, CustomerLike, EntryColumns, EntryLike, VisitColumns, VisitLike } from '../../../src/renderer/features/analytics/compute/replica.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { DAY_MS, dayKey } from '../../../src/renderer/features/analytics/compute/time.ts';
import { mulberry32 } from '../../../src/sync/server/demo/random.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES } from '../../../src/sync/model/settings.ts';

// The analytics benchmarks' data: 100k customers and 1M visits at full size (a ledger line per visit, plus
// redemptions), generated deterministically in the shape of replica documents (every field), in 10k chunks,
// each structured-cloned (fresh objects and strings); and those chunks as the worker receives them (columns).

export const CHUNK = 10_000;

/** UUID-shaped ids (UUIDv7 layout, time-ordered by `n`), cheaper than crypto-random ones for 2M documents. */
export function makeIds(seed: number) {
  const random = prng(seed);
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  let n = 0;
  return () => {
    n++;
    const r1 = Math.floor(random() * 0x1000000);
    const r2 = Math.floor(random() * 0x1000000);
    return `${hex(0x019a0000 + Math.floor(n / 65536), 8)}-${hex(n % 65536, 4)}-7${hex(r1 % 0x1000, 3)}-${hex(0x8000 + (r1 >> 12) % 0x4000, 4)}-${hex(r2, 6)}${hex(n % 0x1000000, 6)}`;
  };
}
export const NOW = Date.parse('2026-01-15T12:00:00.000Z');
/** NOW's local day in the data's zone (Asia/Tehran, UTC+3:30). */
export const TODAY = Math.floor((NOW + 3.5 * 3_600_000) / DAY_MS);
/** The dashboard's question: the last 90 days, every store. */
export const LAST_90_DAYS: AnalyticsQuery = { from: dayKey(TODAY - 89), to: dayKey(TODAY + 1), storeId: null, now: new Date(NOW).toISOString(), calendar: 'gregory', listLimit: 20 };
export const SETTINGS: AnalyticsSettings = { timeZone: 'Asia/Tehran', currency: 'IRR', program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES };

/** A small deterministic PRNG (the demo data's mulberry32), so every run measures the same data. */
export const prng = mulberry32;

/** What the floors read of a stored visit or ledger line. */
export type StoredLine = { _deleted: boolean; voided?: boolean; total?: number; points?: number; kind?: string; occurredAt: string; customerId: string; storeId?: string };

/**
 * The floors' pass over a page of stored visits: what any dashboard must read of each (its total, instant,
 * customer and store), added up so the reads are kept.
 */
export function readStoredVisits(page: readonly StoredLine[]): number {
  let sum = 0;
  for (const v of page) if (!v._deleted && !v.voided) sum += v.total! + Date.parse(v.occurredAt) + v.customerId.length + v.storeId!.length;
  return sum;
}

/** The same for a page of stored ledger lines (points, instant, customer, kind). */
export function readStoredEntries(page: readonly StoredLine[]): number {
  let sum = 0;
  for (const e of page) if (!e._deleted) sum += e.points! + Date.parse(e.occurredAt) + e.customerId.length + e.kind!.length;
  return sum;
}

/** The documents, in the chunks the worker receives. */
export interface Data {
  customers: CustomerLike[][];
  visits: VisitLike[][];
  entries: EntryLike[][];
  visitCount: number;
  entryCount: number;
}

/** `seed` names the data set: another seed gives other ids (more documents added to the same replica). */
export function generate(customerCount: number, visitCount: number, seed = 0): Data {
  const random = prng(7 + 2 * seed);
  const uuidv7 = makeIds(3 + 2 * seed);
  const merchantId = uuidv7();
  const stores = [uuidv7(), uuidv7(), uuidv7()];
  const terminal = uuidv7();
  const staff = uuidv7();
  const ids = Array.from({ length: customerCount }, () => uuidv7());
  const customers: CustomerLike[][] = [];
  for (let i = 0; i < customerCount; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK).map((id, j) => {
      const at = new Date(NOW - random() * 730 * DAY_MS).toISOString();
      // Real documents carry every field; the scan and the structured clone pay for them.
      return {
        id, merchantId, updatedAt: at, _deleted: false, phone: `+98912${String(1_000_000 + i + j).slice(-7)}`, phoneKey: '0912', phoneReversed: '2190', name: `Customer ${i + j}`,
        nameKey: `customer ${i + j}`, email: null, birthday: null, anniversary: null, phone2: null, phone2Key: null, phone2Reversed: null, address: '', company: '',
        source: null, preferredChannel: null, timeline: [], preferences: { favorites: [], allergies: [], preferredTime: null }, tags: [], consent: [], status: 'active', mergedInto: (i + j) % 500 === 499 ? ids[i + j - 1]! : null, storeId: stores[0]!, createdAt: at, updatedBy: staff, conflicts: [],
      };
    });
    customers.push(structuredClone(chunk));
  }
  const visits: VisitLike[][] = [];
  const entries: EntryLike[][] = [];
  let entryCount = 0;
  for (let i = 0; i < visitCount; i += CHUNK) {
    const chunk = [];
    const ledger = [];
    for (let j = 0; j < CHUNK && i + j < visitCount; j++) {
      // Skewed frequency: a few customers visit a lot. Times over two years, busier lately.
      const customerId = ids[Math.floor(customerCount * random() ** 2)]!;
      const at = new Date(NOW - (random() ** 1.3) * 730 * DAY_MS).toISOString();
      const total = 50_000 + Math.floor(random() * 40) * 10_000;
      const id = uuidv7();
      const storeId = stores[Math.floor(random() * stores.length)]!;
      const voided = random() < 0.01;
      chunk.push({
        id, merchantId, updatedAt: at, _deleted: false, storeId, customerId, terminalId: terminal, staffId: staff, occurredAt: at,
        items: [{ name: 'Latte', quantity: 1, unitPrice: total }], subtotal: total, discount: 0, total, currency: 'IRR', paymentMethod: 'card',
        pointsEarned: Math.floor(total / 1000), notes: '', feedback: random() < 0.1 ? { rating: 1 + Math.floor(random() * 5), comment: '' } : null,
        voided, voidedAt: voided ? at : null, voidedBy: voided ? staff : null, voidReason: voided ? 'mistake' : null,
      });
      const entry = { merchantId, updatedAt: at, _deleted: false, customerId, visitId: id, rewardId: null, reversesId: null, storeId, terminalId: terminal, staffId: staff, offline: false, note: '', occurredAt: at };
      ledger.push({ ...entry, id: uuidv7(), kind: 'earn', points: Math.floor(total / 1000) });
      if (random() < 0.08) ledger.push({ ...entry, id: uuidv7(), kind: 'redeem', points: -100, visitId: null });
    }
    visits.push(structuredClone(chunk));
    entries.push(structuredClone(ledger));
    entryCount += ledger.length;
  }
  return { customers, visits, entries, visitCount, entryCount };
}

/** The data as the worker receives it: the chunks as columns. */
export interface SentData {
  customers: CustomerColumns[];
  visits: VisitColumns[];
  entries: EntryColumns[];
  visitCount: number;
  entryCount: number;
}

/**
 * The data as the worker receives it from the page: each chunk packed into columns (input-shapes.ts, as
 * analytics-client.ts packs each page) and structured-cloned with its buffers transferred, as postMessage
 * does. The full documents are dropped.
 */
export function asSentToWorker(data: Data): SentData {
  const send = <T, C extends CustomerColumns | VisitColumns | EntryColumns>(chunks: T[][], pack: (docs: readonly T[]) => C) =>
    chunks.splice(0).map((chunk) => {
      const columns = pack(chunk);
      return structuredClone(columns, { transfer: columnBuffers(columns) });
    });
  return {
    customers: send(data.customers, packCustomers),
    visits: send(data.visits, packVisits),
    entries: send(data.entries, packLoyaltyEntries),
    visitCount: data.visitCount,
    entryCount: data.entryCount,
  };
}
