import { BLOCK_BITS, BLOCK_MASK, visitBlocks, type VisitBlock } from './columns.ts';
import { DayTotals } from './day-totals.ts';
import { packVisits, V_RATING, V_REVENUE, V_VISITS, V_VOIDED, V_WIDTH, type VisitColumns, type VisitLike } from './input-shapes.ts';
import type { TableHost } from './table-host.ts';
import { NO_DAY, readInstant } from './time.ts';

// The replica's visits: columns (columns.ts), each customer's chain (Replica.visitHead → VisitBlock.next),
// and the per-day totals per store that period KPIs read.

export class VisitTable {
  readonly columns = visitBlocks();
  readonly totals = new DayTotals(V_WIDTH);
  /** What prefetching loads added up to (never read; kept so the loads are not dropped). */
  private touched = 0;

  constructor(private readonly replica: TableHost) {}

  /** Visits held (voided and deleted ones included). */
  get count(): number {
    return this.columns.count;
  }

  private totalsDelta(b: VisitBlock, i: number, sign: number): void {
    const store = b.store[i]!;
    const day = b.day[i]!;
    if (b.live[i]) {
      const rating = b.rating[i]!;
      this.totals.add3(store, day, V_VISITS, sign, V_REVENUE, sign * b.total[i]!, rating > 0 ? V_RATING + rating - 1 : -1, sign);
    } else this.totals.add(store, day, V_VOIDED, sign);
  }

  /**
   * Appends a page of visits not in the replica yet (no duplicate check: the cold path; input-shapes.ts
   * VisitColumns); returns how many it took. Every entry is checked as it is read: a visit whose customer id,
   * store id or instant is not a string, whose instant does not parse or whose total is not a safe integer is
   * skipped (and counted). Three passes: the page (the only pass that reads it: fields, instant, store,
   * customer id parsed), the customer index (Replica.findCustomers), then the customers' chains and the day
   * totals.
   */
  insert(page: VisitColumns): number {
    const rp = this.replica;
    const cols = this.columns;
    const { n, id, customerId, storeId, occurredAt, total, live, rating } = page;
    const first = cols.count;
    cols.reserve(first + n);
    const batch = rp.keyBatch(n);
    let v = first;
    for (let d = 0; d < n; d++) {
      const customer = customerId[d];
      const store = storeId[d];
      const at = occurredAt[d];
      const sum = total[d]!;
      if (typeof customer !== 'string' || typeof store !== 'string' || typeof at !== 'string' || !Number.isSafeInteger(sum)) {
        rp.skipped.visits++;
        continue;
      }
      const b = cols.blocks[v >>> BLOCK_BITS]!;
      const i = v & BLOCK_MASK;
      const day = readInstant(at, rp.clock, b.ms, i);
      if (day === NO_DAY) {
        rp.skipped.visits++;
        continue;
      }
      batch.take(customer, d);
      b.ids[i] = id[d];
      b.day[i] = day;
      b.total[i] = sum;
      b.store[i] = rp.storeSlot(store);
      b.live[i] = live[d] === 0 ? 0 : 1;
      const r = rating[d]!;
      b.rating[i] = r <= 5 ? r : 0;
      v++;
    }
    cols.count = v;
    // Taken ids are strings (checked above).
    const customers = rp.findCustomers(batch, (j) => customerId[batch.doc[j]!] as string);
    const head = rp.visitHead;
    // The customers' chain heads are random accesses: loaded first, together (see IdIndex.prefetch).
    let touched = 0;
    for (let j = 0; j < v - first; j++) touched += head[customers[j]!]!;
    this.touched = touched;
    for (let w = first; w < v; w++) {
      const c = customers[w - first]!;
      const b = cols.blocks[w >>> BLOCK_BITS]!;
      const i = w & BLOCK_MASK;
      b.customer[i] = c;
      b.next[i] = head[c]!;
      head[c] = w;
      this.totalsDelta(b, i, 1);
    }
    return v - first;
  }

  /** The index of a visit of customer `c` by id (walks that customer's visits only), or −1. */
  find(c: number, id: string): number {
    const blocks = this.columns.blocks;
    for (let v = this.replica.visitHead[c]!; v >= 0; ) {
      const b = blocks[v >>> BLOCK_BITS]!;
      const i = v & BLOCK_MASK;
      if (b.ids[i] === id) return v;
      v = b.next[i]!;
    }
    return -1;
  }

  /**
   * Upserts a visit from the change stream: inserts a new one, or applies what may change on a stored visit
   * (a void — never undone — and feedback added later). Returns the customer index it concerns when
   * anything changed, else −1.
   */
  upsert(doc: VisitLike): number {
    const rp = this.replica;
    if (typeof doc.customerId !== 'string' || typeof doc.id !== 'string') {
      rp.skipped.visits++;
      return -1;
    }
    // Through the cold path's columns: one reading of a visit document (input-shapes.ts), one insert.
    const page = packVisits([doc]);
    const c = rp.customerIndex.get(doc.customerId);
    const v = c >= 0 ? this.find(c, doc.id) : -1;
    if (v < 0) {
      if (this.insert(page) === 0) return -1;
      const last = this.columns.count - 1;
      return this.columns.block(last).customer[last & BLOCK_MASK]!;
    }
    const b = this.columns.block(v);
    const i = v & BLOCK_MASK;
    const live = page.live[0]!;
    const rating = page.rating[0]!;
    if (live === b.live[i] && rating === b.rating[i]) return -1;
    this.totalsDelta(b, i, -1);
    b.live[i] = b.live[i]! & live; // a void is never undone (visitChangeAllowed)
    b.rating[i] = rating;
    this.totalsDelta(b, i, 1);
    return c;
  }

  /** Recomputes every local day and the totals (after a time zone change). */
  relocalize(localDayOf: (ms: number) => number): void {
    this.totals.clear();
    for (let v = 0; v < this.columns.count; v++) {
      const b = this.columns.block(v);
      const i = v & BLOCK_MASK;
      b.day[i] = localDayOf(b.ms[i]!);
      this.totalsDelta(b, i, 1);
    }
  }
}
