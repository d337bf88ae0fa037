import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { CustomerStats } from '../model/customer-filter.ts';
import { buildCustomerStats } from '../model/customer-stats.ts';
import type { Customer } from '../model/customer.ts';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import type { Settings } from '../model/settings.ts';
import type { Visit } from '../model/visit.ts';
import type { ReplicaStream, StoredDocument } from './queries/replica-stream.ts';

// Per-customer statistics for the customers list, saved groups and exports. The replica's customers, visits
// and ledger lines are read once, in pages (scan.ts), into memory and kept current from the change streams;
// the statistics are derived from them in one pass (model/customer-stats.ts) when first asked for after a
// change, never per row or per keystroke. A filter or a sort then runs over that array.

const PAGE = 2000;
/** Segments depend on the time: statistics older than this are derived again even without a change. */
const MAX_AGE_MS = 60_000;

type Collection = 'customers' | 'visits' | 'loyaltyEntries';
const COLLECTIONS: readonly Collection[] = ['customers', 'visits', 'loyaltyEntries'];

/** The statistics index of a replica. */
export interface StatsIndex {
  /** Every listed customer's statistics (read the replica first if not done yet). */
  rows(): Promise<readonly CustomerStats[]>;
  /** The documents the statistics come from (for exports of visits and ledger lines). */
  sources(): Promise<{ customers: Customer[]; visits: Visit[]; entries: LoyaltyEntry[] }>;
  /** Bumps when a document the statistics read changed. */
  readonly changes$: Observable<number>;
  stop(): void;
}

/** Statistics over `stream`, with the merchant's settings of the moment. */
export function createStatsIndex(stream: ReplicaStream, settings: () => Settings, now: () => Date = () => new Date()): StatsIndex {
  const docs: Record<Collection, Map<string, StoredDocument>> = { customers: new Map(), visits: new Map(), loyaltyEntries: new Map() };
  const changes$ = new BehaviorSubject(0);
  let cached: { rows: CustomerStats[]; version: number; at: number; settings: Settings } | null = null;
  let loading: Promise<void> | null = null;
  const subscriptions: Subscription[] = [];
  // Documents written while the scan runs: the scan may still meet their older state and must not bring it back.
  const touched: Record<Collection, Set<string>> = { customers: new Set(), visits: new Set(), loyaltyEntries: new Set() };

  function load(): Promise<void> {
    loading ??= (async () => {
      for (const name of COLLECTIONS) {
        subscriptions.push(
          stream.changes$(name).subscribe((changed) => {
            for (const doc of changed) {
              docs[name].set(doc.id, doc);
              touched[name].add(doc.id);
            }
            changes$.next(changes$.getValue() + 1);
          }),
        );
      }
      for (const name of COLLECTIONS) {
        for await (const page of stream.pages(name, PAGE)) for (const doc of page) if (!touched[name].has(doc.id)) docs[name].set(doc.id, doc);
        touched[name].clear();
      }
      changes$.next(changes$.getValue() + 1);
    })();
    return loading;
  }

  return {
    async rows() {
      await load();
      const version = changes$.getValue();
      const current = settings();
      const at = now().getTime();
      if (cached && cached.version === version && cached.settings === current && at - cached.at < MAX_AGE_MS) return cached.rows;
      const rows = buildCustomerStats(
        {
          customers: docs.customers.values() as Iterable<StoredDocument> as Iterable<Customer>,
          visits: docs.visits.values() as Iterable<StoredDocument> as Iterable<Visit>,
          entries: docs.loyaltyEntries.values() as Iterable<StoredDocument> as Iterable<LoyaltyEntry>,
        },
        current,
        new Date(at),
      );
      cached = { rows, version, at, settings: current };
      return rows;
    },
    async sources() {
      await load();
      const live = <T>(name: Collection) => [...docs[name].values()].filter((doc) => !doc._deleted) as unknown as T[];
      return { customers: [...docs.customers.values()] as unknown as Customer[], visits: live<Visit>('visits'), entries: live<LoyaltyEntry>('loyaltyEntries') };
    },
    changes$: changes$.asObservable(),
    stop() {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
