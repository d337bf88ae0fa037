import { BLOCK_BITS, BLOCK_MASK, type EntryBlock, type VisitBlock } from './columns.ts';
import { L_WIDTH, V_RATING, V_REVENUE, V_VISITS, V_VOIDED, V_WIDTH } from './input-shapes.ts';
import { countedPoints, ledgerColumn } from './ledger.ts';
import type { Replica } from './replica.ts';

// The per-day totals of a period for some customer groups only (a dashboard restricted to a saved group): the
// same columns as the replica's DayTotals (visits, revenue, voided, ratings; points by kind), but added up from
// the groups' own visit and ledger chains, so a group's change costs its own documents. Only the period's days
// are kept: nothing outside them is ever read.

/** Visit and ledger totals per day of [fromDay, toDay), for the groups added. */
export class ScopedDays {
  private readonly visits: Float64Array;
  private readonly ledger: Float64Array;

  constructor(
    private readonly replica: Replica,
    private readonly store: number,
    private readonly fromDay: number,
    private readonly toDay: number,
  ) {
    this.visits = new Float64Array((toDay - fromDay) * V_WIDTH);
    this.ledger = new Float64Array((toDay - fromDay) * L_WIDTH);
  }

  /**
   * Adds every group whose root is marked in `roots` (a view's build): one sequential pass over the visit and
   * ledger columns, where walking a million documents' chains group by group would jump around memory.
   */
  addAll(roots: Uint8Array): void {
    const rp = this.replica;
    const { store, fromDay, toDay } = this;
    const { blocks: visitBlocks, count: visits } = rp.visits.columns;
    for (let v = 0; v < visits; v++) {
      const b = visitBlocks[v >>> BLOCK_BITS]!;
      const i = v & BLOCK_MASK;
      const day = b.day[i]!;
      if (day >= fromDay && day < toDay && (store < 0 || b.store[i] === store) && roots[rp.root[b.customer[i]!]!] === 1) this.addVisit(b, i, day, 1);
    }
    const { blocks: lineBlocks, count: lines } = rp.ledger.columns;
    for (let e = 0; e < lines; e++) {
      const b = lineBlocks[e >>> BLOCK_BITS]!;
      const i = e & BLOCK_MASK;
      const day = b.day[i]!;
      if (b.live[i] && day >= fromDay && day < toDay && (store < 0 || b.store[i] === store) && roots[rp.root[b.customer[i]!]!] === 1) this.addLine(b, i, day, 1);
    }
  }

  /**
   * Adds (sign 1) or removes (−1) root `r`'s group: its members' visits and ledger lines of the period (and
   * store). Removing walks the chains again, so it must happen before they change (View.detach).
   */
  add(r: number, sign: number): void {
    for (const m of this.replica.membersOf(r)) {
      this.addVisits(m, sign);
      this.addLines(m, sign);
    }
  }

  private addVisits(c: number, sign: number): void {
    const { store, fromDay, toDay } = this;
    const blocks = this.replica.visits.columns.blocks;
    for (let v = this.replica.visitHead[c]!; v >= 0; ) {
      const b = blocks[v >>> BLOCK_BITS]!;
      const i = v & BLOCK_MASK;
      const day = b.day[i]!;
      if (day >= fromDay && day < toDay && (store < 0 || b.store[i] === store)) this.addVisit(b, i, day, sign);
      v = b.next[i]!;
    }
  }

  private addVisit(b: VisitBlock, i: number, day: number, sign: number): void {
    const o = (day - this.fromDay) * V_WIDTH;
    if (b.live[i]) {
      this.visits[o + V_VISITS]! += sign;
      this.visits[o + V_REVENUE]! += sign * b.total[i]!;
      const rating = b.rating[i]!;
      if (rating > 0) this.visits[o + V_RATING + rating - 1]! += sign;
    } else this.visits[o + V_VOIDED]! += sign;
  }

  private addLine(b: EntryBlock, i: number, day: number, sign: number): void {
    const points = b.points[i]!;
    this.ledger[(day - this.fromDay) * L_WIDTH + ledgerColumn(b.kind[i]!, points)]! += sign * countedPoints(b.kind[i]!, points);
  }

  private addLines(c: number, sign: number): void {
    const { store, fromDay, toDay } = this;
    const blocks = this.replica.ledger.columns.blocks;
    for (let e = this.replica.entryHead[c]!; e >= 0; ) {
      const b = blocks[e >>> BLOCK_BITS]!;
      const i = e & BLOCK_MASK;
      const day = b.day[i]!;
      if (b.live[i] && day >= fromDay && day < toDay && (store < 0 || b.store[i] === store)) this.addLine(b, i, day, sign);
      e = b.next[i]!;
    }
  }

  /** Column `col` of the visit totals of `day`. */
  visitsOn(day: number, col: number): number {
    return this.visits[(day - this.fromDay) * V_WIDTH + col]!;
  }

  /** The visit columns summed over the period. */
  visitSums(): Float64Array {
    return sumDays(this.visits, V_WIDTH);
  }

  /** The ledger columns summed over the period. */
  ledgerSums(): Float64Array {
    return sumDays(this.ledger, L_WIDTH);
  }
}

function sumDays(days: Float64Array, width: number): Float64Array {
  const out = new Float64Array(width);
  for (let at = 0; at < days.length; at += width) for (let c = 0; c < width; c++) out[c]! += days[at + c]!;
  return out;
}
