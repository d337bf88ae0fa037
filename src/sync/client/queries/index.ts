import { map, type BehaviorSubject, type Observable } from 'rxjs';
import type { CustomerGroup } from '../../model/customer-group.ts';
import type { Customer } from '../../model/customer.ts';
import type { ExistingCustomers } from '../../model/import-dedupe.ts';
import type { Settings } from '../../model/settings.ts';
import type { AuditApi } from '../api.ts';
import type { PatronDatabase } from '../database.ts';
import type { LedgerIndex } from '../ledger-index.ts';
import type { LookupIndex } from '../lookup-index.ts';
import type { MergeIndex } from '../merge-index.ts';
import { createStatsIndex } from '../customer-stats.ts';
import { fromReplica } from '../documents.ts';
import { catalogQueries } from './catalog.ts';
import { changeHistoryQueries } from './change-history.ts';
import { customerCardQueries } from './customer-card.ts';
import { createFactsCache } from './customer-facts.ts';
import { createCustomerList, readChunk, type CustomerList, type ListFilters } from './customer-list.ts';
import { createCustomerLookup } from './customer-lookup.ts';
import { findLikelyDuplicates, type LikelyDuplicate } from './duplicates.ts';
import { importRecords, type ImportSummary } from '../import-records.ts';
import { existingCustomers } from './import-matches.ts';
import { inboxQueries } from './inbox.ts';
import { loyaltyQueries } from './loyalty.ts';
import { rootIdOf } from './merge-roots.ts';
import { replicaStream } from './replica-stream.ts';

/** What the queries read from. */
export interface QuerySources {
  db: PatronDatabase;
  ledger: LedgerIndex;
  merges: MergeIndex;
  lookupIndex: LookupIndex;
  settings$: BehaviorSubject<Settings>;
  storeId: string;
  pending$: Observable<ReadonlySet<string>>;
  /** The server's audit trail (change history), which no replica holds. */
  audit: AuditApi;
}

/** Every read of the terminal's UI: live observables, or promises for one-off questions. */
export function createQueries(sources: QuerySources) {
  const { db, ledger, merges } = sources;
  const settings = () => sources.settings$.getValue();
  const lookup = createCustomerLookup({ db, index: sources.lookupIndex, merges, region: () => settings().defaultRegion });
  const facts = createFactsCache({ db, ledger, merges, settings });
  const replica = replicaStream(db);
  const stats = createStatsIndex(replica, settings);
  return {
    lookup,
    ...customerCardQueries({ db, ledger, merges, settings$: sources.settings$ }),
    ...loyaltyQueries({ db, ledger, merges, settings$: sources.settings$ }),
    ...inboxQueries({ db, ledger, merges }),
    ...catalogQueries({ db, storeId: sources.storeId }),
    ...changeHistoryQueries({ db, api: sources.audit }),
    /** The customer a merged duplicate belongs to (itself when not merged), following merge chains. */
    rootOf(customer: Pick<Customer, 'id' | 'mergedInto'>): string {
      return rootIdOf(customer, (id) => merges.rootOf(id));
    },
    /** Keys `collection:id` of local writes the server has not acknowledged yet. */
    pending$: sources.pending$,
    /** Customers who may be the one being signed up (same number, their second phone, or a similar name on a near number). */
    likelyDuplicates(candidate: { e164: string; name: string; phone2?: string | null }): Promise<LikelyDuplicate[]> {
      return findLikelyDuplicates(db, candidate, settings().defaultRegion, (id) => merges.rootOf(id), sources.lookupIndex);
    },
    /** The customers list: name order, read as the user scrolls, with document and derived filters. */
    customerList(filters: ListFilters): CustomerList {
      return createCustomerList({ readChunk: (cursor, size) => readChunk(db, cursor, size), facts: (customer) => facts.load(customer) }, filters);
    },
    /** The live customers by member code, phone and e-mail, for an import's duplicate check. */
    existingCustomers(): Promise<ExistingCustomers> {
      return existingCustomers(sources.lookupIndex);
    },
    /** The imports made on this terminal, newest first (what `undoImport` can take back). */
    recentImports(): Promise<ImportSummary[]> {
      return importRecords(db).recent();
    },
    /** Tier, segment and last visit per customer, computed when a row is shown. */
    facts,
    /** Per-customer statistics for the customers list, saved groups and exports (read on first use). */
    stats,
    /** The merchant's saved customer groups, by name. */
    customerGroups$(): Observable<CustomerGroup[]> {
      return db.customerGroups.find().$.pipe(map((docs) => docs.map((d) => fromReplica<CustomerGroup>(d)).sort((a, b) => a.name.localeCompare(b.name))));
    },
    /** Whole-collection reads for the analytics worker. */
    replica,
    stop(): void {
      lookup.stop();
      stats.stop();
    },
  };
}

/** The terminal's queries. */
export type Queries = ReturnType<typeof createQueries>;
