import type { FastifyRequest } from 'fastify';
import { ROUTES } from '../../../model/routes.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { HttpError } from '../../http-errors.ts';
import { hitSharedLimits } from '../../limits.ts';
import { enrolTerminal, rotateCredential } from '../../repositories/terminals.ts';
import { routeSchema, type ZodApp } from '../route-schema.ts';

/** Enrolment and the token exchange: the only unauthenticated writes, rate-limited more tightly. */
export function authRoutes(app: ZodApp, deps: { db: Database; signer: TokenSigner; authRateLimit: { max: number; timeWindow: number } | false }) {
  const config: { rateLimit?: { max: number; timeWindow: number } } = deps.authRateLimit ? { rateLimit: deps.authRateLimit } : {};
  const limit = deps.authRateLimit;
  // Shared by every instance (limits.ts): enrolment per address (no terminal exists yet), the token exchange per
  // terminal, so guessing one terminal's credential is slow however many instances or addresses are used.
  const shared = (keyOf: (request: FastifyRequest) => string) => async (request: FastifyRequest) => {
    if (limit) await hitSharedLimits(deps.db, [{ key: keyOf(request), max: limit.max }], limit.timeWindow, request);
  };

  app.route({
    method: ROUTES.enrol.method,
    url: ROUTES.enrol.path,
    schema: routeSchema(ROUTES.enrol),
    config,
    preHandler: shared((request) => `enrol:address:${request.ip}`),
    handler: async (request) => {
      const terminal = await enrolTerminal(deps.db, request.body.code, request.body.deviceName, request.ip);
      if (!terminal) throw new HttpError(401, 'ENROLMENT_CODE_INVALID');
      return terminal;
    },
  });

  app.route({
    method: ROUTES.token.method,
    url: ROUTES.token.path,
    schema: routeSchema(ROUTES.token),
    config,
    preHandler: shared((request) => `token:terminal:${(request.body as { terminalId: string }).terminalId}`),
    handler: async (request) => {
      const result = await rotateCredential(deps.db, request.body.terminalId, request.body.credential, request.body.earlier ?? []);
      if (result === 'revoked') throw new HttpError(401, 'TERMINAL_REVOKED');
      if (!result) throw new HttpError(401, 'UNAUTHORIZED');
      const { token, expiresIn } = await deps.signer.sign(result);
      return { accessToken: token, expiresIn, credential: result.credential };
    },
  });
}
