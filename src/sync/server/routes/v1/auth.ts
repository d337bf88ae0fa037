import { ROUTES } from '../../../model/routes.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { HttpError } from '../../http-errors.ts';
import { enrolTerminal, rotateCredential } from '../../repositories/terminals.ts';
import { routeSchema, type ZodApp } from '../route-schema.ts';

/** Enrolment and the token exchange: the only unauthenticated writes, rate-limited more tightly. */
export function authRoutes(app: ZodApp, deps: { db: Database; signer: TokenSigner; authRateLimit: { max: number; timeWindow: number } | false }) {
  const config: { rateLimit?: { max: number; timeWindow: number } } = deps.authRateLimit ? { rateLimit: deps.authRateLimit } : {};

  app.route({
    method: ROUTES.enrol.method,
    url: ROUTES.enrol.path,
    schema: routeSchema(ROUTES.enrol),
    config,
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
    handler: async (request) => {
      const result = await rotateCredential(deps.db, request.body.terminalId, request.body.credential);
      if (result === 'revoked') throw new HttpError(401, 'TERMINAL_REVOKED');
      if (!result) throw new HttpError(401, 'UNAUTHORIZED');
      const { token, expiresIn } = await deps.signer.sign(result);
      return { accessToken: token, expiresIn, credential: result.credential };
    },
  });
}
