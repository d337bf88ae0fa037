import { BehaviorSubject } from 'rxjs';
import type { Customer } from '../model/customer.ts';
import { codeInId, memberCodeOf } from '../model/member-code.ts';
import type { PatronDatabase } from './database.ts';
import { fromStored } from './documents.ts';
import type { LookupField as Field, LookupProbe } from './lookup.ts';
import { scanDocuments } from './scan.ts';
import { createTextSearch } from './text-search.ts';
/** One sorted index: [key, id] pairs in (key, id) order — the order of RxDB's ['_deleted', field, 'id'] index. */
type Sorted = [key: string, id: string][];
/** The fields kept as sorted arrays (the `text` probe has its own search). */
type SortedField = Exclude<Field, 'text'>;

const FIELDS: readonly SortedField[] = ['phoneKey', 'phoneReversed', 'nameKey', 'memberCode', 'email'];

/** A customer's keys in a sorted index: both phones' in the phone indexes; '' (no e-mail, no second phone) is left out. */
function keysOf(doc: Customer, field: SortedField): string[] {
  if (field === 'memberCode') return [memberCodeOf(doc.id)];
  if (field === 'email') return [doc.email?.toLowerCase() ?? ''];
  if (field === 'phoneKey') return [doc.phoneKey, doc.phone2Key ?? ''];
  if (field === 'phoneReversed') return [doc.phoneReversed, doc.phone2Reversed ?? ''];
  return [doc[field]];
}
/** Customers read per page while the index fills; the main thread gets a turn between pages. */
const PAGE_SIZE = 2000;

/** Bulks of more changes than this re-sort the arrays once (mergeBulk) instead of splicing each change. */
const BULK_MERGE_FROM = 64;

/** (key, id) order. */
function compareEntries(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Two sorted lists as one. */
function mergeSorted(a: Sorted, b: Sorted): Sorted {
  if (b.length === 0) return a;
  const out: Sorted = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareEntries(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

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
  if (key === '') return;
  sorted.splice(lowerBound(sorted, key, id), 0, [key, id]);
}

function remove(sorted: Sorted, key: string, id: string): void {
  const at = lowerBound(sorted, key, id);
  const found = sorted[at];
  if (found && found[0] === key && found[1] === id) sorted.splice(at, 1);
}

/**
 * The counter's lookup in memory (docs/architecture.md#lookup): every customer's lookup keys (phone prefix, reversed digits,
 * folded name, member code, e-mail) in sorted arrays, searched by binary search — about a microsecond at 100k
 * customers — and the name words in a text search (text-search.ts), synchronous, so a keystroke's results
 * render in the keystroke's own commit. It runs the lookup plans of lookup.ts, as `lookupInReplica` does until
 * the index has filled: one background pass over the collection in pages (scan.ts), then kept current from the
 * change stream. The text search is built after the sorted arrays, in slices between tasks; until it is, a
 * `text` probe reads the folded name from its start, as the replica does.
 */
export function createLookupIndex(db: PatronDatabase) {
  const docs = new Map<string, Customer>();
  const sorted: Record<SortedField, Sorted> = { phoneKey: [], phoneReversed: [], nameKey: [], memberCode: [], email: [] };
  const text = createTextSearch();
  // The highest sign-up sequence seen per terminal number (member codes): only grows, a removal never lowers it.
  const highest = new Map<number, number>();
  const noteCode = (id: string) => {
    const code = codeInId(id);
    if (code && code.sequence > (highest.get(code.terminal) ?? 0)) highest.set(code.terminal, code.sequence);
  };
  let filled = false;
  let textReady = false;
  let stopped = false;
  const version$ = new BehaviorSubject(0);
  // Ids changed by the change stream while the fill runs: the stream's state is newer than a page's.
  const touched = new Set<string>();

  // `spliced` false: the caller re-sorts the arrays once for a whole bulk (mergeBulk) instead of per document.
  const put = (id: string, doc: Customer | null, spliced = true) => {
    const previous = docs.get(id);
    if (filled && spliced && previous) for (const field of FIELDS) for (const key of keysOf(previous, field)) remove(sorted[field], key, id);
    if (doc) {
      docs.set(id, doc);
      noteCode(id);
      if (filled && spliced) for (const field of FIELDS) for (const key of keysOf(doc, field)) insert(sorted[field], key, id);
      // While the text search is built, a changed customer goes in now; the build skips those it holds.
      if (filled) text.add(doc);
    } else {
      docs.delete(id);
      text.remove(id);
    }
  };

  // A large bulk (an import's batch) is merged into the sorted arrays in one pass per field: splicing each of
  // its documents into arrays of 100k keys would hold the main thread for a long time. Only the keys of the
  // documents the index held before (`replaced`) are filtered out first: an import's batch is all new customers,
  // so a whole-array filter per batch would be work for nothing that grows with the replica.
  const mergeBulk = (ids: ReadonlySet<string>, replaced: ReadonlySet<string>) => {
    for (const field of FIELDS) {
      const added: Sorted = [];
      for (const id of ids) {
        const doc = docs.get(id);
        for (const key of doc ? keysOf(doc, field) : []) if (key !== '') added.push([key, id]);
      }
      added.sort(compareEntries);
      const kept = replaced.size === 0 ? sorted[field] : sorted[field].filter(([, id]) => !replaced.has(id));
      sorted[field] = mergeSorted(kept, added);
    }
  };

  const subscription = db.customers.eventBulks$.subscribe((bulk) => {
    const many = filled && bulk.events.length > BULK_MERGE_FROM;
    const replaced = new Set<string>();
    for (const event of bulk.events) {
      const data = event.documentData as unknown as Record<string, unknown>;
      const deleted = event.operation === 'DELETE' || data._deleted === true;
      if (!filled) touched.add(event.documentId);
      if (many && docs.has(event.documentId)) replaced.add(event.documentId);
      put(event.documentId, deleted ? null : fromStored<Customer>(data), !many);
    }
    if (many) mergeBulk(new Set(bulk.events.map((event) => event.documentId)), replaced);
    if (filled) version$.next(version$.getValue() + 1);
  });

  async function fill(): Promise<void> {
    for await (const page of scanDocuments(db.customers.storageInstance, PAGE_SIZE)) {
      if (stopped) return;
      for (const doc of page) {
        noteCode(doc.id);
        if (!doc._deleted && !touched.has(doc.id)) docs.set(doc.id, fromStored<Customer>(doc as unknown as Record<string, unknown>));
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stopped) return;
    }
    for (const field of FIELDS) {
      const list: Sorted = [];
      for (const [id, doc] of docs) {
        for (const key of keysOf(doc, field)) if (key !== '') list.push([key, id]);
      }
      list.sort(compareEntries);
      sorted[field] = list;
    }
    touched.clear();
    filled = true;
    version$.next(version$.getValue() + 1);
    await buildText();
  }

  /** The text search from every customer, a page at a time so typing stays responsive meanwhile. */
  async function buildText(): Promise<void> {
    const ids = [...docs.keys()];
    for (let at = 0; at < ids.length; at += PAGE_SIZE) {
      for (const id of ids.slice(at, at + PAGE_SIZE)) {
        const doc = docs.get(id);
        if (doc && !text.has(id)) text.add(doc);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stopped) return;
    }
    textReady = true;
    version$.next(version$.getValue() + 1);
  }

  /**
   * Up to `limit` customers whose `field` starts with `key`, in key order, skipping `skip`'s ids. A customer
   * whose two phones both match is listed once.
   */
  function prefix(field: SortedField, key: string, limit: number, into: Customer[], skip?: ReadonlySet<string>): void {
    const list = sorted[field];
    const taken = new Set<string>();
    let scanned = 0;
    for (let at = lowerBound(list, key, ''); at < list.length && scanned < limit && into.length < limit; at++) {
      const [k, id] = list[at]!;
      if (!k.startsWith(key)) break;
      scanned++;
      if (skip?.has(id) || taken.has(id)) continue;
      const doc = docs.get(id);
      if (doc) {
        into.push(doc);
        taken.add(id);
      }
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
    /** Whether `text` probes search any word with typos yet (until then: the name from its start). */
    isTextReady: () => textReady,
    /** A customer by id, once filled (merged duplicates' roots are resolved from here). */
    get: (id: string): Customer | undefined => (filled ? docs.get(id) : undefined),
    /** The highest sign-up sequence of terminal `terminal` among the replica's customers (0: none), once filled. */
    highestSequence: (terminal: number): number => highest.get(terminal) ?? 0,
    /** The one customer with member code `code`, when no other code equals it or starts with it. */
    codeHolder(code: string): string | null {
      const list = sorted.memberCode;
      const at = lowerBound(list, code, '');
      const [key, id] = list[at] ?? [];
      if (key !== code || id === undefined) return null;
      return list[at + 1]?.[0].startsWith(code) ? null : id;
    },
    /** The customers whose `field` key equals `key` exactly (an import's duplicate check), once filled. */
    exact(field: SortedField, key: string): Customer[] {
      const into: Customer[] = [];
      const list = sorted[field];
      for (let at = lowerBound(list, key, ''); at < list.length && list[at]![0] === key; at++) {
        const doc = docs.get(list[at]![1]);
        if (doc) into.push(doc);
      }
      return into;
    },
    /** The customers a lookup plan finds (lookup.ts), synchronously; null until the index has filled. */
    run(plan: readonly LookupProbe[], limit = 20): Customer[] | null {
      if (!filled) return null;
      const results: Customer[] = [];
      for (const probe of plan) {
        const seen = new Set(results.map((c) => c.id));
        if (probe.field !== 'text') prefix(probe.field, probe.key, limit, results, seen);
        else if (!textReady) prefix('nameKey', probe.key, limit, results, seen);
        else {
          for (const id of text.query(probe.key, limit, limit).ids) {
            if (results.length >= limit) break;
            const doc = seen.has(id) ? undefined : docs.get(id);
            if (doc) results.push(doc);
          }
        }
      }
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
