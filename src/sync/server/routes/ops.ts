import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import { HttpError, databaseFailure } from '../http-errors.ts';
import type { Metrics } from '../metrics.ts';
import { ROUTES } from '../../model/routes.ts';

/**
 * Liveness, readiness and Prometheus metrics. Ready means "writes would succeed now": the database answers,
 * its disk has room, no merchant's clock is held past the lock timeout, no damaged page was met.
 */
export function opsRoutes(app: FastifyInstance, deps: { db: Database; metrics: Metrics }) {
  app.get(ROUTES.health.path, async () => ({ status: 'ok' }));
  app.get(ROUTES.ready.path, async () => {
    try {
      await (deps.db.checkReady ? deps.db.checkReady() : deps.db.query('SELECT 1'));
    } catch (error) {
      throw new HttpError(503, databaseFailure(error)?.[1] ?? 'DATABASE_UNAVAILABLE');
    }
    return { status: 'ready', database: deps.db.kind };
  });
  app.get(ROUTES.metrics.path, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
