import { BehaviorSubject, type Observable } from 'rxjs';
import type { Tier } from '../../model/common.ts';
import type { Customer, CustomerStatus } from '../../model/customer.ts';
import type { Segment } from '../../model/segments.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';

// The customers list at 100k: read in name order with keyset pagination on the `nameKey` index, a chunk at
// a time, only as far as the user scrolls.
//
// Trade-off (status, segment and tier filters): there is no index for `status` (adding one costs ~15 % of
// every insert of an initial sync, docs/architecture.md#performance), and segment and tier are not stored at all — they derive from
// visits and the ledger. So filters are applied to each chunk as it is read. A common value fills the screen
// from the first chunk or two; a rare one (say `blocked`, or `platinum`) reads further, within a budget per
// request, and the list says how many customers it has looked at so far and offers to continue. Nothing is
// ever computed for all 100k customers up front, and no query skips (offset) over earlier rows.

/** Position after the last row read: its key, its id, and how many rows with that same key were read (ties). */
export interface ListCursor {
  nameKey: string;
  id: string;
  ties: number;
}

/** One chunk of customers in name order. */
export interface Chunk {
  rows: Customer[];
  cursor: ListCursor | null;
  done: boolean;
}

/**
 * Reads the next `size` customers after `cursor` in (nameKey, id) order — the order of the nameKey index,
 * which carries the primary key as its last part. `$gte` on the key plus dropping the few rows of the same key
 * already read (`ties`, only names shared by several customers) continues exactly where the last chunk ended.
 */
export async function readChunk(db: PatronDatabase, cursor: ListCursor | null, size: number): Promise<Chunk> {
  const ties = cursor?.ties ?? 0;
  const limit = size + ties;
  const docs = await db.customers
    .find({ selector: { nameKey: { $gte: cursor?.nameKey ?? '' } }, sort: [{ nameKey: 'asc' }, { id: 'asc' }], limit })
    .exec();
  const all = docs.map((d) => fromReplica<Customer>(d));
  const rows = cursor ? all.filter((r) => r.nameKey !== cursor.nameKey || r.id > cursor.id) : all;
  const last = rows[rows.length - 1];
  let next: ListCursor | null = cursor;
  if (last) {
    const sameKey = rows.filter((r) => r.nameKey === last.nameKey).length;
    next = {
      nameKey: last.nameKey,
      id: last.id,
      ties: sameKey + (cursor && cursor.nameKey === last.nameKey ? cursor.ties : 0),
    };
  }
  return { rows, cursor: next, done: docs.length < limit };
}

/** What the filters need to know about a customer beyond its document (derived, so computed lazily). */
export interface RowFacts {
  tier: Tier;
  segment: Segment;
  balance: number;
  lastVisitAt: string | null;
}

/** The list's filters; `all` = no filter. */
export interface ListFilters {
  status: CustomerStatus | 'all';
  segment: Segment | 'all';
  tier: Tier | 'all';
}

/** No filter at all. */
export const NO_FILTERS: ListFilters = { status: 'all', segment: 'all', tier: 'all' };

/** Whether a filter needs derived facts (visits, ledger) rather than the document alone. */
export function needsFacts(filters: ListFilters): boolean {
  return filters.segment !== 'all' || filters.tier !== 'all';
}

/** Whether a customer passes the document-level filters (merged duplicates are never listed on their own). */
export function passesDocument(customer: Customer, filters: ListFilters): boolean {
  return customer.mergedInto === null && (filters.status === 'all' || customer.status === filters.status);
}

/** Whether a customer's facts pass the derived filters. */
export function passesFacts(facts: RowFacts, filters: ListFilters): boolean {
  return (
    (filters.segment === 'all' || facts.segment === filters.segment) &&
    (filters.tier === 'all' || facts.tier === filters.tier)
  );
}

/** State of a list as the UI reads it. */
export interface ListState {
  rows: Customer[];
  /** Customers read so far (matching or not). */
  scanned: number;
  done: boolean;
  loading: boolean;
  /** The last request stopped at its budget before finding enough rows; `more()` continues. */
  paused: boolean;
}

/** Reads rows for the list; the browser passes RxDB-backed functions, tests pass fakes. */
export interface ListDeps {
  readChunk(cursor: ListCursor | null, size: number): Promise<Chunk>;
  facts(customer: Customer): Promise<RowFacts>;
}

/** A filtered, progressively read customer list. */
export interface CustomerList {
  readonly state$: Observable<ListState>;
  /** Reads until at least `target` rows match, the end is reached, or the request's budget is spent. */
  fill(target: number): Promise<void>;
  /** Stops reading (filters changed, page left). */
  stop(): void;
}

const CHUNK = 100;

/**
 * A list over `deps` with fixed filters. Each `fill` reads at most `budget` customers — many when only the
 * status filter applies (a document check), few when segment or tier must be derived per customer.
 */
export function createCustomerList(
  deps: ListDeps,
  filters: ListFilters,
  budget = needsFacts(filters) ? 400 : 5000,
): CustomerList {
  const state$ = new BehaviorSubject<ListState>({ rows: [], scanned: 0, done: false, loading: false, paused: false });
  let cursor: ListCursor | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;

  async function run(target: number): Promise<void> {
    let read = 0;
    state$.next({ ...state$.getValue(), loading: true, paused: false });
    while (!stopped && !state$.getValue().done && state$.getValue().rows.length < target) {
      if (read >= budget) {
        state$.next({ ...state$.getValue(), paused: true });
        break;
      }
      const chunk = await deps.readChunk(cursor, CHUNK);
      if (stopped) return;
      cursor = chunk.cursor;
      read += chunk.rows.length;
      let rows = chunk.rows.filter((c) => passesDocument(c, filters));
      if (needsFacts(filters)) {
        const facts = await Promise.all(rows.map((c) => deps.facts(c)));
        if (stopped) return;
        rows = rows.filter((_, i) => passesFacts(facts[i]!, filters));
      }
      const current = state$.getValue();
      state$.next({
        ...current,
        rows: [...current.rows, ...rows],
        scanned: current.scanned + chunk.rows.length,
        done: chunk.done,
      });
    }
    if (!stopped) state$.next({ ...state$.getValue(), loading: false });
  }

  return {
    state$: state$.asObservable(),
    fill(target) {
      running ??= run(target).finally(() => {
        running = null;
      });
      return running;
    },
    stop() {
      stopped = true;
    },
  };
}
