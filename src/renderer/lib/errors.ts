import { SyncError } from '../../sync/client/errors.ts';
import { isPatronError } from '../../sync/model/errors.ts';

// Errors reach the cashier as a code translated in the UI language (common:errors.<CODE>), never as an
// English exception message.

/** Codes that have a translated message in common:errors (ErrorCode plus the client's own). */
export type UiErrorCode = string;

/** The machine-readable code of any error the app can meet. */
export function errorCode(error: unknown): UiErrorCode {
  if (error instanceof SyncError) return error.code;
  if (isPatronError(error)) return error.code;
  if (typeof error === 'object' && error !== null) {
    const named = error as { name?: unknown; code?: unknown };
    // zod 4 throws ZodError (name 'ZodError') for a document that breaks the contract.
    if (named.name === 'ZodError') return 'VALIDATION_FAILED';
    // A browser fetch that never reached the server.
    if (named.name === 'TypeError') return 'NETWORK';
  }
  return 'unknown';
}

/** The i18n key of an error's message (common namespace). */
export function errorKey(error: unknown): string {
  return `common:errors.${errorCode(error)}`;
}
