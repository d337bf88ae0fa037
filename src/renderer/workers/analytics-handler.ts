import { createAggregator, QueryError, type Aggregator, type AnalyticsChange } from '../features/analytics/compute/aggregator.ts';
import type { RewardLike } from '../features/analytics/compute/replica.ts';
import { ANALYTICS_COLLECTIONS, ToWorkerSchema, type AnalyticsCollection, type FromWorker, type LoadMessage } from './analytics-messages.ts';

// The analytics worker as a pure message handler: requests in, answers out through `post`. The worker file
// only binds it to `self` — so Node tests drive exactly the code the browser runs, protocol included.

/** Adds a page of the cold stream; returns how many documents it carried (checked or not: `loaded` counts them). */
function load(aggregator: Aggregator, message: LoadMessage): number {
  switch (message.collection) {
    case 'customers':
      aggregator.addColumns({ customers: message.columns });
      return message.columns.n;
    case 'visits':
      aggregator.addColumns({ visits: message.columns });
      return message.columns.n;
    case 'loyaltyEntries':
      aggregator.addColumns({ loyaltyEntries: message.columns });
      return message.columns.n;
    case 'rewards':
      aggregator.addColumns({ rewards: message.docs as RewardLike[] });
      return message.docs.length;
  }
}

/** Creates the handler; `post` sends an answer to the page. */
export function createAnalyticsHandler(post: (message: FromWorker) => void) {
  let aggregator: Aggregator | null = null;
  let ready = false;
  let version = 0;
  const loaded = Object.fromEntries(ANALYTICS_COLLECTIONS.map((c) => [c, 0])) as Record<AnalyticsCollection, number>;
  const progress = () => post({ type: 'progress', loaded: { ...loaded }, ready });

  function handle(raw: unknown): void {
    const parsed = ToWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null && Number.isInteger((raw as { id?: unknown }).id) ? ((raw as { id: number }).id) : null;
      post({ type: 'error', id: id !== null && id >= 0 ? id : null, code: 'INVALID_MESSAGE', message: parsed.error.message.slice(0, 2000) });
      return;
    }
    const message = parsed.data;
    if (message.type === 'init') {
      aggregator = createAggregator(message.settings);
      ready = false;
      for (const c of ANALYTICS_COLLECTIONS) loaded[c] = 0;
      progress();
      return;
    }
    if (!aggregator) {
      post({ type: 'error', id: 'id' in message ? message.id : null, code: 'NOT_READY', message: 'init first' });
      return;
    }
    try {
      switch (message.type) {
        case 'settings':
          aggregator.setSettings(message.settings);
          post({ type: 'changed', version: ++version });
          return;
        case 'load':
          loaded[message.collection] += load(aggregator, message);
          progress();
          return;
        case 'loaded':
          ready = true;
          progress();
          post({ type: 'changed', version: ++version });
          return;
        case 'changes':
          aggregator.apply(message.changes as unknown as AnalyticsChange[]);
          post({ type: 'changed', version: ++version });
          return;
        case 'group':
          aggregator.setMembers(message.group, message.members);
          return;
        case 'snapshot':
          post({ type: 'snapshot', id: message.id, snapshot: aggregator.snapshot(message.query) });
          return;
        case 'members':
          post({ type: 'members', id: message.id, rows: aggregator.members(message.query, message.list, message.offset, message.limit) });
          return;
      }
    } catch (error) {
      const id = 'id' in message ? message.id : null;
      if (error instanceof QueryError) post({ type: 'error', id, code: 'BAD_QUERY', message: error.message });
      else post({ type: 'error', id, code: 'INTERNAL', message: error instanceof Error ? error.message.slice(0, 2000) : String(error) });
    }
  }

  return { handle };
}
