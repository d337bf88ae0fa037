import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROUTES } from '../../../model/routes.ts';
import { requireTerminal, terminalOf } from '../../auth/plugin.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import type { Metrics } from '../../metrics.ts';
import type { PokeHub, StreamSink } from '../../pokes.ts';
import { routeSchema, type ZodApp } from '../route-schema.ts';

type StreamDeps = { db: Database; signer: TokenSigner; hub: PokeHub; metrics: Metrics; keepAliveMs: number };

/**
 * The poke stream: Server-Sent Events carrying collection names only (never data). Authenticated with the
 * Authorization header (clients use a fetch-based reader; tokens never go in URLs). It closes when the
 * token expires or the terminal is revoked, and sends a comment every `keepAliveMs` so proxies keep it open and the client can tell a live stream from a dead one.
 */
export function streamRoutes(app: ZodApp, deps: StreamDeps) {
  app.route({
    method: ROUTES.stream.method,
    url: ROUTES.stream.path,
    schema: routeSchema(ROUTES.stream),
    preValidation: requireTerminal(deps.db, deps.signer),
    handler: async (request, reply) => openStream(request, reply, deps),
  });
}

function openStream(request: FastifyRequest, reply: FastifyReply, deps: StreamDeps): void {
  const claims = terminalOf(request);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // The interval is announced so the client knows how long a silence means a dead connection (its deadline
  // is this plus a margin: a cut network is noticed within about two seconds).
  raw.write(`retry: 2000\n\nevent: ready\ndata: ${JSON.stringify({ keepAliveMs: deps.keepAliveMs })}\n\n`);
  let closed = false;
  const keepAlive = setInterval(() => raw.write(`: keep-alive\n\n`), deps.keepAliveMs);
  const expiry = setTimeout(() => sink.close(), Math.max(0, claims.exp * 1000 - Date.now()));
  const sink: StreamSink = {
    merchantId: claims.merchantId,
    terminalId: claims.terminalId,
    poke(poke) {
      if (!closed) raw.write(`event: poke\ndata: ${JSON.stringify(poke)}\n\n`);
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      clearTimeout(expiry);
      deps.hub.remove(sink);
      deps.metrics.openStreams.set(deps.hub.count());
      raw.end();
    },
  };
  deps.hub.add(sink);
  deps.metrics.openStreams.set(deps.hub.count());
  raw.on('close', () => sink.close());
}
