import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import { HttpError } from '../http-errors.ts';
import { isTerminalActive } from '../repositories/terminals.ts';
import type { AccessClaims, TokenSigner } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified terminal behind this request (set by `requireTerminal`). */
    terminal?: AccessClaims;
  }
}

/**
 * preHandler for pull, push and stream: a valid access token (pinned alg, audience, issuer, type) of a
 * terminal that is not revoked. The merchant comes only from here, never from the request.
 */
export function requireTerminal(db: Database, signer: TokenSigner) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : null;
    const claims = token ? await signer.verify(token) : null;
    if (!claims) throw new HttpError(401, 'UNAUTHORIZED');
    if (!(await isTerminalActive(db, claims.terminalId, claims.merchantId))) throw new HttpError(401, 'TERMINAL_REVOKED');
    request.terminal = claims;
  };
}

/** The verified terminal of a request that passed `requireTerminal`. */
export function terminalOf(request: FastifyRequest): AccessClaims {
  if (!request.terminal) throw new HttpError(401, 'UNAUTHORIZED');
  return request.terminal;
}
