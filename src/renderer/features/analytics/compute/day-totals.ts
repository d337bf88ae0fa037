// Totals per local day, per store and for all stores: what period KPIs sum, kept as documents arrive so a
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
}

/** Totals per local day, per store and for all stores (slot 0), `width` numbers per day. */
export class DayTotals {
  private slots: DaySeries[] = [];
  constructor(readonly width: number) {
    this.slots.push(new DaySeries(width));
  }

  private series(store: number): DaySeries {
    let series = this.slots[store + 1];
    if (!series) {
      for (let s = this.slots.length; s <= store + 1; s++) this.slots.push(new DaySeries(this.width));
      series = this.slots[store + 1]!;
    }
    return series;
  }

  /** Adds `delta` to column `col` of `day`, for the store and for all stores. */
  add(store: number, day: number, col: number, delta: number): void {
    DayTotals.addTo(this.slots[0]!, day, col, delta);
    DayTotals.addTo(this.series(store), day, col, delta);
  }

  private static addTo(series: DaySeries, day: number, col: number, delta: number): void {
    const at = series.offset(day);
    if (at >= 0) series.data[at + col]! += delta;
    else series.row(day)[col]! += delta;
  }

  /** Adds a visit-sized update (up to three columns) to one day of a store and of all stores in one go. */
  add3(store: number, day: number, c1: number, d1: number, c2: number, d2: number, c3: number, d3: number): void {
    const all = this.slots[0]!;
    const one = this.series(store);
    let at = all.offset(day);
    let data = all.data;
    if (at < 0) {
      data = all.row(day);
      at = 0;
    }
    data[at + c1]! += d1;
    data[at + c2]! += d2;
    if (c3 >= 0) data[at + c3]! += d3;
    at = one.offset(day);
    data = one.data;
    if (at < 0) {
      data = one.row(day);
      at = 0;
    }
    data[at + c1]! += d1;
    data[at + c2]! += d2;
    if (c3 >= 0) data[at + c3]! += d3;
  }

  /** Column `col` of a day for a store (−1 = all stores). */
  get(store: number, day: number, col: number): number {
    return this.slots[store + 1]?.get(day, col) ?? 0;
  }

  /** Sums every column over days [from, to). */
  sum(store: number, from: number, to: number): Float64Array {
    const out = new Float64Array(this.width);
    const series = this.slots[store + 1];
    if (!series) return out;
    const w = this.width;
    const days = series.data.length / w;
    const lo = Math.max(from, series.base);
    const hi = Math.min(to, series.base + days);
    for (let day = lo; day < hi; day++) {
      const at = (day - series.base) * w;
      for (let c = 0; c < w; c++) out[c]! += series.data[at + c]!;
    }
    for (const [day, row] of series.outliers) if (day >= from && day < to) for (let c = 0; c < w; c++) out[c]! += row[c]!;
    return out;
  }

  clear(): void {
    this.slots = [new DaySeries(this.width)];
  }
}
