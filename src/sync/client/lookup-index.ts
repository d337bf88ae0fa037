import { BehaviorSubject } from 'rxjs';
import type { Customer } from '../model/customer.ts';
import type { PatronDatabase } from './database.ts';
import { fromStored } from './documents.ts';
import type { LookupField as Field, LookupProbe } from './lookup.ts';
import { scanDocuments } from './scan.ts';
/** One sorted index: [key, id] pairs in (key, id) order — the order of RxDB's ['_deleted', field, 'id'] index. */
type Sorted = [key: string, id: string][];

const FIELDS: readonly Field[] = ['phoneKey', 'phoneReversed', 'nameKey'];
/** Customers read per page while the index fills; the main thread gets a turn between pages. */
const PAGE_SIZE = 2000;

/** First position whose (key, id) is not below (key, id). */
function lowerBound(sorted: Sorted, key: string, id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const [k, i] = sorted[mid]!;
    if (k < key || (k === key && i < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert(sorted: Sorted, key: string, id: string): void {
  sorted.splice(lowerBound(sorted, key, id), 0, [key, id]);
}

function remove(sorted: Sorted, key: string, id: string): void {
  const at = lowerBound(sorted, key, id);
  const found = sorted[at];
  if (found && found[0] === key && found[1] === id) sorted.splice(at, 1);
}

/**
 * The counter's lookup in memory (docs/architecture.md#lookup): every customer's three lookup keys in sorted arrays, searched
 * by binary search — about a microsecond at 100k customers, synchronous, so a keystroke's results render in
 * the keystroke's own commit. It runs the lookup plans of lookup.ts, as `lookupInReplica` does until the index
 * has filled: one background pass over the collection in pages (scan.ts), then kept current from the change
 * stream.
 */
export function createLookupIndex(db: PatronDatabase) {
  const docs = new Map<string, Customer>();
  const sorted: Record<Field, Sorted> = { phoneKey: [], phoneReversed: [], nameKey: [] };
  let filled = false;
  let stopped = false;
  const version$ = new BehaviorSubject(0);
  // Ids changed by the change stream while the fill runs: the stream's state is newer than a page's.
  const touched = new Set<string>();

  const put = (id: string, doc: Customer | null) => {
    const previous = docs.get(id);
    if (filled && previous) for (const field of FIELDS) remove(sorted[field], previous[field], id);
    if (doc) {
      docs.set(id, doc);
      if (filled) for (const field of FIELDS) insert(sorted[field], doc[field], id);
    } else docs.delete(id);
  };

  const subscription = db.customers.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      const data = event.documentData as unknown as Record<string, unknown>;
      const deleted = event.operation === 'DELETE' || data._deleted === true;
      if (!filled) touched.add(event.documentId);
      put(event.documentId, deleted ? null : fromStored<Customer>(data));
    }
    if (filled) version$.next(version$.getValue() + 1);
  });

  async function fill(): Promise<void> {
    for await (const page of scanDocuments(db.customers.storageInstance, PAGE_SIZE)) {
      if (stopped) return;
      for (const doc of page) if (!doc._deleted && !touched.has(doc.id)) docs.set(doc.id, fromStored<Customer>(doc as unknown as Record<string, unknown>));
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stopped) return;
    }
    for (const field of FIELDS) {
      const list: Sorted = [];
      for (const [id, doc] of docs) list.push([doc[field], id]);
      list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      sorted[field] = list;
    }
    touched.clear();
    filled = true;
    version$.next(version$.getValue() + 1);
  }

  /** Up to `limit` customers whose `field` starts with `key`, in key order, skipping `skip`'s ids. */
  function prefix(field: Field, key: string, limit: number, into: Customer[], skip?: ReadonlySet<string>): void {
    const list = sorted[field];
    let scanned = 0;
    for (let at = lowerBound(list, key, ''); at < list.length && scanned < limit && into.length < limit; at++) {
      const [k, id] = list[at]!;
      if (!k.startsWith(key)) break;
      scanned++;
      if (skip?.has(id)) continue;
      const doc = docs.get(id);
      if (doc) into.push(doc);
    }
  }

  return {
    /** Settles once every customer is in the index. */
    ready: fill().catch((error: unknown) => {
      // A terminal closed while the index filled: its database went away under the last page.
      if (!stopped) throw error;
    }),
    /** Bumps when the index becomes ready and on every change after that. */
    version$: version$.asObservable(),
    /** 0 until the index has filled, then bumped by every change. */
    version: () => version$.getValue(),
    /** Whether `run` answers yet. */
    isReady: () => filled,
    /** A customer by id, once filled (merged duplicates' roots are resolved from here). */
    get: (id: string): Customer | undefined => (filled ? docs.get(id) : undefined),
    /** The customers a lookup plan finds (lookup.ts), synchronously; null until the index has filled. */
    run(plan: readonly LookupProbe[], limit = 20): Customer[] | null {
      if (!filled) return null;
      const results: Customer[] = [];
      for (const probe of plan) prefix(probe.field, probe.key, limit, results, new Set(results.map((c) => c.id)));
      return results;
    },
    stop(): void {
      stopped = true;
      subscription.unsubscribe();
    },
  };
}

/** The lookup index of a database. */
export type LookupIndex = ReturnType<typeof createLookupIndex>;
