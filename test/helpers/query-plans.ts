import type { RxCollection, RxQueryPlan } from 'rxdb';

/**
 * Records the plan of every query `collection`'s storage runs from now on (until `stop`): which index it
 * reads and whether that index alone gives the sort — a page whose sort it does not give reads and sorts the
 * whole collection.
 */
export function recordQueryPlans(collection: RxCollection): { plans: RxQueryPlan[]; stop(): void } {
  const instance = collection.storageInstance;
  const query = instance.query;
  const plans: RxQueryPlan[] = [];
  instance.query = (prepared) => {
    plans.push(prepared.queryPlan);
    return query.call(instance, prepared);
  };
  return { plans, stop: () => (instance.query = query) };
}
