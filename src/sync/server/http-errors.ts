import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type ZodFastifySchemaValidationError } from 'fastify-type-provider-zod';
import type { ErrorCode } from '../model/errors.ts';
import { errorBody } from '../model/wire-protocol.ts';
import { CheckpointTooOldError } from './sync/horizons.ts';
import { isBusy, isConnectionError, isDataCorruption, isDiskFull } from './db/database.ts';

/** An error answer with an HTTP status and a machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly details?: Record<string, string>,
  ) {
    super(code);
    this.name = 'HttpError';
  }
}

/** Maps zod issues of a request envelope to 400 UNKNOWN_FIELD or VALIDATION_FAILED (paths only, no values). */
export function invalidRequest(issues: readonly { code: string; path: readonly PropertyKey[] }[]): HttpError {
  const unknown = issues.some((issue) => issue.code === 'unrecognized_keys');
  const fields = issues.slice(0, 5).map((issue) => issue.path.map(String).join('.') || '(root)').join(', ');
  return new HttpError(400, unknown ? 'UNKNOWN_FIELD' : 'VALIDATION_FAILED', { fields });
}

/**
 * A request part that failed its route's schema: an unknown path parameter (a collection) is NOT_FOUND, an
 * array over its cap in a body (the rows of a push) is PAYLOAD_TOO_LARGE, anything else a 400 as above.
 */
function schemaRefusal(context: string | undefined, failures: readonly ZodFastifySchemaValidationError[]): HttpError {
  if (context === 'params') return new HttpError(404, 'NOT_FOUND');
  const tooLarge = failures.find((f) => f.keyword === 'too_big' && f.params.origin === 'array');
  if (context === 'body' && tooLarge) return new HttpError(413, 'PAYLOAD_TOO_LARGE', { maxRows: String(tooLarge.params.maximum) });
  return invalidRequest(failures.map((f) => ({ code: f.keyword, path: f.instancePath.split('/').slice(1).filter(Boolean) })));
}

const FASTIFY_CODES: Record<string, [number, ErrorCode]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'VALIDATION_FAILED'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'VALIDATION_FAILED'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'VALIDATION_FAILED'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'VALIDATION_FAILED'],
};

/**
 * The database's failures that are not the request's fault, as 503s a client retries: away, busy (a lock
 * or statement timeout), out of disk, or damaged (the operator must restore; /ready says so too).
 */
export function databaseFailure(error: unknown): [503, ErrorCode] | null {
  if (isDiskFull(error)) return [503, 'DISK_FULL'];
  if (isBusy(error)) return [503, 'DATABASE_BUSY'];
  if (isDataCorruption(error)) return [503, 'DATABASE_DAMAGED'];
  if (isConnectionError(error)) return [503, 'DATABASE_UNAVAILABLE'];
  return null;
}

/** The one error handler: every error answer has a code and both messages, never a stack trace. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = 500;
  let code: ErrorCode = 'INTERNAL';
  let details: Record<string, string> | undefined;
  const fastifyCode = (error as FastifyError).code;
  if (hasZodFastifySchemaValidationErrors(error)) {
    ({ status, code, details } = schemaRefusal((error as FastifyError).validationContext, error.validation));
  } else if (error instanceof HttpError) {
    ({ status, code, details } = error);
  } else if (error instanceof CheckpointTooOldError) {
    [status, code, details] = [410, 'CHECKPOINT_TOO_OLD', { collection: error.collection, horizon: error.horizon, reason: error.restored ? 'restored' : 'purged' }];
  } else if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    [status, code] = FASTIFY_CODES[fastifyCode];
  } else if ((error as FastifyError).statusCode === 429) {
    [status, code] = [429, 'RATE_LIMIT_EXCEEDED'];
  } else if (error instanceof SyntaxError || /prototype|constructor/i.test(error.message) && (error as FastifyError).statusCode === 400) {
    // JSON parse errors and __proto__ / constructor poisoning refused by the body parser.
    [status, code] = [400, 'VALIDATION_FAILED'];
  } else if ((error as FastifyError).statusCode === 400) {
    [status, code] = [400, 'VALIDATION_FAILED'];
  } else {
    [status, code] = databaseFailure(error) ?? [status, code];
  }
  if (status === 429 && details?.retryAfter) void reply.header('retry-after', details.retryAfter);
  if (status >= 500) request.log.error({ err: { type: error.name, message: error.message, code: fastifyCode } }, 'request failed');
  return reply.status(status).send(errorBody(code, details, request.id));
}
