import { TIERS } from '../../../../sync/model/common.ts';
import { SEGMENTS } from '../../../../sync/model/segments.ts';
import type { SegmentRules } from '../../../../sync/model/settings.ts';
import { SEGMENT_INDEX, churnRiskAt, frequencyBucket, projectedClv, segmentAt, tierIndexOf } from './customer-math.ts';
import { TopK } from './lists.ts';
import type { Replica } from './replica.ts';
import { FREQUENCY_BUCKETS, type ListName } from './schema.ts';
import { DAY_MS, type MonthIndex } from './time.ts';

// The per-question state of the dashboard: for one store filter, period, `now` and calendar, every customer
// group's statistics (visits, spend, first/last visit, window frequency/spend, period visits/spend, active
// cohort months) and the aggregates they add up to (segment, frequency, tier, cohort counts, CLV sums,
// outstanding points). Built with one sequential pass over the visit columns; afterwards a change to one
// customer group is `detach` (subtract its contribution) → change the replica → `attach` (recompute the group
// from its own visit chains and add it back): O(that customer's visits + a dozen counters), never a rescan.

/** Months of cohorts shown: the 12 ending with the period's last month. */
export const COHORT_MONTHS = 12;

/** What a view is built for. */
export interface ViewSpec {
  /** Store index in the replica, or −1 for all stores. */
  store: number;
  fromDay: number;
  toDay: number;
  nowMs: number;
  rules: SegmentRules;
  tiers: readonly { tier: (typeof TIERS)[number]; threshold: number }[];
  months: MonthIndex;
}

const NONE = -1;
const CHURNED = SEGMENTS.indexOf('churned');
/** Lists up to this length are kept ranked between snapshots (longer ones, for export, are ranked afresh). */
const CACHED_LIST_MAX = 200;

/** A ranked list kept up to date: the best `limit` items (best first) with their scores. */
interface RankedList {
  list: ListName;
  limit: number;
  items: number[];
  scores: number[];
}

export class View {
  // Per customer group (indexed by the root customer's index).
  count = new Int32Array(0);
  spend = new Float64Array(0);
  firstMs = new Float64Array(0);
  firstDay = new Int32Array(0);
  lastMs = new Float64Array(0);
  winCount = new Int32Array(0);
  winSpend = new Float64Array(0);
  pCount = new Int32Array(0);
  pSpend = new Float64Array(0);
  mask = new Uint16Array(0);
  // Derived values, kept so that `detach` subtracts exactly what `attach` added.
  segment = new Int8Array(0);
  risk = new Float64Array(0);
  projected = new Float64Array(0);
  tier = new Int8Array(0);
  groupBalance = new Float64Array(0);
  /** 1 when the group counts (Replica.counts) — kept, so that detach subtracts what attach added. */
  counted = new Uint8Array(0);
  attached = new Uint8Array(0);

  // Aggregates.
  customers = 0;
  active = 0;
  newCustomers = 0;
  returning = 0;
  readonly segments = new Float64Array(SEGMENTS.length);
  readonly frequency = new Float64Array(FREQUENCY_BUCKETS.length);
  readonly tiers = new Float64Array(TIERS.length);
  readonly cohortSize = new Float64Array(COHORT_MONTHS);
  readonly cohortCells = new Float64Array(COHORT_MONTHS * COHORT_MONTHS);
  clvCustomers = 0;
  clvTotal = 0;
  projectedTotal = 0;
  outstanding = 0;
  overdrawn = 0;

  /** First local day of each cohort month (slot 0 … 11). */
  readonly cohortStarts: number[] = [];
  private readonly windowStart: number;
  private readonly slotOf: Int8Array;
  private readonly windowFrom: number;
  private readonly ranked = new Map<string, RankedList>();

  constructor(
    readonly replica: Replica,
    readonly spec: ViewSpec,
  ) {
    const { months, toDay, nowMs, rules } = spec;
    this.windowFrom = nowMs - rules.windowDays * DAY_MS;
    // Cohort months: walk back from the period's last day, one month start at a time.
    let start = months.monthStart(toDay - 1);
    const starts = [start];
    for (let i = 1; i < COHORT_MONTHS; i++) {
      start = months.monthStart(start - 1);
      starts.unshift(start);
    }
    this.cohortStarts = starts;
    this.windowStart = starts[0]!;
    this.slotOf = new Int8Array(Math.max(0, toDay - this.windowStart));
    for (let slot = 0; slot < COHORT_MONTHS; slot++) {
      const end = slot + 1 < COHORT_MONTHS ? starts[slot + 1]! : toDay;
      this.slotOf.fill(slot, starts[slot]! - this.windowStart, Math.max(starts[slot]! - this.windowStart, end - this.windowStart));
    }
    this.build();
  }

  private size(n: number): void {
    if (n <= this.count.length) return;
    const cap = Math.max(n, this.count.length * 2, 1024);
    const resize = <T extends Int32Array | Float64Array | Uint16Array | Int8Array | Uint8Array>(a: T, fill?: number): T => {
      const next = new (a.constructor as new (n: number) => T)(cap);
      next.set(a);
      if (fill !== undefined) next.fill(fill, a.length);
      return next;
    };
    this.count = resize(this.count);
    this.spend = resize(this.spend);
    this.firstMs = resize(this.firstMs, Infinity);
    this.firstDay = resize(this.firstDay);
    this.lastMs = resize(this.lastMs, -Infinity);
    this.winCount = resize(this.winCount);
    this.winSpend = resize(this.winSpend);
    this.pCount = resize(this.pCount);
    this.pSpend = resize(this.pSpend);
    this.mask = resize(this.mask);
    this.segment = resize(this.segment, NONE);
    this.risk = resize(this.risk);
    this.projected = resize(this.projected);
    this.tier = resize(this.tier, NONE);
    this.groupBalance = resize(this.groupBalance);
    this.counted = resize(this.counted);
    this.attached = resize(this.attached);
  }

  /** Adds live visit `v` to group `r`'s statistics. */
  private accumulate(r: number, v: number): void {
    const rp = this.replica;
    const ms = rp.vMs[v]!;
    const total = rp.vTotal[v]!;
    const day = rp.vDay[v]!;
    this.count[r]! += 1;
    this.spend[r]! += total;
    if (ms < this.firstMs[r]!) {
      this.firstMs[r] = ms;
      this.firstDay[r] = day;
    }
    if (ms > this.lastMs[r]!) this.lastMs[r] = ms;
    if (ms >= this.windowFrom) {
      this.winCount[r]! += 1;
      this.winSpend[r]! += total;
    }
    if (day >= this.spec.fromDay && day < this.spec.toDay) {
      this.pCount[r]! += 1;
      this.pSpend[r]! += total;
    }
    const w = day - this.windowStart;
    if (w >= 0 && w < this.slotOf.length) this.mask[r]! |= 1 << this.slotOf[w]!;
  }

  private reset(r: number): void {
    this.count[r] = 0;
    this.spend[r] = 0;
    this.firstMs[r] = Infinity;
    this.firstDay[r] = 0;
    this.lastMs[r] = -Infinity;
    this.winCount[r] = 0;
    this.winSpend[r] = 0;
    this.pCount[r] = 0;
    this.pSpend[r] = 0;
    this.mask[r] = 0;
  }

  /** The cold build: one pass over the visit columns, then one over the customer groups. */
  private build(): void {
    const rp = this.replica;
    const n = rp.customerCount;
    this.size(n);
    const store = this.spec.store;
    const { vLive, vStore, vCustomer, root } = rp;
    for (let v = 0; v < rp.visitCount; v++) {
      if (vLive[v] === 0 || (store >= 0 && vStore[v] !== store)) continue;
      this.accumulate(root[vCustomer[v]!]!, v);
    }
    for (let c = 0; c < n; c++) {
      const r = root[c]!;
      this.groupBalance[r]! += rp.balance[c]!;
    }
    for (let r = 0; r < n; r++) if (root[r] === r) this.finish(r);
  }

  /** Derives group `r`'s segment, risk, projection and tier, and adds its contribution. */
  private finish(r: number): void {
    const rp = this.replica;
    const { rules, nowMs, tiers } = this.spec;
    const count = this.count[r]!;
    if (count > 0) {
      const risk = churnRiskAt(count, this.firstMs[r]!, this.lastMs[r]!, rules, nowMs);
      this.risk[r] = risk;
      this.segment[r] = SEGMENT_INDEX[segmentAt(count, this.firstMs[r]!, this.lastMs[r]!, this.winCount[r]!, this.winSpend[r]!, rules, nowMs)];
      this.projected[r] = projectedClv(this.spend[r]!, this.firstMs[r]!, risk, nowMs);
    } else {
      this.risk[r] = 0;
      this.segment[r] = NONE;
      this.projected[r] = 0;
    }
    let basis = 0;
    for (const m of rp.membersOf(r)) basis += rp.basis[m]!;
    this.tier[r] = tierIndexOf(basis, tiers);
    this.counted[r] = rp.counts(r) ? 1 : 0;
    this.contribute(r, 1);
    this.attached[r] = 1;
  }

  /** Adds (sign 1) or removes (−1) group `r`'s contribution to the aggregates. */
  private contribute(r: number, sign: number): void {
    if (!this.counted[r]) return;
    const balance = this.groupBalance[r]!;
    if (balance > 0) this.outstanding += sign * balance;
    else this.overdrawn -= sign * balance;
    const count = this.count[r]!;
    if (this.spec.store >= 0 && count === 0) return;
    this.customers += sign;
    this.tiers[this.tier[r]!]! += sign;
    if (count === 0) return;
    this.segments[this.segment[r]!]! += sign;
    this.clvCustomers += sign;
    this.clvTotal += sign * this.spend[r]!;
    this.projectedTotal += sign * this.projected[r]!;
    const periodVisits = this.pCount[r]!;
    const first = this.firstDay[r]!;
    if (periodVisits > 0) {
      this.active += sign;
      this.frequency[frequencyBucket(periodVisits)]! += sign;
      if (first >= this.spec.fromDay) this.newCustomers += sign;
      else this.returning += sign;
    }
    const w = first - this.windowStart;
    if (w >= 0 && w < this.slotOf.length) {
      const slot = this.slotOf[w]!;
      const mask = this.mask[r]!;
      this.cohortSize[slot]! += sign;
      for (let m = slot; m < COHORT_MONTHS; m++) if (mask & (1 << m)) this.cohortCells[slot * COHORT_MONTHS + (m - slot)]! += sign;
    }
  }

  /** Removes group `r` from the aggregates before the replica changes it. */
  detach(r: number): void {
    if (r >= this.attached.length || !this.attached[r]) return;
    this.contribute(r, -1);
    this.attached[r] = 0;
  }

  /** Recomputes group `r` from its members' visit and ledger chains and adds it back (if `r` is a root). */
  attach(r: number): void {
    const rp = this.replica;
    this.size(rp.customerCount);
    if (this.attached[r]) this.contribute(r, -1);
    this.attached[r] = 0;
    this.reset(r);
    this.groupBalance[r] = 0;
    if (rp.root[r] !== r) {
      this.rerank(r);
      return;
    }
    const store = this.spec.store;
    for (const m of rp.membersOf(r)) {
      this.groupBalance[r]! += rp.balance[m]!;
      for (let v = rp.visitHead[m]!; v >= 0; v = rp.vNext[v]!) {
        if (rp.vLive[v] === 0 || (store >= 0 && rp.vStore[v] !== store)) continue;
        this.accumulate(r, v);
      }
    }
    this.finish(r);
    this.rerank(r);
  }

  /** Group `r`'s score in a list, or null when it is not listed there (lists show counted groups with visits). */
  score(list: ListName, r: number): number | null {
    if (this.replica.root[r] !== r || !this.counted[r] || this.count[r] === 0) return null;
    switch (list.kind) {
      case 'top':
        return this.pCount[r]! > 0 ? this.pSpend[r]! : null;
      case 'clv':
        return this.spend[r]!;
      case 'churn':
        return this.risk[r]! > 0 && this.segment[r] !== CHURNED ? this.risk[r]! : null;
      case 'segment':
        return this.segment[r] === SEGMENTS.indexOf(list.segment) ? this.spend[r]! : null;
    }
  }

  /** Ranks lists (best first: score descending, then id ascending), one pass over the groups for all. */
  rank(lists: readonly ListName[], limit: number): number[][] {
    const out: (number[] | null)[] = lists.map((list) => {
      const kept = limit <= CACHED_LIST_MAX ? this.ranked.get(`${JSON.stringify(list)}|${limit}`) : undefined;
      return kept ? kept.items.slice() : null;
    });
    const missing = lists.map((_, i) => i).filter((i) => out[i] === null);
    if (missing.length === 0) return out as number[][];
    const idOf = (r: number) => this.replica.customerIds[r]!;
    const heaps = missing.map(() => new TopK(limit, idOf));
    for (let r = 0; r < this.replica.customerCount; r++) {
      if (this.replica.root[r] !== r || !this.counted[r] || this.count[r] === 0) continue;
      for (let j = 0; j < missing.length; j++) {
        const score = this.score(lists[missing[j]!]!, r);
        if (score !== null) heaps[j]!.push(score, r);
      }
    }
    missing.forEach((i, j) => {
      const items = heaps[j]!.sorted();
      out[i] = items;
      if (limit <= CACHED_LIST_MAX) {
        const list = lists[i]!;
        this.ranked.set(`${JSON.stringify(list)}|${limit}`, { list, limit, items: items.slice(), scores: items.map((r) => this.score(list, r)!) });
      }
    });
    return out as number[][];
  }

  /**
   * Keeps the ranked lists right after group `r` changed, in O(list length): `r` is taken out and put back in
   * its new place. Only when `r` drops within (or out of) a full list could someone unlisted take its place;
   * that list is then dropped and ranked afresh at the next snapshot.
   */
  private rerank(r: number): void {
    if (this.ranked.size === 0) return;
    const id = this.replica.customerIds[r]!;
    const better = (sa: number, a: string, sb: number, b: string) => sa > sb || (sa === sb && a < b);
    for (const [key, kept] of this.ranked) {
      const score = this.score(kept.list, r);
      const at = kept.items.indexOf(r);
      const full = kept.items.length >= kept.limit;
      if (at >= 0) {
        if (full && (score === null || score < kept.scores[at]!)) {
          this.ranked.delete(key);
          continue;
        }
        kept.items.splice(at, 1);
        kept.scores.splice(at, 1);
      }
      if (score === null) continue;
      let pos = kept.items.length;
      while (pos > 0 && better(score, id, kept.scores[pos - 1]!, this.replica.customerIds[kept.items[pos - 1]!]!)) pos--;
      if (pos >= kept.limit) continue;
      kept.items.splice(pos, 0, r);
      kept.scores.splice(pos, 0, score);
      if (kept.items.length > kept.limit) {
        kept.items.pop();
        kept.scores.pop();
      }
    }
  }
}
