import { BehaviorSubject, type Observable } from 'rxjs';
import { segmentOf, visitStats } from '../../../sync/model/segments.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import type { Terminal } from '../../app/runtime.ts';
import type { LocalCustomer } from '../counter/lookup.ts';
import type { RowFacts } from './list-source.ts';

/**
 * Tier, segment and last visit per customer, computed only when a row is shown or a filter reads it: the
 * merge group's visits through the (customerId, occurredAt) index → visitStats/segmentOf, and the tier from
 * the ledger index. Answers are kept for the session and dropped when a visit or ledger line of that
 * customer arrives, so a list shows fresh facts without recomputing rows nobody looks at.
 */
export interface FactsCache {
  get(customerId: string): RowFacts | undefined;
  load(customer: Pick<LocalCustomer, 'id'>): Promise<RowFacts>;
  /** Bumps when facts were added or dropped. */
  readonly changes$: Observable<number>;
}

const caches = new WeakMap<Terminal, FactsCache>();

/** The facts cache of a terminal (one per terminal, kept while it runs). */
export function factsCacheOf(terminal: Terminal): FactsCache {
  let cache = caches.get(terminal);
  if (!cache) {
    cache = createFactsCache(terminal);
    caches.set(terminal, cache);
  }
  return cache;
}

function createFactsCache(terminal: Terminal): FactsCache {
  const values = new Map<string, RowFacts>();
  const inflight = new Map<string, Promise<RowFacts>>();
  const changes$ = new BehaviorSubject(0);
  const bump = () => changes$.next(changes$.getValue() + 1);
  const drop = (customerId: string) => {
    const root = terminal.merges.rootOf(customerId);
    if (values.delete(root) || values.delete(customerId)) bump();
  };
  // These subscriptions live as long as the terminal (the cache is per terminal and never replaced).
  for (const collection of [terminal.db.visits, terminal.db.loyaltyEntries]) {
    collection.eventBulks$.subscribe((bulk) => {
      for (const event of bulk.events) drop((event.documentData as unknown as { customerId: string }).customerId);
    });
  }

  async function compute(id: string): Promise<RowFacts> {
    const group = terminal.merges.groupOf(id);
    const settings = terminal.settings$.getValue();
    const [summary, lists] = await Promise.all([
      terminal.ledger.groupSummary(group),
      Promise.all(
        group.map((customerId) =>
          terminal.db.visits
            .find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] })
            .exec(),
        ),
      ),
    ]);
    const visits = lists.flat().map((d) => ({ ...(d.toJSON() as Omit<Visit, '_deleted'>), _deleted: false }) as Visit);
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
