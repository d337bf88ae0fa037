import { BLOCK_BITS, BLOCK_MASK, entryBlocks, type EntryBlock } from './columns.ts';
import { DayTotals } from './day-totals.ts';
import {
  ADJUST, EARN, EXPIRE, L_ADJUSTED_DOWN, L_ADJUSTED_UP, L_EARNED, L_EXPIRED, L_REDEEMED, L_REVERSED, L_WIDTH, LEDGER_KIND_COUNT, packLoyaltyEntries, REDEEM,
  REVERSAL, type EntryColumns, type EntryLike,
} from './input-shapes.ts';
import type { TableHost } from './table-host.ts';
import { NO_DAY, readInstant } from './time.ts';

// The replica's ledger lines: columns (columns.ts), each customer's chain (Replica.entryHead →
// EntryBlock.next), the customers' balances and tier bases, and the per-day points per store.

/** The per-day column (L_…) a line of `kind` with `points` counts in. */
export function ledgerColumn(kind: number, points: number): number {
  return kind === EARN ? L_EARNED : kind === REDEEM ? L_REDEEMED : kind === EXPIRE ? L_EXPIRED : kind === ADJUST ? (points > 0 ? L_ADJUSTED_UP : L_ADJUSTED_DOWN) : L_REVERSED;
}

/** The points a line adds to its column: positive, but for the signed net of reversals. */
export function countedPoints(kind: number, points: number): number {
  return kind === REDEEM || kind === EXPIRE || (kind === ADJUST && points <= 0) ? -points : points;
}

export class LedgerTable {
  readonly columns = entryBlocks();
  readonly totals = new DayTotals(L_WIDTH);
  /** What prefetching loads added up to (never read; kept so the loads are not dropped). */
  private touched = 0;

  constructor(private readonly replica: TableHost) {}

  private totalsDelta(b: EntryBlock, i: number, sign: number): void {
    const points = b.points[i]!;
    this.totals.add(b.store[i]!, b.day[i]!, ledgerColumn(b.kind[i]!, points), sign * countedPoints(b.kind[i]!, points));
  }

  /** A live line's effect on its customer's balance and tier basis, and on the day totals. */
  private delta(b: EntryBlock, i: number, sign: number): void {
    const rp = this.replica;
    const c = b.customer[i]!;
    const points = b.points[i]!;
    const kind = b.kind[i]!;
    rp.balance[c]! += sign * points;
    // How a line moves the tier basis (loyalty.ts `tierBasisDelta`, not exported): earn, positive adjust,
    // negative reversal.
    rp.basis[c]! += sign * (kind === EARN ? points : kind === ADJUST ? Math.max(points, 0) : kind === REVERSAL ? Math.min(points, 0) : 0);
    this.totalsDelta(b, i, sign);
  }

  /**
   * Appends a page of lines not in the replica yet (the cold path, in the passes of VisitTable.insert; a line
   * is skipped on the same checks, and on an unknown kind).
   */
  insert(page: EntryColumns): number {
    const rp = this.replica;
    const cols = this.columns;
    const { n, id, customerId, storeId, occurredAt, reversesId, kind, points, deleted } = page;
    const first = cols.count;
    cols.reserve(first + n);
    const batch = rp.keyBatch(n);
    let e = first;
    for (let d = 0; d < n; d++) {
      const customer = customerId[d];
      const store = storeId[d];
      const at = occurredAt[d];
      const k = kind[d]!;
      const amount = points[d]!;
      if (typeof customer !== 'string' || typeof store !== 'string' || typeof at !== 'string' || k < 0 || k >= LEDGER_KIND_COUNT || !Number.isSafeInteger(amount)) {
        rp.skipped.loyaltyEntries++;
        continue;
      }
      const b = cols.blocks[e >>> BLOCK_BITS]!;
      const i = e & BLOCK_MASK;
      const day = readInstant(at, rp.clock, b.ms, i);
      if (day === NO_DAY) {
        rp.skipped.loyaltyEntries++;
        continue;
      }
      batch.take(customer, d);
      b.ids[i] = id[d];
      b.reverses[i] = reversesId[d] ?? null;
      b.day[i] = day;
      b.store[i] = rp.storeSlot(store);
      b.kind[i] = k;
      b.points[i] = amount;
      b.live[i] = deleted[d] === 0 ? 1 : 0;
      e++;
    }
    cols.count = e;
    // Taken ids are strings (checked above).
    const customers = rp.findCustomers(batch, (j) => customerId[batch.doc[j]!] as string);
    const head = rp.entryHead;
    // The customers' chain heads, balances and bases are random accesses: loaded first, together (see
    // IdIndex.prefetch).
    const { balance, basis } = rp;
    let touched = 0;
    for (let j = 0; j < e - first; j++) {
      const c = customers[j]!;
      touched += head[c]! + balance[c]! + basis[c]!;
    }
    this.touched = touched;
    for (let f = first; f < e; f++) {
      const c = customers[f - first]!;
      const b = cols.blocks[f >>> BLOCK_BITS]!;
      const i = f & BLOCK_MASK;
      b.customer[i] = c;
      b.next[i] = head[c]!;
      head[c] = f;
      if (b.live[i]) this.delta(b, i, 1);
    }
    return e - first;
  }

  /** Upserts a line from the change stream; returns the customer index when anything changed, else −1. */
  upsert(doc: EntryLike): number {
    const rp = this.replica;
    if (typeof doc.customerId !== 'string' || typeof doc.id !== 'string') {
      rp.skipped.loyaltyEntries++;
      return -1;
    }
    // Through the cold path's columns: one reading of a line document (input-shapes.ts), one insert.
    const page = packLoyaltyEntries([doc]);
    const c = rp.customerIndex.get(doc.customerId);
    const blocks = this.columns.blocks;
    let found = -1;
    for (let e = c >= 0 ? rp.entryHead[c]! : -1; e >= 0 && found < 0; ) {
      const b = blocks[e >>> BLOCK_BITS]!;
      if (b.ids[e & BLOCK_MASK] === doc.id) found = e;
      else e = b.next[e & BLOCK_MASK]!;
    }
    if (found < 0) {
      if (this.insert(page) === 0) return -1;
      const last = this.columns.count - 1;
      return this.columns.block(last).customer[last & BLOCK_MASK]!;
    }
    // Ledger lines are append-only: only a tombstone (never written by Patron) can change one.
    const b = blocks[found >>> BLOCK_BITS]!;
    const i = found & BLOCK_MASK;
    if (page.deleted[0] === 1 && b.live[i]) {
      this.delta(b, i, -1);
      b.live[i] = 0;
      return c;
    }
    return -1;
  }

  /** Recomputes every local day and the totals (after a time zone change). */
  relocalize(localDayOf: (ms: number) => number): void {
    this.totals.clear();
    for (let e = 0; e < this.columns.count; e++) {
      const b = this.columns.block(e);
      const i = e & BLOCK_MASK;
      b.day[i] = localDayOf(b.ms[i]!);
      if (b.live[i]) this.totalsDelta(b, i, 1);
    }
  }
}
