import { BehaviorSubject } from 'rxjs';
import type { Customer } from '../model/customer.ts';
import { PHONE_SUFFIX_MAX_DIGITS, phoneQuery } from '../model/phone.ts';
import { foldName, toAsciiDigits } from '../model/text.ts';
import type { PatronDatabase } from './database.ts';
import { scanDocuments } from './scan.ts';

type LocalCustomer = Omit<Customer, '_deleted'>;
type Field = 'phoneKey' | 'phoneReversed' | 'nameKey';
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

/** The document as `toJSON()` gives it: without RxDB's meta fields. */
function local(data: Record<string, unknown>): LocalCustomer {
  const { _deleted, _rev, _meta, _attachments, ...rest } = data;
  return rest as unknown as LocalCustomer;
}

/**
 * The counter's lookup in memory (DESIGN §10): every customer's three lookup keys in sorted arrays, searched
 * by binary search — about a microsecond at 100k customers, synchronous, so a keystroke's results render in
 * the keystroke's own commit. Same rules and order as `lookupCustomers` (reads.ts), which answers until the
 * index has filled: one background pass over the collection in pages (scan.ts), then kept current from the change stream.
 */
export function createLookupIndex(db: PatronDatabase, defaultRegion: () => string) {
  const docs = new Map<string, LocalCustomer>();
  const sorted: Record<Field, Sorted> = { phoneKey: [], phoneReversed: [], nameKey: [] };
  let filled = false;
  let stopped = false;
  const version$ = new BehaviorSubject(0);
  // Ids changed by the change stream while the fill runs: the stream's state is newer than a page's.
  const touched = new Set<string>();

  const put = (id: string, doc: LocalCustomer | null) => {
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
      put(event.documentId, deleted ? null : local(data));
    }
    if (filled) version$.next(version$.getValue() + 1);
  });

  async function fill(): Promise<void> {
    for await (const page of scanDocuments(db.customers.storageInstance, PAGE_SIZE)) {
      if (stopped) return;
      for (const doc of page) if (!doc._deleted && !touched.has(doc.id)) docs.set(doc.id, local(doc as unknown as Record<string, unknown>));
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
  function prefix(field: Field, key: string, limit: number, into: LocalCustomer[], skip?: ReadonlySet<string>): void {
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
    /** Whether `search` answers yet. */
    isReady: () => filled,
    /** The lookup of `lookupCustomers`, synchronously; null until the index has filled. */
    search(typed: string, limit = 20): LocalCustomer[] | null {
      if (!filled) return null;
      const results: LocalCustomer[] = [];
      const phone = phoneQuery(typed, defaultRegion());
      if (phone.kind === 'prefix' || phone.kind === 'suffix') {
        prefix(phone.kind === 'prefix' ? 'phoneKey' : 'phoneReversed', phone.key, limit, results);
        // "Last four?" starting with 0 also asks the last-digits index, prefix matches first (as reads.ts).
        const digits = toAsciiDigits(typed).replace(/\D/g, '');
        if (phone.kind === 'prefix' && /^\s*0/.test(toAsciiDigits(typed)) && digits.length >= 3 && digits.length <= PHONE_SUFFIX_MAX_DIGITS) {
          prefix('phoneReversed', [...digits].reverse().join(''), limit, results, new Set(results.map((c) => c.id)));
        }
        return results;
      }
      const key = foldName(typed);
      if (key.length === 0) return results;
      prefix('nameKey', key, limit, results);
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
