import { ROUTES } from '../../../model/routes.ts';
import { actingManager, managesStore } from '../../auth/acting-manager.ts';
import { requireTerminal, terminalOf } from '../../auth/plugin.ts';
import type { TokenSigner } from '../../auth/tokens.ts';
import type { Database } from '../../db/database.ts';
import { HttpError } from '../../http-errors.ts';
import { createEnrolmentCode, listTerminals, revokeTerminal } from '../../repositories/admin.ts';
import { routeSchema, type ZodApp } from '../route-schema.ts';

/** How long a code made on the Devices page lasts: long enough to walk to the new tablet, short if it leaks. */
export const DEVICE_CODE_TTL_MINUTES = 30;

/** As many network addresses as DeviceCodeSchema takes (a server has a handful of interfaces). */
const MAX_NETWORK_URLS = 8;

/**
 * The Devices page of a manager: the merchant's devices, revoking one, and a one-time code that enrols a new
 * one. The same repository functions as `patron-sync terminal list|revoke` and `enrol-code`.
 */
export function deviceRoutes(app: ZodApp, deps: { db: Database; signer: TokenSigner; networkUrls: () => readonly string[] }) {
  const auth = requireTerminal(deps.db, deps.signer);
  const actor = (staffId: string, terminalId: string) => `staff:${staffId}@terminal:${terminalId}`;

  app.route({
    method: ROUTES.devices.method,
    url: ROUTES.devices.path,
    schema: routeSchema(ROUTES.devices),
    preValidation: auth,
    handler: async (request) => {
      await actingManager(deps.db, request);
      const { merchantId, terminalId } = terminalOf(request);
      const rows = await listTerminals(deps.db, merchantId);
      return {
        devices: rows.map((t) => ({
          terminalId: t.terminalId, number: t.number, name: t.name, storeId: t.storeId, storeName: t.storeName,
          enrolledAt: t.createdAt, lastSeenAt: t.lastSeenAt, revokedAt: t.revokedAt, current: t.terminalId === terminalId,
        })),
      };
    },
  });

  app.route({
    method: ROUTES.revokeDevice.method,
    url: ROUTES.revokeDevice.path,
    schema: routeSchema(ROUTES.revokeDevice),
    preValidation: auth,
    handler: async (request) => {
      const manager = await actingManager(deps.db, request);
      const { merchantId, terminalId } = terminalOf(request);
      const target = request.params.terminalId;
      // A device revoking itself would lock the manager out mid-action with no device left to undo it.
      if (target === terminalId) throw new HttpError(409, 'REVOKE_SELF');
      const { rows } = await deps.db.query<{ store_id: string }>(`SELECT store_id FROM terminals WHERE merchant_id = $1 AND terminal_id = $2`, [merchantId, target]);
      const storeId = rows[0]?.store_id;
      if (storeId === undefined) throw new HttpError(404, 'NOT_FOUND');
      if (!managesStore(manager, storeId)) throw new HttpError(403, 'FORBIDDEN');
      await revokeTerminal(deps.db, target, actor(manager.id, terminalId));
      const revoked = (await listTerminals(deps.db, merchantId)).find((t) => t.terminalId === target);
      return { terminalId: target, revokedAt: revoked?.revokedAt ?? new Date().toISOString() };
    },
  });

  app.route({
    method: ROUTES.deviceCode.method,
    url: ROUTES.deviceCode.path,
    schema: routeSchema(ROUTES.deviceCode),
    preValidation: auth,
    handler: async (request) => {
      const manager = await actingManager(deps.db, request);
      const { merchantId, terminalId } = terminalOf(request);
      const { storeId } = request.body;
      const { rows } = await deps.db.query(`SELECT 1 FROM stores WHERE merchant_id = $1 AND store_id = $2`, [merchantId, storeId]);
      if (rows.length === 0) throw new HttpError(404, 'NOT_FOUND');
      if (!managesStore(manager, storeId)) throw new HttpError(403, 'FORBIDDEN');
      const { code, expiresAt } = await createEnrolmentCode(deps.db, merchantId, storeId, DEVICE_CODE_TTL_MINUTES, actor(manager.id, terminalId));
      return { code, storeId, expiresAt: expiresAt.toISOString(), networkUrls: [...deps.networkUrls()].slice(0, MAX_NETWORK_URLS) };
    },
  });
}
