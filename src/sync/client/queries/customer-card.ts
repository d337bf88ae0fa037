import { combineLatest, from, map, of, switchMap, type Observable } from 'rxjs';
import type { Customer } from '../../model/customer.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { LedgerSummary } from '../../model/loyalty.ts';
import { erasureOf, type Erasure } from '../../model/privacy.ts';
import type { Settings } from '../../model/settings.ts';
import type { Visit } from '../../model/visit.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica, fromStored } from '../documents.ts';
import { combine, type LedgerIndex } from '../ledger-index.ts';
import type { MergeIndex } from '../merge-index.ts';

// Live reads of one customer for the card: the document, its merge group, the group's ledger summary, entries
// and visits. Each is an index-backed live query or the in-memory ledger/merge index; nothing scans.

/** What the card's reads are made of. */
export interface CardSources {
  db: PatronDatabase;
  ledger: LedgerIndex;
  merges: MergeIndex;
  settings$: Observable<Settings>;
}

/**
 * Live rows of a merge group from a (customerId, occurredAt) index: one `customerId` equality range per
 * member, combined. (A `$in` over several ids is planned by RxDB as ONE range from the smallest to the
 * largest id, which for unrelated UUIDs spans most of the collection.)
 */
function groupRows<T>(group: readonly string[], query: (customerId: string) => Observable<T[]>): Observable<T[]> {
  return group.length === 1 ? query(group[0]!) : combineLatest(group.map(query)).pipe(map((lists) => lists.flat()));
}

/** The card's live reads. */
export function customerCardQueries(sources: CardSources) {
  const { db, ledger, merges } = sources;
  return {
    /** The customer document; null when there is none. */
    customer$(id: string): Observable<Customer | null> {
      return db.customers.findOne(id).$.pipe(map((doc) => (doc ? fromReplica<Customer>(doc) : null)));
    },
    /**
     * Who erased a customer, when and why (docs/privacy.md), read from the stored tombstone — which no query
     * returns; null when the customer is not here or is not erased.
     */
    async erasureOf(id: string): Promise<Erasure | null> {
      const [stored] = await db.customers.storageInstance.findDocumentsById([id], true);
      return stored ? erasureOf(fromStored<Customer>(stored as unknown as Record<string, unknown>)) : null;
    },
    /** The ids of a customer's merge group (the root first), following merges made or undone while open. */
    group$(rootId: string): Observable<string[]> {
      return merges.changes$.pipe(map(() => merges.groupOf(rootId)));
    },
    /**
     * The group's ledger summary (balance, tier, progress), live: the sum of the members' ledgers. First
     * emits once every member's ledger has been read — a visit must never earn at a bronze rate because the
     * tier was not loaded yet.
     */
    summary$(group: readonly string[]): Observable<LedgerSummary> {
      return sources.settings$.pipe(
        switchMap((settings) =>
          from(Promise.all(group.map((id) => ledger.summary(id)))).pipe(
            switchMap(() => combineLatest(group.map((id) => ledger.summary$(id)))),
            map((parts) => combine(parts, settings.program)),
          ),
        ),
      );
    },
    /** Every ledger line of the group, oldest first (a customer has tens; the index narrows to them). */
    entries$(group: readonly string[]): Observable<LoyaltyEntry[]> {
      return groupRows(group, (customerId) => db.loyaltyEntries.find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] }).$.pipe(map((docs) => docs.map((d) => fromReplica<LoyaltyEntry>(d))))).pipe(
        map((rows) => rows.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1))),
      );
    },
    /** The group's visits, newest first. */
    visits$(group: readonly string[]): Observable<Visit[]> {
      return groupRows(group, (customerId) => db.visits.find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] }).$.pipe(map((docs) => docs.map((d) => fromReplica<Visit>(d))))).pipe(
        map((rows) => rows.sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1))),
      );
    },
    /** Customers by id, live (those an inbox item names, a merge form's picks). */
    customersById$(ids: readonly string[]): Observable<Map<string, Customer>> {
      if (ids.length === 0) return of(new Map());
      return db.customers.findByIds([...ids]).$.pipe(map((docs) => new Map([...docs].map(([id, doc]) => [id, fromReplica<Customer>(doc)]))));
    },
  };
}
