import { valuePerPoint } from './customer-math.ts';
import { packCustomers, type CustomerColumns, type CustomerLike, type RewardLike, type SkipCounts } from './input-shapes.ts';
import { IdIndex, KeyBatch } from './id-index.ts';
import type { TableHost } from './table-host.ts';
import { LedgerTable } from './ledger.ts';
import { createZoneClock, DAY_MS, type ZoneClock } from './time.ts';
import { VisitTable } from './visits.ts';

// The analytics worker's compact copy of the replica: the fields the dashboard reads, in typed columns.
// Customers, stores, visits and ledger lines become dense integers (IdIndex); each customer chains its visits
// and ledger lines (head arrays here, `next` columns in visits.ts and ledger.ts), so everything about one
// customer is reachable without a scan. Per-day totals per store (visits, revenue, ratings, points by kind)
// are kept as documents arrive, so period KPIs never touch the visits. Nothing here depends on a query; views
// (view.ts) derive per-query state.
//
// The cold path takes pages of columns (input-shapes.ts), in passes: the page (the only pass that reads it), the
// customer index (`findCustomers`: probes whose cache misses overlap), then the customers' chains and totals.

export type { CustomerColumns, CustomerLike, EntryColumns, EntryLike, RewardLike, SkipCounts, VisitColumns, VisitLike } from './input-shapes.ts';
export { L_ADJUSTED_DOWN, L_ADJUSTED_UP, L_EARNED, L_EXPIRED, L_REDEEMED, L_REVERSED, V_RATING, V_REVENUE, V_VISITS, V_VOIDED } from './input-shapes.ts';

const MAX_MERGE_HOPS = 10;
/** Up to this many stores, a store id is found by comparing it with each known one. */
const FEW_STORES = 8;

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T, size: number, fill = 0): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2, 1024));
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** The compact replica. Mutations keep every column, chain and day total consistent. */
export class Replica implements TableHost {
  clock: ZoneClock;

  // Customers (raw: merged duplicates included; their root is what analytics count).
  readonly customerIndex = new IdIndex();
  customerCount = 0;
  readonly customerIds: string[] = [];
  /** Names and phones as the documents carry them (`unknown`: checked when a row shows them). */
  readonly names: unknown[] = [];
  readonly phones: unknown[] = [];
  parent = new Int32Array(0);
  root = new Int32Array(0);
  deleted = new Uint8Array(0);
  /** 1 once the customer's own document has arrived (0: a placeholder named by a visit, line or merge). */
  known = new Uint8Array(0);
  /** Each customer's latest visit and ledger line (−1: none); the chains go on in the tables' `next`. */
  visitHead = new Int32Array(0);
  entryHead = new Int32Array(0);
  balance = new Float64Array(0);
  basis = new Float64Array(0);
  /** Visits before Patron of each customer's own document (0: none). */
  prior = new Float64Array(0);
  /** Members of roots that have merged duplicates (every other root is its own only member). */
  readonly groups = new Map<number, number[]>();
  private rootsDirty = false;

  // Stores.
  readonly storeIndex = new IdIndex();
  readonly storeIds: string[] = [];

  readonly visits = new VisitTable(this);
  readonly ledger = new LedgerTable(this);
  readonly rewards = new Map<string, RewardLike>();
  readonly skipped: SkipCounts = { visits: 0, customers: 0, loyaltyEntries: 0 };
  private readonly batch = new KeyBatch();
  private found = new Int32Array(0);

  constructor(timeZone: string) {
    this.clock = createZoneClock(timeZone);
  }

  // ---------------------------------------------------------------- customers

  /** The index of a customer id, creating a placeholder (no name yet) for one not seen before. */
  customerSlot(id: string): number {
    const known = this.customerIndex.get(id);
    if (known >= 0) return known;
    const c = this.newCustomer(id, '', '');
    this.customerIndex.set(id, c);
    return c;
  }

  /** A new customer slot (the caller puts its id in the index). */
  private newCustomer(id: string, name: unknown, phone: unknown): number {
    const c = this.customerCount++;
    this.customerIds.push(id);
    this.names.push(name);
    this.phones.push(phone);
    if (c >= this.parent.length) {
      this.parent = grow(this.parent, c + 1, -1);
      this.root = grow(this.root, c + 1);
      this.deleted = grow(this.deleted, c + 1);
      this.known = grow(this.known, c + 1);
      this.visitHead = grow(this.visitHead, c + 1, -1);
      this.entryHead = grow(this.entryHead, c + 1, -1);
      this.balance = grow(this.balance, c + 1);
      this.basis = grow(this.basis, c + 1);
      this.prior = grow(this.prior, c + 1);
    }
    this.root[c] = c;
    return c;
  }

  /**
   * Records a page of customers (input-shapes.ts CustomerColumns; a customer without a string id is skipped);
   * returns whether any merge pointer or tombstone changed (then roots must be resolved again before they are
   * read: `resolveRoots`). Names and phones are kept as they come (a row checks them), so the cold path does
   * not read those strings.
   */
  putCustomers(page: CustomerColumns): boolean {
    const { n, id, name, phone, mergedInto, prior, deleted } = page;
    const batch = this.keyBatch(n);
    for (let d = 0; d < n; d++) {
      const key = id[d];
      if (typeof key === 'string') batch.take(key, d);
      else this.skipped.customers++;
    }
    // Room for each customer and for a merge target each, so the batch's slots stay put.
    const index = this.customerIndex;
    batch.prefetch(index, 2 * batch.size);
    // Taken ids are strings (checked above).
    const idOf = (j: number) => id[batch.doc[j]!] as string;
    let changed = false;
    for (let j = 0; j < batch.size; j++) {
      const d = batch.doc[j]!;
      const key = idOf(j);
      let c = batch.find(index, j, idOf);
      if (c < 0) {
        c = this.newCustomer(key, name[d], phone[d]);
        batch.insert(index, j, key, c);
      } else {
        this.names[c] = name[d];
        this.phones[c] = phone[d];
      }
      this.known[c] = 1;
      const count = prior[d]!;
      this.prior[c] = Number.isSafeInteger(count) && count >= 0 ? count : 0;
      const into = mergedInto[d];
      const parent = typeof into === 'string' && into !== key ? this.customerSlot(into) : -1;
      const erased = deleted[d] === 0 ? 0 : 1;
      if (this.parent[c] !== parent || this.deleted[c] !== erased) {
        this.parent[c] = parent;
        this.deleted[c] = erased;
        changed = true;
      }
    }
    if (changed) this.rootsDirty = true;
    return changed;
  }

  /** Records one customer document (`putCustomers`, through the same columns). */
  putCustomer(doc: CustomerLike): boolean {
    return this.putCustomers(packCustomers([doc]));
  }

  /** The batch scratch of the cold path, emptied, with room for `n` ids. */
  keyBatch(n: number): KeyBatch {
    this.batch.reset(n);
    return this.batch;
  }

  /**
   * The customer index of every id of a batch (`idOf(j)`: the `j`-th id, read for ids that are not UUIDs and
   * for customers not seen yet, which get a placeholder). The answer is scratch, valid until the next batch.
   */
  findCustomers(batch: KeyBatch, idOf: (j: number) => string): Int32Array {
    if (this.found.length < batch.size) this.found = new Int32Array(Math.max(batch.size, 1024));
    const found = this.found;
    const index = this.customerIndex;
    batch.prefetch(index);
    for (let j = 0; j < batch.size; j++) {
      const c = batch.find(index, j, idOf);
      found[j] = c >= 0 ? c : this.customerSlot(idOf(j));
    }
    return found;
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
    const members = this.groups.get(r);
    if (members === undefined) return this.isReal(r);
    for (const m of members) if (this.isReal(m)) return true;
    return false;
  }

  private isReal(c: number): boolean {
    return this.known[c] === 1 || this.visitHead[c]! >= 0 || this.entryHead[c]! >= 0;
  }

  /** The tier basis of root `r`'s group (the sum over its members: points are the group's). */
  groupBasis(r: number): number {
    const members = this.groups.get(r);
    if (members === undefined) return this.basis[r]!;
    let basis = 0;
    for (const m of members) basis += this.basis[m]!;
    return basis;
  }

  /** Visits before Patron of root `r`'s group: each live member's count (the same person's earlier visits). */
  groupPrior(r: number): number {
    let sum = 0;
    for (const m of this.membersOf(r)) if (this.deleted[m] === 0) sum += this.prior[m]!;
    return sum;
  }

  /** The customers counted as one with root `r` (itself first). */
  membersOf(r: number): readonly number[] {
    return this.groups.get(r) ?? [r];
  }

  // ---------------------------------------------------------------- stores

  /**
   * The index of a store id. A merchant has a handful of stores, and comparing a freshly deserialised id with
   * each known one is cheaper than hashing it (this runs for every visit and ledger line); many stores go
   * through the index.
   */
  storeSlot(id: string): number {
    const ids = this.storeIds;
    if (ids.length <= FEW_STORES) {
      for (let s = 0; s < ids.length; s++) if (ids[s] === id) return s;
    } else {
      const known = this.storeIndex.get(id);
      if (known >= 0) return known;
    }
    const s = ids.length;
    this.storeIndex.set(id, s);
    ids.push(id);
    return s;
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
    const clock = createZoneClock(timeZone);
    this.clock = clock;
    // Through the clock's small-integer path.
    const localDayOf = (ms: number) => {
      const utcDay = Math.floor(ms / DAY_MS);
      return clock.localDay(utcDay, ms - utcDay * DAY_MS);
    };
    this.visits.relocalize(localDayOf);
    this.ledger.relocalize(localDayOf);
  }
}
