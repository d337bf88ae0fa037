import { IdIndex } from './id-index.ts';
import { valuePerPoint, type RewardValue } from './customer-math.ts';
import { DayTotals } from './day-totals.ts';
import { createZoneClock, parseIsoMs, type ZoneClock } from './time.ts';

// The analytics worker's compact copy of the replica: the fields the dashboard reads, in typed columns.
// Customers, stores, visits and ledger lines become dense integers (IdIndex); each customer chains its
// visits and ledger lines (head/next arrays), so everything about one customer is reachable without a scan.
// Per-day totals per store (visits, revenue, ratings, points by kind) are kept as they arrive, so period
// KPIs never touch the visits. Nothing here depends on a query; views (view.ts) derive per-query state.

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
  _deleted?: boolean;
}
/** What the analytics read of a reward. */
export interface RewardLike extends RewardValue {
  id: string;
}

/** Per-day visit columns. */
export const V_VISITS = 0;
export const V_REVENUE = 1;
export const V_VOIDED = 2;
/** Ratings 1…5 are columns V_RATING + rating − 1. */
export const V_RATING = 3;
const V_WIDTH = 8;
/** Per-day ledger columns (points, positive numbers except the signed net of reversals). */
export const L_EARNED = 0;
export const L_REDEEMED = 1;
export const L_EXPIRED = 2;
export const L_ADJUSTED_UP = 3;
export const L_ADJUSTED_DOWN = 4;
export const L_REVERSED = 5;
const L_WIDTH = 6;

const MAX_MERGE_HOPS = 10;

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T, size: number, fill = 0): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2, 1024));
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

const LEDGER_KINDS = ['earn', 'redeem', 'adjust', 'reversal', 'expire'];
const [EARN, REDEEM, ADJUST, REVERSAL, EXPIRE] = [0, 1, 2, 3, 4];

/** The index of a ledger kind in LEDGER_KINDS, or −1 (by its first letters: no string search per line). */
function kindIndex(kind: unknown): number {
  if (typeof kind !== 'string') return -1;
  const index = kind.charCodeAt(0) === 101 /* e */ ? (kind.charCodeAt(1) === 97 ? EARN : EXPIRE) : kind.charCodeAt(0) === 97 ? ADJUST : kind.charCodeAt(2) === 100 ? REDEEM : REVERSAL;
  return LEDGER_KINDS[index] === kind ? index : -1;
}

/** Why documents were skipped (they lacked a field the analytics read). */
export interface SkipCounts {
  visits: number;
  customers: number;
  loyaltyEntries: number;
}

/** The compact replica. Mutations keep every column, chain and day total consistent. */
export class Replica {
  clock: ZoneClock;

  // Customers (raw: merged duplicates included; their root is what analytics count).
  readonly customerIndex = new IdIndex();
  customerCount = 0;
  readonly customerIds: string[] = [];
  readonly names: string[] = [];
  readonly phones: string[] = [];
  parent = new Int32Array(0);
  root = new Int32Array(0);
  deleted = new Uint8Array(0);
  /** 1 once the customer's own document has arrived (0: a placeholder named by a visit, line or merge). */
  known = new Uint8Array(0);
  visitHead = new Int32Array(0);
  entryHead = new Int32Array(0);
  balance = new Float64Array(0);
  basis = new Float64Array(0);
  /** Members of roots that have merged duplicates (every other root is its own only member). */
  readonly groups = new Map<number, number[]>();
  private rootsDirty = false;

  // Stores.
  readonly storeIndex = new IdIndex();
  readonly storeIds: string[] = [];

  // Visits.
  visitCount = 0;
  readonly visitIds: string[] = [];
  vMs = new Float64Array(0);
  vDay = new Int32Array(0);
  vTotal = new Float64Array(0);
  vCustomer = new Int32Array(0);
  vStore = new Int32Array(0);
  /** 1 = live (not voided, not deleted). */
  vLive = new Uint8Array(0);
  vRating = new Uint8Array(0);
  vNext = new Int32Array(0);

  // Ledger.
  entryCount = 0;
  readonly entryIds: string[] = [];
  eMs = new Float64Array(0);
  eDay = new Int32Array(0);
  eCustomer = new Int32Array(0);
  eStore = new Int32Array(0);
  eKind = new Uint8Array(0);
  ePoints = new Float64Array(0);
  eLive = new Uint8Array(0);
  eNext = new Int32Array(0);

  readonly visitTotals = new DayTotals(V_WIDTH);
  readonly ledgerTotals = new DayTotals(L_WIDTH);
  readonly rewards = new Map<string, RewardLike>();
  readonly skipped: SkipCounts = { visits: 0, customers: 0, loyaltyEntries: 0 };

  constructor(timeZone: string) {
    this.clock = createZoneClock(timeZone);
  }

  // ---------------------------------------------------------------- customers

  /** The index of a customer id, creating a placeholder (no name yet) for one not seen before. */
  customerSlot(id: string): number {
    const known = this.customerIndex.get(id);
    if (known >= 0) return known;
    const c = this.customerCount++;
    this.customerIndex.set(id, c);
    this.customerIds.push(id);
    this.names.push('');
    this.phones.push('');
    if (c >= this.parent.length) {
      this.parent = grow(this.parent, c + 1, -1);
      this.root = grow(this.root, c + 1);
      this.deleted = grow(this.deleted, c + 1);
      this.known = grow(this.known, c + 1);
      this.visitHead = grow(this.visitHead, c + 1, -1);
      this.entryHead = grow(this.entryHead, c + 1, -1);
      this.balance = grow(this.balance, c + 1);
      this.basis = grow(this.basis, c + 1);
    }
    this.root[c] = c;
    return c;
  }

  /**
   * Records a customer document. Returns whether its merge pointer or tombstone changed (then roots must be
   * resolved again before they are read: `resolveRoots`).
   */
  putCustomer(doc: CustomerLike): boolean {
    if (typeof doc.id !== 'string') {
      this.skipped.customers++;
      return false;
    }
    const c = this.customerSlot(doc.id);
    this.known[c] = 1;
    this.names[c] = typeof doc.name === 'string' ? doc.name : '';
    this.phones[c] = typeof doc.phone === 'string' ? doc.phone : '';
    const parent = typeof doc.mergedInto === 'string' && doc.mergedInto !== doc.id ? this.customerSlot(doc.mergedInto) : -1;
    const deleted = doc._deleted === true ? 1 : 0;
    const changed = this.parent[c] !== parent || this.deleted[c] !== deleted;
    this.parent[c] = parent;
    this.deleted[c] = deleted;
    if (changed) this.rootsDirty = true;
    return changed;
  }

  /** Follows merge pointers; a chain longer than the hop limit, or a cycle, leaves the customer its own root. */
  private findRoot(c: number): number {
    let current = c;
    for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
      const next = this.parent[current]!;
      if (next < 0) return current;
      if (next === c) return c;
      current = next;
    }
    return this.parent[current]! < 0 ? current : c;
  }

  /** Recomputes every root and merge group; returns the customers whose root changed, with their old root. */
  resolveRoots(): { customer: number; from: number }[] {
    if (!this.rootsDirty) return [];
    this.rootsDirty = false;
    const changed: { customer: number; from: number }[] = [];
    this.groups.clear();
    for (let c = 0; c < this.customerCount; c++) {
      const r = this.parent[c]! < 0 ? c : this.findRoot(c);
      if (this.root[c] !== r) {
        changed.push({ customer: c, from: this.root[c]! });
        this.root[c] = r;
      }
      if (r !== c) {
        let members = this.groups.get(r);
        if (!members) {
          members = [r];
          this.groups.set(r, members);
        }
        members.push(c);
      }
    }
    return changed;
  }

  /** Whether roots need resolving (a merge or tombstone changed since the last `resolveRoots`). */
  get needsRoots(): boolean {
    return this.rootsDirty;
  }

  /**
   * Whether root `r`'s group is a customer the analytics count: live (its root not erased) and real — some
   * member's document arrived, or some member has visits or ledger lines. A placeholder named only by a merge
   * pointer that was undone is nobody.
   */
  counts(r: number): boolean {
    if (this.deleted[r]) return false;
    for (const m of this.membersOf(r)) if (this.known[m] || this.visitHead[m]! >= 0 || this.entryHead[m]! >= 0) return true;
    return false;
  }

  /** The customers counted as one with root `r` (itself first). */
  membersOf(r: number): readonly number[] {
    return this.groups.get(r) ?? [r];
  }

  // ---------------------------------------------------------------- stores

  /** The index of a store id. */
  storeSlot(id: string): number {
    const known = this.storeIndex.get(id);
    if (known >= 0) return known;
    const s = this.storeIds.length;
    this.storeIndex.set(id, s);
    this.storeIds.push(id);
    return s;
  }

  // ---------------------------------------------------------------- visits

  private visitTotalsDelta(v: number, sign: number): void {
    const store = this.vStore[v]!;
    const day = this.vDay[v]!;
    if (this.vLive[v]) {
      const rating = this.vRating[v]!;
      this.visitTotals.add3(store, day, V_VISITS, sign, V_REVENUE, sign * this.vTotal[v]!, rating > 0 ? V_RATING + rating - 1 : -1, sign);
    } else this.visitTotals.add(store, day, V_VOIDED, sign);
  }

  /** Appends a visit not in the replica yet (no duplicate check: the cold path). Returns its index or −1. */
  insertVisit(doc: VisitLike): number {
    if (typeof doc.customerId !== 'string' || typeof doc.storeId !== 'string' || typeof doc.occurredAt !== 'string' || !Number.isSafeInteger(doc.total)) {
      this.skipped.visits++;
      return -1;
    }
    const ms = parseIsoMs(doc.occurredAt);
    if (Number.isNaN(ms)) {
      this.skipped.visits++;
      return -1;
    }
    const c = this.customerSlot(doc.customerId);
    const v = this.visitCount++;
    if (v >= this.vMs.length) {
      this.vMs = grow(this.vMs, v + 1);
      this.vDay = grow(this.vDay, v + 1);
      this.vTotal = grow(this.vTotal, v + 1);
      this.vCustomer = grow(this.vCustomer, v + 1);
      this.vStore = grow(this.vStore, v + 1);
      this.vLive = grow(this.vLive, v + 1);
      this.vRating = grow(this.vRating, v + 1);
      this.vNext = grow(this.vNext, v + 1);
    }
    this.visitIds.push(doc.id);
    this.vMs[v] = ms;
    this.vDay[v] = this.clock.dayOf(ms);
    this.vTotal[v] = doc.total;
    this.vCustomer[v] = c;
    this.vStore[v] = this.storeSlot(doc.storeId);
    this.vLive[v] = doc.voided === true || doc._deleted === true ? 0 : 1;
    const rating = doc.feedback?.rating;
    this.vRating[v] = typeof rating === 'number' && rating >= 1 && rating <= 5 ? rating : 0;
    this.vNext[v] = this.visitHead[c]!;
    this.visitHead[c] = v;
    this.visitTotalsDelta(v, 1);
    return v;
  }

  /** The index of a visit of customer `c` by id (walks that customer's visits only), or −1. */
  findVisit(c: number, id: string): number {
    for (let v = this.visitHead[c]!; v >= 0; v = this.vNext[v]!) if (this.visitIds[v] === id) return v;
    return -1;
  }

  /**
   * Upserts a visit from the change stream: inserts a new one, or applies what may change on a stored visit
   * (a void — never undone — and feedback added later). Returns the customer index it concerns when
   * anything changed, else −1.
   */
  upsertVisit(doc: VisitLike): number {
    if (typeof doc.customerId !== 'string' || typeof doc.id !== 'string') {
      this.skipped.visits++;
      return -1;
    }
    const c = this.customerIndex.get(doc.customerId);
    const v = c >= 0 ? this.findVisit(c, doc.id) : -1;
    if (v < 0) return this.insertVisit(doc) >= 0 ? this.vCustomer[this.visitCount - 1]! : -1;
    const live = doc.voided === true || doc._deleted === true ? 0 : 1;
    const rating = typeof doc.feedback?.rating === 'number' && doc.feedback.rating >= 1 && doc.feedback.rating <= 5 ? doc.feedback.rating : 0;
    if (live === this.vLive[v] && rating === this.vRating[v]) return -1;
    this.visitTotalsDelta(v, -1);
    this.vLive[v] = this.vLive[v]! & live; // a void is never undone (visitChangeAllowed)
    this.vRating[v] = rating;
    this.visitTotalsDelta(v, 1);
    return c;
  }

  // ---------------------------------------------------------------- ledger

  private entryTotalsDelta(e: number, sign: number): void {
    const store = this.eStore[e]!;
    const day = this.eDay[e]!;
    const points = this.ePoints[e]! * sign;
    switch (this.eKind[e]) {
      case EARN:
        this.ledgerTotals.add(store, day, L_EARNED, points);
        break;
      case REDEEM:
        this.ledgerTotals.add(store, day, L_REDEEMED, -points);
        break;
      case EXPIRE:
        this.ledgerTotals.add(store, day, L_EXPIRED, -points);
        break;
      case ADJUST:
        if (this.ePoints[e]! > 0) this.ledgerTotals.add(store, day, L_ADJUSTED_UP, points);
        else this.ledgerTotals.add(store, day, L_ADJUSTED_DOWN, -points);
        break;
      default:
        this.ledgerTotals.add(store, day, L_REVERSED, points);
    }
  }

  /** Appends a ledger line not in the replica yet (the cold path). Returns its index or −1. */
  insertEntry(doc: EntryLike): number {
    const kind = kindIndex(doc.kind);
    if (typeof doc.customerId !== 'string' || typeof doc.storeId !== 'string' || typeof doc.occurredAt !== 'string' || kind < 0 || !Number.isSafeInteger(doc.points)) {
      this.skipped.loyaltyEntries++;
      return -1;
    }
    const ms = parseIsoMs(doc.occurredAt);
    if (Number.isNaN(ms)) {
      this.skipped.loyaltyEntries++;
      return -1;
    }
    const c = this.customerSlot(doc.customerId);
    const e = this.entryCount++;
    if (e >= this.eMs.length) {
      this.eMs = grow(this.eMs, e + 1);
      this.eDay = grow(this.eDay, e + 1);
      this.eCustomer = grow(this.eCustomer, e + 1);
      this.eStore = grow(this.eStore, e + 1);
      this.eKind = grow(this.eKind, e + 1);
      this.ePoints = grow(this.ePoints, e + 1);
      this.eLive = grow(this.eLive, e + 1);
      this.eNext = grow(this.eNext, e + 1);
    }
    this.entryIds.push(doc.id);
    this.eMs[e] = ms;
    this.eDay[e] = this.clock.dayOf(ms);
    this.eCustomer[e] = c;
    this.eStore[e] = this.storeSlot(doc.storeId);
    this.eKind[e] = kind;
    this.ePoints[e] = doc.points;
    this.eLive[e] = doc._deleted === true ? 0 : 1;
    this.eNext[e] = this.entryHead[c]!;
    this.entryHead[c] = e;
    if (this.eLive[e]) this.entryDelta(e, 1);
    return e;
  }

  private entryDelta(e: number, sign: number): void {
    const c = this.eCustomer[e]!;
    this.balance[c]! += sign * this.ePoints[e]!;
    const kind = this.eKind[e]!;
    const points = this.ePoints[e]!;
    // How a line moves the tier basis (loyalty.ts `tierBasisDelta`, not exported): earn, positive adjust,
    // negative reversal.
    this.basis[c]! += sign * (kind === EARN ? points : kind === ADJUST ? Math.max(points, 0) : kind === REVERSAL ? Math.min(points, 0) : 0);
    this.entryTotalsDelta(e, sign);
  }

  /** Upserts a ledger line from the change stream; returns the customer index when anything changed, else −1. */
  upsertEntry(doc: EntryLike): number {
    if (typeof doc.customerId !== 'string' || typeof doc.id !== 'string') {
      this.skipped.loyaltyEntries++;
      return -1;
    }
    const c = this.customerIndex.get(doc.customerId);
    let e = -1;
    if (c >= 0) for (let i = this.entryHead[c]!; i >= 0; i = this.eNext[i]!) if (this.entryIds[i] === doc.id) e = i;
    if (e < 0) return this.insertEntry(doc) >= 0 ? this.eCustomer[this.entryCount - 1]! : -1;
    // Ledger lines are append-only: only a tombstone (never written by Patron) can change one.
    if (doc._deleted === true && this.eLive[e]) {
      this.entryDelta(e, -1);
      this.eLive[e] = 0;
      return c;
    }
    return -1;
  }

  // ---------------------------------------------------------------- rewards and settings

  /** Records a reward (catalog changes move the implied value of a point). */
  putReward(doc: RewardLike): void {
    if (typeof doc.id !== 'string') return;
    if (doc._deleted) this.rewards.delete(doc.id);
    else this.rewards.set(doc.id, { id: doc.id, pointsCost: Number(doc.pointsCost), value: Number(doc.value), active: doc.active === true });
  }

  /** Value of a point implied by the catalog (customer-math.ts `valuePerPoint`). */
  valuePerPoint(): number | null {
    return valuePerPoint(this.rewards.values());
  }

  /** A new time zone moves every local day: recomputed from the instants, totals rebuilt. */
  setTimeZone(timeZone: string): void {
    if (timeZone === this.clock.timeZone) return;
    this.clock = createZoneClock(timeZone);
    this.visitTotals.clear();
    this.ledgerTotals.clear();
    for (let v = 0; v < this.visitCount; v++) {
      this.vDay[v] = this.clock.dayOf(this.vMs[v]!);
      this.visitTotalsDelta(v, 1);
    }
    for (let e = 0; e < this.entryCount; e++) {
      this.eDay[e] = this.clock.dayOf(this.eMs[e]!);
      if (this.eLive[e]) this.entryTotalsDelta(e, 1);
    }
  }
}
