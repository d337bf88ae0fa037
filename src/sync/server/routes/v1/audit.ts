import { DEFAULT_AUDIT_LIMIT } from '../../../model/wire-protocol.ts';
import { ROUTES } from '../../../model/routes.ts';
import { actingManager } from '../../auth/acting-manager.ts';
import { requireTerminal, terminalOf } from '../../auth/plugin.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { readCustomerAudit } from '../../sync/audit.ts';
import { plainIntegers, routeSchema, type ZodApp } from '../route-schema.ts';

/**
 * `GET /v1/audit`: one customer's audit trail (docs/security.md#audit-trail), newest first, paged by entry id.
 * Only the token's merchant is read — another merchant's customer id simply has no entries here — and only by
 * a manager or owner signed in on the terminal (`x-patron-staff` and their open signed session).
 */
export function auditRoutes(app: ZodApp, deps: { db: Database; signer: TokenSigner }) {
  app.route({
    method: ROUTES.audit.method,
    url: ROUTES.audit.path,
    schema: routeSchema(ROUTES.audit),
    preValidation: [requireTerminal(deps.db, deps.signer), plainIntegers(['limit'])],
    handler: async (request) => {
      // Managers and owners only, proven by their signed session on this terminal (docs/security.md#devices).
      await actingManager(deps.db, request);
      const { customerId, before, limit = DEFAULT_AUDIT_LIMIT } = request.query;
      const entries = await readCustomerAudit(deps.db, terminalOf(request).merchantId, { customerIds: [customerId], ...(before === undefined ? {} : { before }), limit });
      return { entries, before: entries.length === limit ? entries.at(-1)!.id : null };
    },
  });
}
