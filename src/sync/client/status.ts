import { BehaviorSubject, type Observable } from 'rxjs';
import type { CollectionName } from '../model/wire-protocol.ts';
import type { SyncFailure } from './errors.ts';

/** What the UI shows about sync, always. */
export interface SyncStatus {
  /** `online` once a request succeeded; the failure kinds stop or pause replication until resolved. */
  connection: 'connecting' | 'online' | SyncFailure;
  /** Local writes the server has not acknowledged yet. */
  pending: number;
  /** Business time of the last pull that reached the end of the feed. */
  lastSyncAt: string | null;
  /** Code of the last failure, if the last request failed. */
  lastError: string | null;
  /** Documents received since start (initial sync progress). */
  received: number;
  /**
   * Documents the initial sync pulls in all: the server's feed totals, known only for a replica that started
   * empty (progress.ts). Absent otherwise or when the totals could not be fetched — then there is no percentage.
   */
  expected?: number;
  /** Collections whose first sync since start is written locally (the counter can look up once `customers` is). */
  ready: readonly CollectionName[];
  /** Whether every collection has pulled to the end of the feed at least once since start. */
  initialSyncDone: boolean;
  /**
   * Keys `collection:id` of local writes set aside since start: the server failed on each of them alone again
   * and again, so the rest of the queue went on without them (push-split.ts). They stay in the replica.
   */
  setAside?: readonly string[];
}

/** The status store replication writes to and the UI reads. */
export interface StatusStore {
  readonly status$: Observable<SyncStatus>;
  get(): SyncStatus;
  update(patch: Partial<SyncStatus>): void;
}

/** A status store starting from "connecting". */
export function createStatusStore(now: () => string = () => new Date().toISOString(), lastSyncAt: string | null = null): StatusStore & { now: () => string } {
  const subject = new BehaviorSubject<SyncStatus>({
    connection: 'connecting',
    pending: 0,
    lastSyncAt,
    lastError: null,
    received: 0,
    ready: [],
    initialSyncDone: false,
  });
  return {
    now,
    status$: subject.asObservable(),
    get: () => subject.getValue(),
    update(patch) {
      const current = subject.getValue();
      // Once replication has stopped for an update or a revocation, only a restart clears it.
      if ((current.connection === 'update-needed' || current.connection === 'revoked') && patch.connection && patch.connection !== current.connection) {
        const { connection: _ignored, ...rest } = patch;
        patch = rest;
      }
      subject.next({ ...current, ...patch });
    },
  };
}
