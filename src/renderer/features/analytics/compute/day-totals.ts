// Totals per local day and store: what period KPIs sum, kept as documents arrive so a
// period's visits, revenue, ratings and points never need a pass over the documents.

/** Widest span of days a dense series holds (50 years); days beyond it (a wildly skewed clock) go to a Map. */
const MAX_SPAN_DAYS = 366 * 50;

/** One store's totals: a dense window of days, plus a map for outliers far outside it. */
class DaySeries {
  base = 0;
  data: Float64Array;
  readonly outliers = new Map<number, Float64Array>();
  constructor(readonly width: number) {
    this.data = new Float64Array(0);
  }

  /** Offset of a day's row in `data`, growing the window; −1 when the day is an outlier. */
  offset(day: number): number {
    const w = this.width;
    let i = day - this.base;
    if (i >= 0 && (i + 1) * w <= this.data.length) return i * w;
    const days = this.data.length / w;
    const lo = days === 0 ? day : Math.min(this.base, day);
    const hi = days === 0 ? day : Math.max(this.base + days - 1, day);
    if (hi - lo >= MAX_SPAN_DAYS) return -1;
    // 64 days of slack on each side, so streaming in date order does not copy at every new day.
    let base = lo - 64;
    let end = hi + 65;
    if (end - base > MAX_SPAN_DAYS) {
      base = Math.max(base, hi + 1 - MAX_SPAN_DAYS);
      end = Math.min(end, base + MAX_SPAN_DAYS);
    }
    const next = new Float64Array((end - base) * w);
    if (days > 0) next.set(this.data, (this.base - base) * w);
    this.data = next;
    this.base = base;
    i = day - base;
    return i * w;
  }

  row(day: number): Float64Array {
    let row = this.outliers.get(day);
    if (!row) {
      row = new Float64Array(this.width);
      this.outliers.set(day, row);
    }
    return row;
  }

  get(day: number, col: number): number {
    const i = day - this.base;
    if (i >= 0 && (i + 1) * this.width <= this.data.length) return this.data[i * this.width + col]!;
    return this.outliers.get(day)?.[col] ?? 0;
  }

  /** Adds every column over days [from, to) into `out`. */
  sumInto(out: Float64Array, from: number, to: number): void {
    const w = this.width;
    const lo = Math.max(from, this.base);
    const hi = Math.min(to, this.base + this.data.length / w);
    for (let day = lo; day < hi; day++) {
      const at = (day - this.base) * w;
      for (let c = 0; c < w; c++) out[c]! += this.data[at + c]!;
    }
    for (const [day, row] of this.outliers) if (day >= from && day < to) for (let c = 0; c < w; c++) out[c]! += row[c]!;
  }
}

/**
 * Totals per local day and store, `width` numbers per day. A document updates its store's row only; the
 * all-stores figures (store −1) are summed over the stores when read — a handful of rows per day of a period,
 * instead of a second update for each of a million documents.
 */
export class DayTotals {
  private slots: DaySeries[] = [];
  constructor(readonly width: number) {}

  private series(store: number): DaySeries {
    let series = this.slots[store];
    if (!series) {
      for (let s = this.slots.length; s <= store; s++) this.slots.push(new DaySeries(this.width));
      series = this.slots[store]!;
    }
    return series;
  }

  /** Adds `delta` to column `col` of a store's `day`. */
  add(store: number, day: number, col: number, delta: number): void {
    const series = this.series(store);
    const at = series.offset(day);
    if (at >= 0) series.data[at + col]! += delta;
    else series.row(day)[col]! += delta;
  }

  /** Adds a visit-sized update (up to three columns; `c3` −1 for none) to one day of a store in one go. */
  add3(store: number, day: number, c1: number, d1: number, c2: number, d2: number, c3: number, d3: number): void {
    const series = this.series(store);
    let at = series.offset(day);
    let data = series.data;
    if (at < 0) {
      data = series.row(day);
      at = 0;
    }
    data[at + c1]! += d1;
    data[at + c2]! += d2;
    if (c3 >= 0) data[at + c3]! += d3;
  }

  /** Column `col` of a day for a store (−1 = all stores). */
  get(store: number, day: number, col: number): number {
    if (store >= 0) return this.slots[store]?.get(day, col) ?? 0;
    let total = 0;
    for (const series of this.slots) total += series.get(day, col);
    return total;
  }

  /** Sums every column over days [from, to) for a store (−1 = all stores). */
  sum(store: number, from: number, to: number): Float64Array {
    const out = new Float64Array(this.width);
    if (store >= 0) {
      const series = this.slots[store];
      if (series) series.sumInto(out, from, to);
    } else for (const series of this.slots) series.sumInto(out, from, to);
    return out;
  }

  clear(): void {
    this.slots = [];
  }
}
