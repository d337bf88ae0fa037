import type { FastifyRequest } from 'fastify';
import { MAX_PULL_LIMIT, type CollectionName, type PushResponse } from '../../../model/wire-protocol.ts';
import { ROUTES } from '../../../model/routes.ts';
import { requireTerminal, terminalOf } from '../../auth/plugin.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database, Queryable } from '../../db/database.ts';
import type { Metrics } from '../../metrics.ts';
import { hitSharedLimits } from '../../limits.ts';
import { notifyPoke } from '../../pokes.ts';
import { pullPage } from '../../sync/pull.ts';
import { pushIsolatingFailures } from '../../sync/isolate.ts';
import { applyPush } from '../../sync/push.ts';
import { feedTotals } from '../../sync/totals.ts';
import { plainIntegers, routeSchema, type ZodApp } from '../route-schema.ts';
import { terminalNumber } from '../../repositories/terminals.ts';
import { HttpError } from '../../http-errors.ts';

/** A merchant's pushes per window, as a multiple of one terminal's (a shop has a handful of tills). */
const MERCHANT_PUSH_FACTOR = 20;

/**
 * Checkpointed pull and transactional push for every collection (docs/architecture.md#sync-protocol), and the feed's totals. The
 * token is checked before validation (preValidation), so a caller without one learns nothing of the schemas.
 */
export function syncRoutes(app: ZodApp, deps: { db: Database; signer: TokenSigner; metrics: Metrics; brokenClockForTests: boolean; pushLimit: { max: number; timeWindow: number } | false }) {
  const auth = requireTerminal(deps.db, deps.signer);
  const { pushLimit } = deps;
  // Pushes are also counted in the shared table, per terminal and per merchant, so the limit holds across
  // instances (the in-memory per-terminal limit of app.ts is per instance).
  const sharedPushLimit = async (request: FastifyRequest) => {
    if (!pushLimit) return;
    const { terminalId, merchantId } = terminalOf(request);
    const keys = [{ key: `push:terminal:${terminalId}`, max: pushLimit.max }, { key: `push:merchant:${merchantId}`, max: pushLimit.max * MERCHANT_PUSH_FACTOR }];
    await hitSharedLimits(deps.db, keys, pushLimit.timeWindow, request);
  };

  app.route({
    method: ROUTES.pull.method,
    url: ROUTES.pull.path,
    schema: routeSchema(ROUTES.pull),
    preValidation: [auth, plainIntegers(['limit'])],
    handler: async (request) => {
      const { collection } = request.params;
      const limit = Math.min(request.query.limit ?? MAX_PULL_LIMIT, MAX_PULL_LIMIT);
      const page = await pullPage(deps.db, terminalOf(request).merchantId, collection, request.query.checkpoint, limit);
      deps.metrics.pullRows.inc({ collection }, page.documents.length);
      return page;
    },
  });

  // How many documents a pull of each collection from the start returns: a fresh terminal's initial sync
  // shows its progress against these. Authenticated and rate-limited like a pull; the merchant is the token's.
  app.route({
    method: ROUTES.totals.method,
    url: ROUTES.totals.path,
    schema: routeSchema(ROUTES.totals),
    preValidation: auth,
    handler: async (request) => feedTotals(deps.db, terminalOf(request).merchantId),
  });

  // The terminal's number, for the member codes it assigns offline (model/member-code.ts).
  app.route({
    method: ROUTES.terminal.method,
    url: ROUTES.terminal.path,
    schema: routeSchema(ROUTES.terminal),
    preValidation: auth,
    handler: async (request) => {
      const { terminalId, merchantId } = terminalOf(request);
      const number = await terminalNumber(deps.db, terminalId, merchantId);
      if (number === null) throw new HttpError(404, 'NOT_FOUND');
      return { terminalNumber: number };
    },
  });

  app.route({
    method: ROUTES.push.method,
    url: ROUTES.push.path,
    schema: routeSchema(ROUTES.push),
    preValidation: auth,
    preHandler: sharedPushLimit,
    handler: async (request) => {
      const { collection } = request.params;
      const { merchantId, terminalId, storeId } = terminalOf(request);
      // One transaction per batch; the answer is sent only after COMMIT (docs/reliability.md#i2). The poke is a
      // NOTIFY inside the same transaction, so Postgres delivers it only if the batch commits.
      const ctx = { merchantId, terminalId, storeId };
      const isolation = {
        db: deps.db,
        ctx,
        collection,
        notify: (tx: Queryable, changed: readonly CollectionName[]) => notifyPoke(tx, merchantId, [...changed]),
        onFailure: (error: unknown) => request.log.error({ err: { type: (error as Error).name, message: (error as Error).message } }, 'a push row failed; retrying its rows alone'),
      };
      const outcome = await pushIsolatingFailures(isolation, request.body.rows, async (tx, rows) => {
        const result = await applyPush(tx, ctx, collection, rows, { brokenClockForTests: deps.brokenClockForTests });
        if (result.changed.size > 0) await notifyPoke(tx, merchantId, [...result.changed]);
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
    },
  });
}
