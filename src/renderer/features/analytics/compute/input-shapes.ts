import type { RewardValue } from './customer-math.ts';

// What the analytics read of the replica's documents, the columns the cold path sends them in, and the per-day
// columns they add up to.

/** What the analytics read of a visit (the replica's documents have more; nothing else is kept). */
export interface VisitLike {
  id: string;
  customerId: string;
  storeId: string;
  occurredAt: string;
  total: number;
  voided: boolean;
  feedback: { rating: number } | null;
  _deleted?: boolean;
}
/** What the analytics read of a customer. */
export interface CustomerLike {
  id: string;
  name: string;
  phone: string;
  mergedInto: string | null;
  /** Visits before Patron (absent: none); they add to the all-time count, never to a day. */
  priorVisits?: number;
  _deleted?: boolean;
}
/** What the analytics read of a ledger line. */
export interface EntryLike {
  id: string;
  customerId: string;
  storeId: string;
  kind: string;
  points: number;
  occurredAt: string;
  /** The line a reversal takes back (derived expiry cancels that lot first); null or absent otherwise. */
  reversesId?: string | null;
  _deleted?: boolean;
}
/** What the analytics read of a reward. */
export interface RewardLike extends RewardValue {
  id: string;
}

/**
 * Change events (and rewards) go to the worker as documents reduced to what the analytics read (the interfaces
 * above): a visit's items, notes and payment, a customer's preferences and the like would only cost structured
 * clones both ways. Fields are copied as they are (the worker checks them). The cold path's pages go as
 * columns (below).
 */
export const ANALYTICS_PROJECTIONS = {
  customers: (d: CustomerLike): CustomerLike => ({ id: d.id, name: d.name, phone: d.phone, mergedInto: d.mergedInto, priorVisits: d.priorVisits, _deleted: d._deleted }),
  visits: (d: VisitLike): VisitLike => ({
    id: d.id, customerId: d.customerId, storeId: d.storeId, occurredAt: d.occurredAt, total: d.total, voided: d.voided,
    feedback: d.feedback ? { rating: d.feedback.rating } : null, _deleted: d._deleted,
  }),
  loyaltyEntries: (d: EntryLike): EntryLike => ({
    id: d.id, customerId: d.customerId, storeId: d.storeId, kind: d.kind, points: d.points, occurredAt: d.occurredAt, reversesId: d.reversesId ?? null,
    _deleted: d._deleted,
  }),
  rewards: (d: RewardLike): RewardLike => ({ id: d.id, pointsCost: d.pointsCost, value: d.value, active: d.active, _deleted: d._deleted }),
};

// The cold path's pages travel as columns: an array per field, one entry per document. Structured clone
// deserialises arrays of strings and typed arrays several times faster than as many small objects (measured
// in the worker: ~0.3-0.5 µs a document against ~1.5 µs), and the worker reads them in one pass without
// making an object per document. The page fills the columns (`pack…`), converting but dropping nothing: text
// fields go as the documents carry them, numbers into Float64Arrays (anything that is not a number becomes
// NaN), flags and small enums into bytes. The worker's insert checks every entry as it reads it — the same
// checks, in the same place, as when documents were sent (strings, safe integers, a parsable instant, a known
// kind; a rating or kind out of range is treated as none / unknown) — so nothing invalid gets in and the skip
// counts are the worker's. Rewards stay documents (a catalog is a handful).

/** A page of customers as columns. */
export interface CustomerColumns {
  /** Documents in the page (every column has `n` entries). */
  n: number;
  /** As the documents carry them (the worker checks each: a customer without a string id is skipped). */
  id: readonly unknown[];
  name: readonly unknown[];
  phone: readonly unknown[];
  mergedInto: readonly unknown[];
  /** Visits before Patron, NaN where there is no number (the worker takes a safe integer ≥ 0, else none). */
  prior: Float64Array;
  /** 1 = a tombstone. */
  deleted: Uint8Array;
}
/** A page of visits as columns. */
export interface VisitColumns {
  n: number;
  /** As the documents carry them (the worker checks each). */
  id: readonly unknown[];
  customerId: readonly unknown[];
  storeId: readonly unknown[];
  occurredAt: readonly unknown[];
  /** The total, NaN where it was not a number (the worker takes safe integers only: NaN, 1.5 and 2⁶⁰ are skipped). */
  total: Float64Array;
  /** 1 = live, 0 = voided or tombstoned. */
  live: Uint8Array;
  /** Feedback rating 1…5, 0 = none. */
  rating: Uint8Array;
}
/** A page of ledger lines as columns. */
export interface EntryColumns {
  n: number;
  /** As the documents carry them (the worker checks each). */
  id: readonly unknown[];
  customerId: readonly unknown[];
  storeId: readonly unknown[];
  occurredAt: readonly unknown[];
  /** The line a reversal names (null otherwise), as the documents carry it. */
  reversesId: readonly unknown[];
  /** `kindIndex` of the kind: −1 for an unknown one (skipped). */
  kind: Int8Array;
  /** The points, NaN where they were not a number (safe integers only, as `total`). */
  points: Float64Array;
  /** 1 = a tombstone. */
  deleted: Uint8Array;
}

/** A number field as a Float64Array holds it: NaN stands for anything that is not a number. */
const numberOf = (value: unknown): number => (typeof value === 'number' ? value : NaN);

// Each packer allocates one ArrayBuffer for all its typed columns (widest first, so each is aligned): one
// buffer to transfer with the message. Text columns are filled by `push`: a pre-sized `new Array(n)` is holey,
// and V8 serialises a holey array as a sparse one, key by key.

/** Customers → columns. */
export function packCustomers(docs: readonly CustomerLike[]): CustomerColumns {
  const n = docs.length;
  const buffer = new ArrayBuffer(9 * n);
  const prior = new Float64Array(buffer, 0, n);
  const deleted = new Uint8Array(buffer, 8 * n, n);
  const id: unknown[] = [];
  const name: unknown[] = [];
  const phone: unknown[] = [];
  const mergedInto: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    id.push(d.id);
    name.push(d.name);
    phone.push(d.phone);
    mergedInto.push(d.mergedInto);
    prior[i] = numberOf(d.priorVisits);
    deleted[i] = d._deleted === true ? 1 : 0;
  }
  return { n, id, name, phone, mergedInto, prior, deleted };
}

/** Visits → columns. */
export function packVisits(docs: readonly VisitLike[]): VisitColumns {
  const n = docs.length;
  const buffer = new ArrayBuffer(10 * n);
  const total = new Float64Array(buffer, 0, n);
  const live = new Uint8Array(buffer, 8 * n, n);
  const rating = new Uint8Array(buffer, 9 * n, n);
  const id: unknown[] = [];
  const customerId: unknown[] = [];
  const storeId: unknown[] = [];
  const occurredAt: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    id.push(d.id);
    customerId.push(d.customerId);
    storeId.push(d.storeId);
    occurredAt.push(d.occurredAt);
    total[i] = numberOf(d.total);
    live[i] = d.voided === true || d._deleted === true ? 0 : 1;
    const r = d.feedback?.rating;
    // A Uint8Array truncates: a rating of 2.5 is 2, as the replica's rating column always stored it.
    rating[i] = typeof r === 'number' && r >= 1 && r <= 5 ? r : 0;
  }
  return { n, id, customerId, storeId, occurredAt, total, live, rating };
}

/** Ledger lines → columns. */
export function packLoyaltyEntries(docs: readonly EntryLike[]): EntryColumns {
  const n = docs.length;
  const buffer = new ArrayBuffer(10 * n);
  const points = new Float64Array(buffer, 0, n);
  const kind = new Int8Array(buffer, 8 * n, n);
  const deleted = new Uint8Array(buffer, 9 * n, n);
  const id: unknown[] = [];
  const customerId: unknown[] = [];
  const storeId: unknown[] = [];
  const occurredAt: unknown[] = [];
  const reversesId: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const d = docs[i]!;
    id.push(d.id);
    customerId.push(d.customerId);
    storeId.push(d.storeId);
    occurredAt.push(d.occurredAt);
    reversesId.push(d.reversesId ?? null);
    points[i] = numberOf(d.points);
    kind[i] = kindIndex(d.kind);
    deleted[i] = d._deleted === true ? 1 : 0;
  }
  return { n, id, customerId, storeId, occurredAt, reversesId, kind, points, deleted };
}

/** The buffers under a page's typed columns, each once: transferred with the message rather than copied. */
export function columnBuffers(columns: CustomerColumns | VisitColumns | EntryColumns): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const column of Object.values(columns)) if (ArrayBuffer.isView(column) && column.buffer instanceof ArrayBuffer) buffers.add(column.buffer);
  return [...buffers];
}

/** Why documents were skipped (they lacked a field the analytics read). */
export interface SkipCounts {
  visits: number;
  customers: number;
  loyaltyEntries: number;
}

/** Per-day visit columns. */
export const V_VISITS = 0;
export const V_REVENUE = 1;
export const V_VOIDED = 2;
/** Ratings 1…5 are columns V_RATING + rating − 1. */
export const V_RATING = 3;
/** Numbers per day of the visit totals. */
export const V_WIDTH = 8;
/** Per-day ledger columns (points, positive numbers except the signed net of reversals). */
export const L_EARNED = 0;
export const L_REDEEMED = 1;
export const L_EXPIRED = 2;
export const L_ADJUSTED_UP = 3;
export const L_ADJUSTED_DOWN = 4;
export const L_REVERSED = 5;
/** Numbers per day of the ledger totals. */
export const L_WIDTH = 6;

const LEDGER_KINDS = ['earn', 'redeem', 'adjust', 'reversal', 'expire'];
/** Number of ledger kinds (a kind index is below it). */
export const LEDGER_KIND_COUNT = LEDGER_KINDS.length;
/** Ledger kinds as stored (indexes in LEDGER_KINDS). */
export const [EARN, REDEEM, ADJUST, REVERSAL, EXPIRE] = [0, 1, 2, 3, 4];

/** The index of a ledger kind in LEDGER_KINDS, or −1 (by its first letters: no string search per line). */
export function kindIndex(kind: unknown): number {
  if (typeof kind !== 'string') return -1;
  const index = kind.charCodeAt(0) === 101 /* e */ ? (kind.charCodeAt(1) === 97 ? EARN : EXPIRE) : kind.charCodeAt(0) === 97 ? ADJUST : kind.charCodeAt(2) === 100 ? REDEEM : REVERSAL;
  return LEDGER_KINDS[index] === kind ? index : -1;
}
