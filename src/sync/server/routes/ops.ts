import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.ts';
import { HttpError } from '../http-errors.ts';
import type { Metrics } from '../metrics.ts';

/** Liveness, readiness (the database answers) and Prometheus metrics. */
export function opsRoutes(app: FastifyInstance, deps: { db: Database; metrics: Metrics }) {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async () => {
    try {
      await deps.db.query('SELECT 1');
    } catch {
      throw new HttpError(503, 'DATABASE_UNAVAILABLE');
    }
    return { status: 'ready', database: deps.db.kind };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
