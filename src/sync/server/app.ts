import { existsSync } from 'node:fs';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { API_PREFIX, ROUTES } from '../model/routes.ts';
import { MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../model/wire-protocol.ts';
import { createTokenSigner, randomSecret, type TokenSigner } from './auth/tokens.ts';
import type { Database } from './db/database.ts';
import { refuseWhileClosing } from './closing.ts';
import { HttpError, handleError } from './http-errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createPokeHub, type PokeHub } from './pokes.ts';
import { auditRoutes } from './routes/v1/audit.ts';
import { authRoutes } from './routes/v1/auth.ts';
import { deviceRoutes } from './routes/v1/devices.ts';
import { demoRoutes } from './routes/v1/demo.ts';
import { opsRoutes } from './routes/ops.ts';
import { streamRoutes } from './routes/v1/stream.ts';
import { syncRoutes } from './routes/v1/sync.ts';
import { staffRoutes } from './routes/v1/staff.ts';

/**
 * The poke stream's keep-alive interval: short, because clients take a silence of this plus a margin as a dead
 * connection (offline noticed within about two seconds); a comment of a few bytes a second per terminal.
 */
export const DEFAULT_KEEP_ALIVE_MS = 1_000;

export interface AppOptions {
  db: Database;
  /** Fastify logger options; pino with redaction by default. Tests pass a stream to read the output. */
  logger?: FastifyServerOptions['logger'];
  /** Access-token lifetime. */
  tokenTtlSeconds?: number;
  /** Requests per window per terminal (or per address when unauthenticated); false turns limiting off. */
  rateLimit?: { max: number; timeWindow: number; authMax: number } | false;
  /** Interval of the poke stream's keep-alive comments (default DEFAULT_KEEP_ALIVE_MS). */
  keepAliveMs?: number;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Folder of the built web app to serve at `/` (the counter app for tablets and browsers). */
  webRoot?: string;
  /**
   * Skips the per-merchant clock row lock. Exists only so the test suites can prove they catch a broken
   * server (docs/reliability.md#broken-server: "a test that cannot fail proves nothing"); never set it anywhere else.
   */
  brokenClockForTests?: boolean;
  /**
   * Which proxies in front may set X-Forwarded-For (Fastify's `trustProxy`): false (default: the peer is the
   * client), true, a hop count, or addresses/CIDRs. Per-address limits count the address this yields.
   */
  trustProxy?: boolean | number | string[];
  /** The demo merchant `npm start` created: enables one-click enrolment from this machine's browser. */
  demo?: { merchantId: string; storeId: string };
  /** The server's addresses on the local network, once listening (main.ts): offered to new devices by the Devices page. */
  networkUrls?: () => readonly string[];
}

/** The server's parts that tests and entry points reach besides the HTTP surface. */
export interface PatronApp extends FastifyInstance {
  patron: { metrics: Metrics; hub: PokeHub; signer: TokenSigner };
}

/** Operations endpoints: never rate-limited (and never versioned). */
const OPS_PATHS = new Set<string>([ROUTES.health.path, ROUTES.ready.path, ROUTES.metrics.path]);

/** Redacted log paths: tokens and credentials never reach the log (and bodies are never logged). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', '*.credential', '*.accessToken', '*.pin'];

/**
 * A request as logged: the path without its query string (a token or a code a client put there never reaches
 * the log), the method and the peer. Headers are never logged (and Authorization is redacted besides).
 */
function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: request.url.split('?', 1)[0], remoteAddress: request.ip };
}

/** Builds the sync server (fastify/demo's `buildApp` shape): plugins, then hooks, then routes. */
export async function buildApp(options: AppOptions): Promise<PatronApp> {
  const app = Fastify({
    logger: options.logger === false ? false : { level: 'info', redact: REDACT, serializers: { req: requestForLog }, ...(typeof options.logger === 'object' ? options.logger : {}) },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Keep-alive sockets must not hold up a graceful shutdown.
    forceCloseConnections: 'idle',
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
    // closing.ts answers requests that arrive while draining, in the documented error format.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  // Routes declare their request and response schemas from the model (routes/route-schema.ts).
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const metrics = createMetrics();
  const signer = createTokenSigner(await signingKey(options.db), options.tokenTtlSeconds ?? 900);
  const hub = createPokeHub(options.db, { onPoke: () => metrics.pokes.inc() });
  await hub.start();
  const patron = { metrics, hub, signer };
  app.decorate('patron', patron);

  const limits = options.rateLimit ?? { max: 1200, timeWindow: 60_000, authMax: 20 };
  if (limits) {
    await app.register(rateLimit, {
      global: true,
      max: limits.max,
      timeWindow: limits.timeWindow,
      // Terminals are counted by their verified identity, so one till behind a shop's NAT does not starve
      // another; everything else — enrolment and token exchange above all — by address, so a made-up
      // Authorization header never buys a fresh allowance.
      keyGenerator: async (request) => {
        const route = request.routeOptions.url ?? '';
        const header = request.headers.authorization;
        if (route === ROUTES.enrol.path || route === ROUTES.token.path || typeof header !== 'string' || !header.startsWith('Bearer ')) return `ip:${request.ip}`;
        const claims = await signer.verify(header.slice(7).trim());
        return claims ? `terminal:${claims.terminalId}` : `ip:${request.ip}`;
      },
      allowList: (request) => OPS_PATHS.has(request.url),
      errorResponseBuilder: () => new HttpError(429, 'RATE_LIMIT_EXCEEDED'),
    });
  }

  // Fastify reads text/plain bodies as strings by default; every body of this API is JSON, anything else is 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  refuseWhileClosing(app);
  app.setNotFoundHandler((request, reply) => handleError(new HttpError(404, 'NOT_FOUND'), request, reply));

  app.addHook('onRequest', async (request) => {
    (request as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    // The matched route, not the raw URL: routing decodes the path, so `/%761/push` is a /v1 route too.
    if (!(request.routeOptions.url ?? request.url).startsWith(API_PREFIX)) return;
    // An outdated client gets 426 before anything else runs, so it writes nothing and keeps its queue.
    const header = request.headers[PROTOCOL_HEADER];
    const version = typeof header === 'string' && /^\d{1,6}$/.test(header) ? Number(header) : 0;
    if (version < MIN_PROTOCOL_VERSION) {
      throw new HttpError(426, 'PROTOCOL_OUTDATED', { minimum: String(MIN_PROTOCOL_VERSION), current: String(PROTOCOL_VERSION) });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    const started = (request as { startedAt?: bigint }).startedAt;
    if (started !== undefined) metrics.latency.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
  });
  // Streams are hijacked connections: end them before Fastify waits for in-flight requests to finish.
  app.addHook('preClose', async () => hub.closeAll());
  app.addHook('onClose', async () => hub.stop());

  opsRoutes(app, { db: options.db, metrics });
  authRoutes(app, { db: options.db, signer, authRateLimit: limits ? { max: limits.authMax, timeWindow: limits.timeWindow } : false });
  staffRoutes(app, { db: options.db, signer });
  syncRoutes(app, { db: options.db, signer, metrics, brokenClockForTests: options.brokenClockForTests === true, pushLimit: limits ? { max: limits.max, timeWindow: limits.timeWindow } : false });
  auditRoutes(app, { db: options.db, signer });
  demoRoutes(app, { db: options.db, demo: options.demo });
  deviceRoutes(app, { db: options.db, signer, networkUrls: options.networkUrls ?? (() => []) });
  streamRoutes(app, { db: options.db, signer, hub, metrics, keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS });

  if (options.webRoot && existsSync(options.webRoot)) {
    await app.register(fastifyStatic, { root: options.webRoot, prefix: '/', wildcard: false });
  }
  return app as unknown as PatronApp;
}

// The access-token key lives in the database so every instance behind a load balancer agrees on it.
async function signingKey(db: Database): Promise<Uint8Array> {
  await db.query(`INSERT INTO server_secrets (name, value) VALUES ('jwt', $1) ON CONFLICT (name) DO NOTHING`, [randomSecret(32)]);
  const { rows } = await db.query<{ value: string }>(`SELECT value FROM server_secrets WHERE name = 'jwt'`);
  const value = rows[0]?.value;
  if (!value) throw new Error('no signing key');
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

/** Trusts the `hops` nearest proxies (as Express's numeric trust proxy). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Parses a `--trust-proxy` / PATRON_TRUST_PROXY value: true, false, a hop count, or comma-separated addresses/CIDRs. */
export function parseTrustProxy(text: string): boolean | number | string[] {
  const value = text.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const list = value.split(',').map((part) => part.trim()).filter(Boolean);
  if (list.length === 0 || list.some((part) => !/^[0-9a-fA-F.:]+(?:\/\d{1,3})?$/.test(part))) throw new Error(`not a trust-proxy value: ${text}`);
  return list;
}
