import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-errors.ts';

/**
 * While the app closes, a new request gets 503 SHUTTING_DOWN in the documented error format (Fastify's own
 * drain-time 503, `return503OnClosing`, has another shape). Requests already running finish normally.
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    // Closing the connection after the answer lets the drain end without waiting for keep-alive to expire.
    reply.header('connection', 'close');
    throw new HttpError(503, 'SHUTTING_DOWN');
  });
}
