import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CollectionNameSchema,
  MAX_PULL_LIMIT,
  MAX_PUSH_ROWS,
  PullQuerySchema,
  PushRequestSchema,
  type CollectionName,
  type PushResponse,
} from '../../../model/wire-protocol.ts';
import { requireTerminal, terminalOf } from '../../auth/plugin.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { HttpError, invalidRequest } from '../../http-errors.ts';
import type { Metrics } from '../../metrics.ts';
import { POKE_CHANNEL } from '../../pokes.ts';
import { pullPage } from '../../sync/pull.ts';
import { applyPush } from '../../sync/push.ts';
import { feedTotals } from '../../sync/totals.ts';

const ParamsSchema = z.strictObject({ collection: CollectionNameSchema });
/** The totals take no query: a parameter is refused (UNKNOWN_FIELD) as on the other routes, never ignored. */
const TotalsQuerySchema = z.strictObject({});

function collectionOf(params: unknown): CollectionName {
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) throw new HttpError(404, 'NOT_FOUND');
  return parsed.data.collection;
}

/** Checkpointed pull and transactional push for every collection (DESIGN §6), and the feed's totals. */
export function syncRoutes(app: FastifyInstance, deps: { db: Database; signer: TokenSigner; metrics: Metrics; brokenClockForTests: boolean }) {
  const auth = requireTerminal(deps.db, deps.signer);

  app.get('/v1/pull/:collection', { preHandler: auth }, async (request) => {
    const collection = collectionOf(request.params);
    const query = PullQuerySchema.safeParse(request.query);
    if (!query.success) throw invalidRequest(query.error.issues);
    const limit = Math.min(query.data.limit ?? MAX_PULL_LIMIT, MAX_PULL_LIMIT);
    const page = await pullPage(deps.db, terminalOf(request).merchantId, collection, query.data.checkpoint, limit);
    deps.metrics.pullRows.inc({ collection }, page.documents.length);
    return page;
  });

  // How many documents a pull of each collection from the start returns: a fresh terminal's initial sync
  // shows its progress against these. Authenticated and rate-limited like a pull; the merchant is the token's.
  app.get('/v1/sync/totals', { preHandler: auth }, async (request) => {
    const query = TotalsQuerySchema.safeParse(request.query);
    if (!query.success) throw invalidRequest(query.error.issues);
    return feedTotals(deps.db, terminalOf(request).merchantId);
  });

  app.post('/v1/push/:collection', { preHandler: auth }, async (request) => {
    const collection = collectionOf(request.params);
    const rows = (request.body as { rows?: unknown } | null)?.rows;
    if (Array.isArray(rows) && rows.length > MAX_PUSH_ROWS) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', { maxRows: String(MAX_PUSH_ROWS) });
    const body = PushRequestSchema.safeParse(request.body);
    if (!body.success) throw invalidRequest(body.error.issues);
    const { merchantId, terminalId } = terminalOf(request);
    // One transaction per batch; the answer is sent only after COMMIT (RELIABILITY I2). The poke is a
    // NOTIFY inside the same transaction, so Postgres delivers it only if the batch commits.
    const outcome = await deps.db.transaction(async (tx) => {
      const result = await applyPush(tx, { merchantId, terminalId }, collection, body.data.rows, { brokenClockForTests: deps.brokenClockForTests });
      if (result.changed.size > 0) {
        await tx.query(`SELECT pg_notify($1, $2)`, [POKE_CHANNEL, JSON.stringify({ m: merchantId, c: [...result.changed] })]);
      }
      return result;
    });
    const rejected = outcome.rejected.length;
    deps.metrics.pushRows.inc({ collection, result: 'written' }, outcome.written);
    deps.metrics.pushRows.inc({ collection, result: 'conflict' }, outcome.conflicts.length - rejected);
    deps.metrics.pushRows.inc({ collection, result: 'rejected' }, rejected);
    deps.metrics.conflicts.inc({ collection }, outcome.conflicts.length - rejected);
    for (const row of outcome.rejected) deps.metrics.rejections.inc({ collection, code: row.code });
    const answer: PushResponse = { conflicts: outcome.conflicts, rejected: outcome.rejected };
    return answer;
  });
}
