import type { FastifyInstance } from 'fastify';
import { EnrolRequestSchema, TokenRequestSchema, type EnrolResponse } from '../../../model/wire-protocol.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { HttpError, invalidRequest } from '../../http-errors.ts';
import { enrolTerminal, rotateCredential } from '../../repositories/terminals.ts';

/** Enrolment and the token exchange: the only unauthenticated writes, rate-limited more tightly. */
export function authRoutes(app: FastifyInstance, deps: { db: Database; signer: TokenSigner; authRateLimit: { max: number; timeWindow: number } | false }) {
  const config: { rateLimit?: { max: number; timeWindow: number } } = deps.authRateLimit ? { rateLimit: deps.authRateLimit } : {};

  app.post('/v1/enrol', { config }, async (request) => {
    const parsed = EnrolRequestSchema.safeParse(request.body);
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const terminal = await enrolTerminal(deps.db, parsed.data.code, parsed.data.deviceName, request.ip);
    if (!terminal) throw new HttpError(401, 'ENROLMENT_CODE_INVALID');
    const body: EnrolResponse = terminal;
    return body;
  });

  app.post('/v1/token', { config }, async (request) => {
    const parsed = TokenRequestSchema.safeParse(request.body);
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const result = await rotateCredential(deps.db, parsed.data.terminalId, parsed.data.credential);
    if (result === 'revoked') throw new HttpError(401, 'TERMINAL_REVOKED');
    if (!result) throw new HttpError(401, 'UNAUTHORIZED');
    const { token, expiresIn } = await deps.signer.sign(result);
    return { accessToken: token, expiresIn, credential: result.credential };
  });
}
