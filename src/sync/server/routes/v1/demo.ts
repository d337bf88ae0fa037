import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { HttpError } from '../../http-errors.ts';
import { createEnrolmentCode } from '../../repositories/admin.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * One-click enrolment for the demo that `npm start` sets up: a fresh one-time code for the demo store,
 * handed out only to a browser on this very machine (loopback), never over the network.
 */
export function demoRoutes(app: FastifyInstance, deps: { db: Database; demo: { merchantId: string; storeId: string } | undefined }) {
  app.get('/v1/demo', async (request) => ({ available: deps.demo !== undefined && LOOPBACK.has(request.ip) }));
  app.post('/v1/demo/enrolment-code', async (request) => {
    if (!deps.demo || !LOOPBACK.has(request.ip)) throw new HttpError(403, 'FORBIDDEN');
    const { code, expiresAt } = await createEnrolmentCode(deps.db, deps.demo.merchantId, deps.demo.storeId, 10, 'demo:loopback');
    return { code, expiresAt: expiresAt.toISOString() };
  });
}
