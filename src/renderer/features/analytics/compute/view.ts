import { TIERS } from '../../../../sync/model/common.ts';
import { expiredOfLines, type ExpiryLine } from '../../../../sync/model/loyalty-expiry.ts';
import { SEGMENTS } from '../../../../sync/model/segments.ts';
import type { SegmentRules } from '../../../../sync/model/settings.ts';
import { churnRiskAt, segmentAt } from '../../../../sync/model/segments.ts';
import { SEGMENT_INDEX, frequencyBucket, projectedClv, tierIndexOf } from './customer-math.ts';
import { TopK } from './lists.ts';
import { BLOCK_BITS, BLOCK_MASK, BLOCK_SIZE, type VisitBlock } from './columns.ts';
import type { Replica } from './replica.ts';
import { ScopedDays } from './scoped-days.ts';
import { REVERSAL } from './input-shapes.ts';
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
  /** The programme's expiry (days), null for none: balances are net of derived expiry at `nowMs`, as on the card. */
  expiryDays: number | null;
  months: MonthIndex;
  /**
   * The saved group's members (customer ids), or null for everyone. A merge group belongs when its surviving
   * customer at the view's build is a member (roots never change under a restricted view: the aggregator drops
   * it instead), or — a customer first seen later — when its own id is one.
   */
  members: ReadonlySet<string> | null;
}

const NONE = -1;
const CHURNED = SEGMENTS.indexOf('churned');
/** List codes for `rank`'s heaps: the three lists, then one per segment (SEGMENT_LISTS + its index). */
const [TOP, CLV, CHURN, SEGMENT_LISTS] = [0, 1, 2, 3];
const listCode = (list: ListName): number => (list.kind === 'top' ? TOP : list.kind === 'clv' ? CLV : list.kind === 'churn' ? CHURN : SEGMENT_LISTS + SEGMENTS.indexOf(list.segment));
/** Lists up to this length are kept ranked between snapshots (longer ones, for export, are ranked afresh). */
const CACHED_LIST_MAX = 200;

/** A ranked list kept up to date: the best `limit` items (best first) with their scores. */
interface RankedList {
  list: ListName;
  limit: number;
  items: number[];
  scores: number[];
}

/** Fields of a group's statistics in `View.acc` (STRIDE numbers per group; first/last only when COUNT > 0). */
export const [COUNT, SPEND, FIRST_MS, FIRST_DAY, LAST_MS, WIN_COUNT, WIN_SPEND, P_COUNT, P_SPEND, MASK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const STRIDE = 10;
/** Visits per block of the cold build: their groups' numbers (two cache lines each) stay in the L2 cache. */
const BUILD_BLOCK = 2048;

export class View {
  /**
   * Per customer group (indexed by the root customer's index), the statistics its visits add up to: visits,
   * spend, first/last visit, window and period visits and spend, the cohort months it was active in. One
   * array with the group's numbers side by side, because the cold build adds a million visits in visit order
   * to random groups: one group's numbers are then one or two cache lines, not ten arrays' worth.
   */
  acc = new Float64Array(0);
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

  /** The period's visit and ledger totals of the members (null for an unrestricted view: the replica's are used). */
  readonly days: ScopedDays | null;
  /** Per customer index at the build, 1 for the roots of members (null: no restriction). */
  private readonly memberMask: Uint8Array | null;

  /** First local day of each cohort month (slot 0 … 11). */
  readonly cohortStarts: number[] = [];
  private readonly windowStart: number;
  private readonly slotOf: Int8Array;
  private readonly windowFrom: number;
  private readonly ranked = new Map<string, RankedList>();
  /** What the build's prefetching loads added up to (never read; kept so the loads are not dropped). */
  private touched = 0;
  /** False during the build, whose day totals come from one pass over the columns (ScopedDays.addAll). */
  private built = false;

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
    this.memberMask = spec.members && memberRoots(replica, spec.members);
    this.days = spec.members && new ScopedDays(replica, spec.store, spec.fromDay, toDay);
    this.build();
  }

  /** Whether root `r`'s group is in the view's scope (always, without a group). */
  isMember(r: number): boolean {
    const mask = this.memberMask;
    if (mask === null) return true;
    return r < mask.length ? mask[r] === 1 : this.spec.members!.has(this.replica.customerIds[r]!);
  }

  /** Group `r`'s statistic `field` (COUNT, SPEND, …). */
  stat(r: number, field: number): number {
    return this.acc[r * STRIDE + field]!;
  }

  private size(n: number): void {
    if (n <= this.segment.length) return;
    const cap = Math.max(n, this.segment.length * 2, 1024);
    const resize = <T extends Float64Array | Int8Array | Uint8Array>(a: T, length: number, fill?: number): T => {
      const next = new (a.constructor as new (n: number) => T)(length);
      next.set(a);
      if (fill !== undefined) next.fill(fill, a.length);
      return next;
    };
    this.acc = resize(this.acc, cap * STRIDE);
    this.segment = resize(this.segment, cap, NONE);
    this.risk = resize(this.risk, cap);
    this.projected = resize(this.projected, cap);
    this.tier = resize(this.tier, cap, NONE);
    this.groupBalance = resize(this.groupBalance, cap);
    this.counted = resize(this.counted, cap);
    this.attached = resize(this.attached, cap);
  }

  /** Adds live visit `i` of block `b` to group `r`'s statistics. */
  private accumulate(r: number, b: VisitBlock, i: number): void {
    const acc = this.acc;
    const o = r * STRIDE;
    const ms = b.ms[i]!;
    const total = b.total[i]!;
    const day = b.day[i]!;
    const count = acc[o + COUNT]!;
    acc[o + COUNT] = count + 1;
    acc[o + SPEND]! += total;
    if (count === 0 || ms < acc[o + FIRST_MS]!) {
      acc[o + FIRST_MS] = ms;
      acc[o + FIRST_DAY] = day;
    }
    if (count === 0 || ms > acc[o + LAST_MS]!) acc[o + LAST_MS] = ms;
    if (ms >= this.windowFrom) {
      acc[o + WIN_COUNT]! += 1;
      acc[o + WIN_SPEND]! += total;
    }
    if (day >= this.spec.fromDay && day < this.spec.toDay) {
      acc[o + P_COUNT]! += 1;
      acc[o + P_SPEND]! += total;
    }
    const w = day - this.windowStart;
    if (w >= 0 && w < this.slotOf.length) acc[o + MASK] = acc[o + MASK]! | (1 << this.slotOf[w]!);
  }

  /**
   * The cold build: one pass over the visit columns, then one over the customer groups. The visits come in
   * blocks: first each visit's group, with a load of the group's numbers (their cache misses overlap — see
   * IdIndex.prefetch), then the additions, which find them in the cache.
   */
  private build(): void {
    const rp = this.replica;
    const n = rp.customerCount;
    this.size(n);
    const store = this.spec.store;
    const root = rp.root;
    const acc = this.acc;
    const mask = this.memberMask;
    const groups = new Int32Array(BUILD_BLOCK);
    let touched = 0;
    const { blocks, count } = rp.visits.columns;
    for (let base = 0; base < count; base += BLOCK_SIZE) {
      const b = blocks[base >>> BLOCK_BITS]!;
      const { live, store: stores, customer } = b;
      const size = Math.min(BLOCK_SIZE, count - base);
      for (let start = 0; start < size; start += BUILD_BLOCK) {
        const end = Math.min(size, start + BUILD_BLOCK);
        for (let i = start; i < end; i++) {
          let r = live[i] === 0 || (store >= 0 && stores[i] !== store) ? -1 : root[customer[i]!]!;
          if (mask !== null && r >= 0 && mask[r] === 0) r = -1;
          groups[i - start] = r;
          if (r >= 0) touched += acc[r * STRIDE]! + acc[r * STRIDE + STRIDE - 1]!;
        }
        for (let i = start; i < end; i++) {
          const r = groups[i - start]!;
          if (r >= 0) this.accumulate(r, b, i);
        }
      }
    }
    this.touched = touched;
    if (this.days !== null && mask !== null) this.days.addAll(mask);
    for (let c = 0; c < n; c++) {
      const r = root[c]!;
      this.groupBalance[r]! += rp.balance[c]!;
    }
    for (let r = 0; r < n; r++) if (root[r] === r) this.finish(r);
    this.built = true;
  }

  /** Derives group `r`'s segment, risk, projection and tier, and adds its contribution. */
  private finish(r: number): void {
    const rp = this.replica;
    const { rules, nowMs, tiers } = this.spec;
    const acc = this.acc;
    const o = r * STRIDE;
    const count = acc[o + COUNT]!;
    if (count > 0) {
      const firstMs = acc[o + FIRST_MS]!;
      const lastMs = acc[o + LAST_MS]!;
      const risk = churnRiskAt(count, firstMs, lastMs, rules, nowMs);
      this.risk[r] = risk;
      this.segment[r] = SEGMENT_INDEX[segmentAt(count, firstMs, lastMs, acc[o + WIN_COUNT]!, acc[o + WIN_SPEND]!, rules, nowMs)];
      this.projected[r] = projectedClv(acc[o + SPEND]!, firstMs, risk, nowMs);
    } else {
      this.risk[r] = 0;
      this.segment[r] = NONE;
      this.projected[r] = 0;
    }
    this.tier[r] = tierIndexOf(rp.groupBasis(r), tiers);
    // Expired points leave the balance (and so the outstanding points and the liability) as they do everywhere.
    this.groupBalance[r]! -= this.expiredOf(r);
    this.counted[r] = rp.counts(r) && this.isMember(r) ? 1 : 0;
    this.contribute(r, 1);
    this.attached[r] = 1;
  }

  /** Points of group `r` expired by `now`, derived from its live ledger lines (loyalty-expiry.ts); 0 without expiry. */
  private expiredOf(r: number): number {
    const days = this.spec.expiryDays;
    if (days === null) return 0;
    const rp = this.replica;
    const blocks = rp.ledger.columns.blocks;
    const cutoff = this.spec.nowMs - days * DAY_MS;
    const members = rp.membersOf(r);
    // Nothing has expired unless a lot is older than the expiry (most customers): no replay for them.
    let old = false;
    for (const m of members) {
      for (let e = rp.entryHead[m]!; e >= 0 && !old; ) {
        const b = blocks[e >>> BLOCK_BITS]!;
        const i = e & BLOCK_MASK;
        old = b.live[i] === 1 && b.points[i]! > 0 && b.ms[i]! <= cutoff;
        e = b.next[i]!;
      }
    }
    if (!old) return 0;
    const lines: ExpiryLine[] = [];
    for (const m of members) {
      for (let e = rp.entryHead[m]!; e >= 0; ) {
        const b = blocks[e >>> BLOCK_BITS]!;
        const i = e & BLOCK_MASK;
        const reverses = b.kind[i] === REVERSAL ? b.reverses[i] : null;
        if (b.live[i]) lines.push({ id: b.ids[i] as string, customerId: '', at: b.ms[i]!, points: b.points[i]!, reversesId: typeof reverses === 'string' ? reverses : null });
        e = b.next[i]!;
      }
    }
    return expiredOfLines(lines, days, this.spec.nowMs);
  }

  /** Adds (sign 1) or removes (−1) group `r`'s contribution to the aggregates. */
  private contribute(r: number, sign: number): void {
    // A member's visits and points count in the period's totals even once it counts as no customer (erased),
    // as everyone's do in the replica's totals.
    if (this.days !== null && this.built && this.isMember(r)) this.days.add(r, sign);
    if (!this.counted[r]) return;
    const balance = this.groupBalance[r]!;
    if (balance > 0) this.outstanding += sign * balance;
    else this.overdrawn -= sign * balance;
    const acc = this.acc;
    const o = r * STRIDE;
    const count = acc[o + COUNT]!;
    if (this.spec.store >= 0 && count === 0) return;
    this.customers += sign;
    this.tiers[this.tier[r]!]! += sign;
    if (count === 0) return;
    this.segments[this.segment[r]!]! += sign;
    this.clvCustomers += sign;
    this.clvTotal += sign * acc[o + SPEND]!;
    this.projectedTotal += sign * this.projected[r]!;
    const periodVisits = acc[o + P_COUNT]!;
    const first = acc[o + FIRST_DAY]!;
    if (periodVisits > 0) {
      this.active += sign;
      this.frequency[frequencyBucket(periodVisits)]! += sign;
      if (first >= this.spec.fromDay) this.newCustomers += sign;
      else this.returning += sign;
    }
    const w = first - this.windowStart;
    if (w >= 0 && w < this.slotOf.length) {
      const slot = this.slotOf[w]!;
      const mask = acc[o + MASK]!;
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
    this.acc.fill(0, r * STRIDE, (r + 1) * STRIDE);
    this.groupBalance[r] = 0;
    if (rp.root[r] !== r) {
      this.rerank(r);
      return;
    }
    const store = this.spec.store;
    const blocks = rp.visits.columns.blocks;
    for (const m of rp.membersOf(r)) {
      this.groupBalance[r]! += rp.balance[m]!;
      for (let v = rp.visitHead[m]!; v >= 0; ) {
        const b = blocks[v >>> BLOCK_BITS]!;
        const i = v & BLOCK_MASK;
        if (b.live[i] !== 0 && (store < 0 || b.store[i] === store)) this.accumulate(r, b, i);
        v = b.next[i]!;
      }
    }
    this.finish(r);
    this.rerank(r);
  }

  /** Group `r`'s score in a list, or null when it is not listed there (lists show counted groups with visits). */
  score(list: ListName, r: number): number | null {
    const o = r * STRIDE;
    const acc = this.acc;
    if (this.replica.root[r] !== r || !this.counted[r] || acc[o + COUNT] === 0) return null;
    switch (list.kind) {
      case 'top':
        return acc[o + P_COUNT]! > 0 ? acc[o + P_SPEND]! : null;
      case 'clv':
        return acc[o + SPEND]!;
      case 'churn':
        return this.risk[r]! > 0 && this.segment[r] !== CHURNED ? this.risk[r]! : null;
      case 'segment':
        return this.segment[r] === SEGMENTS.indexOf(list.segment) ? acc[o + SPEND]! : null;
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
    // One heap per list code asked for; each group is offered to the few heaps that can list it.
    const heaps = new Map(missing.map((i) => [listCode(lists[i]!), new TopK(limit, idOf)]));
    const top = heaps.get(TOP);
    const clv = heaps.get(CLV);
    const churn = heaps.get(CHURN);
    const bySegment = SEGMENTS.map((_, i) => heaps.get(SEGMENT_LISTS + i));
    const { root } = this.replica;
    const acc = this.acc;
    for (let r = 0; r < this.replica.customerCount; r++) {
      const o = r * STRIDE;
      if (root[r] !== r || !this.counted[r] || acc[o + COUNT] === 0) continue;
      const spend = acc[o + SPEND]!;
      if (top && acc[o + P_COUNT]! > 0) top.push(acc[o + P_SPEND]!, r);
      clv?.push(spend, r);
      const segment = this.segment[r]!;
      if (churn && this.risk[r]! > 0 && segment !== CHURNED) churn.push(this.risk[r]!, r);
      bySegment[segment]?.push(spend, r);
    }
    for (const i of missing) {
      const list = lists[i]!;
      const items = heaps.get(listCode(list))!.sorted();
      out[i] = items;
      if (limit <= CACHED_LIST_MAX) this.ranked.set(`${JSON.stringify(list)}|${limit}`, { list, limit, items: items.slice(), scores: items.map((r) => this.score(list, r)!) });
    }
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

/** A mask over the replica's customers: 1 for the surviving customer of each member id it knows. */
function memberRoots(replica: Replica, members: ReadonlySet<string>): Uint8Array {
  const mask = new Uint8Array(replica.customerCount);
  for (const id of members) {
    const c = replica.customerIndex.get(id);
    if (c >= 0) mask[replica.root[c]!] = 1;
  }
  return mask;
}
