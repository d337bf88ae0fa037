import type { ErrorCode } from '../model/errors.ts';

/** Why a sync request failed, in terms the status and the UI act on. */
export type SyncFailure = 'offline' | 'update-needed' | 'revoked' | 'not-enrolled' | 'server';

/** A failed sync request. RxDB retries failed handlers, except where the status stops replication. */
export class SyncError extends Error {
  constructor(
    readonly failure: SyncFailure,
    readonly code: ErrorCode | 'NETWORK' | 'NOT_ENROLLED',
    readonly status?: number,
    /** The error body's details, when the server sent some (e.g. a 410's `reason`). */
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(`${failure}: ${code}`);
    this.name = 'SyncError';
  }
}
