import type { FastifyRequest } from 'fastify';
import { ROUTES } from '../../../model/routes.ts';
import type { Database } from '../../db/database.ts';
import { HttpError } from '../../http-errors.ts';
import { createEnrolmentCode } from '../../repositories/admin.ts';
import { routeSchema, type ZodApp } from '../route-schema.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

// The peer address alone is not enough: a page whose host name was rebound to 127.0.0.1 (DNS rebinding),
// or a reverse proxy on this machine, also arrives from loopback. The browser must also address this
// machine by a local name, and say so in Origin when it sends one.
function fromThisMachine(request: FastifyRequest): boolean {
  // The TCP peer, never a forwarded address: with `trustProxy` set, X-Forwarded-For could claim loopback.
  if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) return false;
  const hostName = (header: string | undefined): string | null => {
    if (!header) return null;
    try {
      return new URL(header.includes('://') ? header : `http://${header}`).hostname;
    } catch {
      return null;
    }
  };
  const host = hostName(request.headers.host);
  if (host === null || !LOCAL_NAMES.has(host)) return false;
  const origin = request.headers.origin;
  return origin === undefined || LOCAL_NAMES.has(hostName(origin) ?? '');
}

/**
 * One-click enrolment for the demo that `npm start` sets up: a fresh one-time code for the demo store,
 * handed out only to a browser on this very machine (loopback), never over the network.
 */
export function demoRoutes(app: ZodApp, deps: { db: Database; demo: { merchantId: string; storeId: string } | undefined }) {
  app.route({
    method: ROUTES.demo.method,
    url: ROUTES.demo.path,
    schema: routeSchema(ROUTES.demo),
    handler: async (request) => ({ available: deps.demo !== undefined && fromThisMachine(request) }),
  });
  app.route({
    method: ROUTES.demoEnrolmentCode.method,
    url: ROUTES.demoEnrolmentCode.path,
    schema: routeSchema(ROUTES.demoEnrolmentCode),
    handler: async (request) => {
      if (!deps.demo || !fromThisMachine(request)) throw new HttpError(403, 'FORBIDDEN');
      const { code, expiresAt } = await createEnrolmentCode(deps.db, deps.demo.merchantId, deps.demo.storeId, 10, 'demo:loopback');
      return { code, expiresAt: expiresAt.toISOString() };
    },
  });
}
