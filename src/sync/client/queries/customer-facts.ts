import { BehaviorSubject, type Observable } from 'rxjs';
import type { Customer } from '../../model/customer.ts';
import { segmentOf, visitStats } from '../../model/segments.ts';
import type { Settings } from '../../model/settings.ts';
import type { Visit } from '../../model/visit.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';
import type { LedgerIndex } from '../ledger-index.ts';
import type { MergeIndex } from '../merge-index.ts';
import type { RowFacts } from './customer-list.ts';

/**
 * Tier, segment and last visit per customer, computed only when a row is shown or a filter reads it: the
 * merge group's visits through the (customerId, occurredAt) index → visitStats/segmentOf, and the tier from
 * the ledger index. Answers are kept for the session and dropped when a visit or ledger line of that
 * customer arrives, so a list shows fresh facts without recomputing rows nobody looks at.
 */
export interface FactsCache {
  get(customerId: string): RowFacts | undefined;
  load(customer: Pick<Customer, 'id'>): Promise<RowFacts>;
  /** Bumps when facts were added or dropped. */
  readonly changes$: Observable<number>;
}

/** What the facts are computed from. */
export interface FactsSources {
  db: PatronDatabase;
  ledger: LedgerIndex;
  merges: MergeIndex;
  settings(): Settings;
}

/** The facts cache of a sources (one per sources, kept while it runs). */
export function createFactsCache(sources: FactsSources): FactsCache {
  const values = new Map<string, RowFacts>();
  const inflight = new Map<string, Promise<RowFacts>>();
  const changes$ = new BehaviorSubject(0);
  const bump = () => changes$.next(changes$.getValue() + 1);
  const drop = (customerId: string) => {
    const root = sources.merges.rootOf(customerId);
    if (values.delete(root) || values.delete(customerId)) bump();
  };
  // These subscriptions live as long as the sources's database (the cache is per sources, never replaced).
  for (const collection of [sources.db.visits, sources.db.loyaltyEntries]) {
    collection.eventBulks$.subscribe((bulk) => {
      for (const event of bulk.events) drop((event.documentData as unknown as { customerId: string }).customerId);
    });
  }

  async function compute(id: string): Promise<RowFacts> {
    const group = sources.merges.groupOf(id);
    const settings = sources.settings();
    const [summary, lists] = await Promise.all([
      sources.ledger.groupStanding(group, new Date()),
      Promise.all(
        group.map((customerId) =>
          sources.db.visits
            .find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] })
            .exec(),
        ),
      ),
    ]);
    const visits = lists.flat().map((d) => fromReplica<Visit>(d));
    const now = new Date();
    const stats = visitStats(visits, now, settings.segments);
    return {
      tier: summary.tier,
      balance: summary.balance,
      segment: segmentOf(stats, settings.segments, now),
      lastVisitAt: stats.lastVisitAt,
    };
  }

  return {
    get: (id) => values.get(id),
    load({ id }) {
      const known = values.get(id);
      if (known) return Promise.resolve(known);
      let pending = inflight.get(id);
      if (!pending) {
        pending = compute(id).then(
          (facts) => {
            values.set(id, facts);
            inflight.delete(id);
            bump();
            return facts;
          },
          (error: unknown) => {
            inflight.delete(id);
            throw error;
          },
        );
        inflight.set(id, pending);
      }
      return pending;
    },
    changes$: changes$.asObservable(),
  };
}
