import type { ReplicaStream } from '../../../sync/client/queries/replica-stream.ts';
import { ERASED_STATUS } from '../../../sync/model/privacy.ts';
import type { AnalyticsStateStore } from './persisted-state.ts';

/**
 * Drops the dashboard's persisted input (which holds customers' names and phones as the replica had them) as
 * soon as an erasure reaches this replica, made here or pulled from another terminal, so the device keeps no
 * copy of the erased person's data (docs/privacy.md). The next opening of the dashboard is cold. Returns the
 * unsubscribe.
 */
export function forgetAnalyticsOnErasure(replica: ReplicaStream, store: AnalyticsStateStore): () => void {
  const subscription = replica.changes$('customers').subscribe((docs) => {
    if (docs.some((doc) => doc.status === ERASED_STATUS)) void store.forget(replica.name);
  });
  return () => subscription.unsubscribe();
}
