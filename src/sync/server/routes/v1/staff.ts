import { ROUTES } from '../../../model/routes.ts';
import { requireTerminal, terminalOf } from '../../auth/plugin.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { HttpError } from '../../http-errors.ts';
import { merchantStaffKeys, recordStaffSession } from '../../repositories/staff-proof.ts';
import { routeSchema, type ZodApp } from '../route-schema.ts';

const REFUSAL_CODES = { 403: 'FORBIDDEN', 404: 'NOT_FOUND', 422: 'VALIDATION_FAILED' } as const;

/**
 * The staff proof's routes (docs/security.md#staff-proof): terminals fetch the members' sealed keys (so a
 * PIN can unseal one offline) and hand in the sessions they sign, which the server verifies and records.
 */
export function staffRoutes(app: ZodApp, deps: { db: Database; signer: TokenSigner }) {
  const auth = requireTerminal(deps.db, deps.signer);

  app.route({
    method: ROUTES.staffKeys.method,
    url: ROUTES.staffKeys.path,
    schema: routeSchema(ROUTES.staffKeys),
    preValidation: auth,
    handler: async (request) => ({ keys: await merchantStaffKeys(deps.db, terminalOf(request).merchantId) }),
  });

  app.route({
    method: ROUTES.staffSessions.method,
    url: ROUTES.staffSessions.path,
    schema: routeSchema(ROUTES.staffSessions),
    preValidation: auth,
    handler: async (request) => {
      const refusal = await recordStaffSession(deps.db, terminalOf(request), request.body);
      if (refusal) throw new HttpError(refusal.status, REFUSAL_CODES[refusal.status], { reason: refusal.reason });
      return { recorded: true as const };
    },
  });
}
