import type { z } from 'zod';
import { ERRORS, type ErrorCode } from '../model/errors.ts';
import { ROUTES, routePath } from '../model/routes.ts';
import {
  type AuditPage,
  ErrorBodySchema,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  type CollectionName,
  type PullResponse,
  type PushResponse,
  type StaffKeysResponse,
  type SyncTotals,
  type TerminalInfo,
  type DeviceCode,
  type DeviceList,
  STAFF_HEADER,
} from '../model/wire-protocol.ts';
import type { SignedStaffSession } from '../model/staff-proof.ts';
import type { TokenSource } from './auth.ts';
import { SyncError } from './errors.ts';
import type { StatusStore } from './status.ts';

/** The sync server's replication endpoints, as the client calls them. */
export interface SyncApi {
  pull(collection: CollectionName, checkpoint: string | undefined, limit: number): Promise<PullResponse>;
  push(collection: CollectionName, rows: readonly unknown[]): Promise<PushResponse>;
}

/** The feed's totals, which a fresh terminal measures its initial sync against (replication never needs them). */
export interface TotalsApi {
  totals(): Promise<SyncTotals>;
}

/** The terminal's number within its merchant (member codes). */
export interface TerminalInfoApi {
  terminalInfo(): Promise<TerminalInfo>;
}

/** The staff proof's routes: the members' sealed keys, and recording a signed session (client/staff-proof.ts). */
export interface StaffProofApi {
  staffKeys(): Promise<StaffKeysResponse>;
  recordStaffSession(signed: SignedStaffSession): Promise<void>;
}

/** A manager's calls of the Devices page; `staffId` is the member acting (the server checks their role). */
export interface DevicesApi {
  devices(staffId: string): Promise<DeviceList>;
  revokeDevice(staffId: string, terminalId: string): Promise<{ terminalId: string; revokedAt: string }>;
  deviceCode(staffId: string, storeId: string): Promise<DeviceCode>;
}

/** A customer's audit trail, which only the server holds (docs/security.md#audit-trail). */
export interface AuditApi {
  audit(customerId: string, before: string | null): Promise<AuditPage>;
}

/** The audit trail as the server serves it: to a manager or owner signed in on this terminal. */
export interface ManagerAuditApi {
  auditAs(staffId: string, customerId: string, before: string | null): Promise<AuditPage>;
}

/** Whether the server answers right now (a redemption above the offline cap asks before it counts as online). */
export interface PingApi {
  ping(): Promise<boolean>;
}

/** Longest wait for a ping: a cashier is waiting on it. */
const PING_TIMEOUT_MS = 2_000;

/**
 * Pull and push over fetch with the access token, refreshing it once on a 401. 426 and revocation set the
 * status (replication then stops); network failures and 5xx throw so RxDB retries later — the local
 * queue stays untouched either way.
 */
export function createSyncApi(options: { serverUrl: string; tokens: TokenSource; status: StatusStore & { now: () => string }; fetch?: typeof fetch }): SyncApi & TotalsApi & PingApi & TerminalInfoApi & StaffProofApi & DevicesApi & ManagerAuditApi {
  const doFetch = options.fetch ?? fetch;

  async function call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, schema: S, extraHeaders: Record<string, string> = {}): Promise<z.infer<S>> {
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = await options.tokens.get();
      } catch (error) {
        throw report(error);
      }
      let response: Response;
      try {
        response = await doFetch(`${options.serverUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...extraHeaders,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          // A connection accepted and then dropped would otherwise hang this terminal's sync for good.
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch {
        throw report(new SyncError('offline', 'NETWORK'));
      }
      if (response.ok) {
        const parsed = schema.parse(await response.json());
        options.status.update({ connection: 'online', lastError: null });
        return parsed;
      }
      const { code, details } = await readError(response);
      if (response.status === 401 && code !== 'TERMINAL_REVOKED' && attempt === 0) {
        options.tokens.invalidate();
        continue;
      }
      if (response.status === 426) throw report(new SyncError('update-needed', 'PROTOCOL_OUTDATED', 426));
      if (response.status === 401) throw report(new SyncError('revoked', code === 'TERMINAL_REVOKED' ? 'TERMINAL_REVOKED' : 'UNAUTHORIZED', 401));
      if (response.status === 503) throw report(new SyncError('offline', 'DATABASE_UNAVAILABLE', 503));
      throw report(new SyncError('server', code ?? 'INTERNAL', response.status, details));
    }
  }

  function report(error: unknown): unknown {
    if (error instanceof SyncError) options.status.update({ connection: error.failure === 'server' ? 'online' : error.failure, lastError: error.code });
    return error;
  }

  return {
    pull(collection, checkpoint, limit) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (checkpoint !== undefined) query.set('checkpoint', checkpoint);
      return call(ROUTES.pull.method, `${routePath(ROUTES.pull, { collection })}?${query}`, undefined, ROUTES.pull.response);
    },
    push(collection, rows) {
      return call(ROUTES.push.method, routePath(ROUTES.push, { collection }), { rows }, ROUTES.push.response);
    },
    totals() {
      return call(ROUTES.totals.method, ROUTES.totals.path, undefined, ROUTES.totals.response);
    },
    terminalInfo() {
      return call(ROUTES.terminal.method, ROUTES.terminal.path, undefined, ROUTES.terminal.response);
    },
    staffKeys() {
      return call(ROUTES.staffKeys.method, ROUTES.staffKeys.path, undefined, ROUTES.staffKeys.response);
    },
    async recordStaffSession(signed) {
      await call(ROUTES.staffSessions.method, ROUTES.staffSessions.path, signed, ROUTES.staffSessions.response);
    },
    devices(staffId) {
      return call(ROUTES.devices.method, ROUTES.devices.path, undefined, ROUTES.devices.response, { [STAFF_HEADER]: staffId });
    },
    revokeDevice(staffId, terminalId) {
      return call(ROUTES.revokeDevice.method, routePath(ROUTES.revokeDevice, { terminalId }), undefined, ROUTES.revokeDevice.response, { [STAFF_HEADER]: staffId });
    },
    deviceCode(staffId, storeId) {
      return call(ROUTES.deviceCode.method, ROUTES.deviceCode.path, { storeId }, ROUTES.deviceCode.response, { [STAFF_HEADER]: staffId });
    },
    auditAs(staffId, customerId, before) {
      const query = new URLSearchParams({ customerId });
      if (before !== null) query.set('before', before);
      return call(ROUTES.audit.method, `${ROUTES.audit.path}?${query}`, undefined, ROUTES.audit.response, { [STAFF_HEADER]: staffId });
    },
    async ping() {
      try {
        const response = await doFetch(`${options.serverUrl}${ROUTES.health.path}`, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
        if (response.ok) return true;
      } catch {
        // No answer in time: offline, as far as anyone at the counter can tell.
      }
      report(new SyncError('offline', 'NETWORK'));
      return false;
    },
  };
}

/** Longest wait for one sync request (a pull page or a push batch answers in well under a second). */
export const REQUEST_TIMEOUT_MS = 30_000;

async function readError(response: Response): Promise<{ code?: ErrorCode; details?: Record<string, string> }> {
  try {
    const body = ErrorBodySchema.safeParse(await response.json());
    if (!body.success) return {};
    const { code, details } = body.data.error;
    return { ...(code in ERRORS ? { code: code as ErrorCode } : {}), ...(details ? { details } : {}) };
  } catch {
    return {};
  }
}
