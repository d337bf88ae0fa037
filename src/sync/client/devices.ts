import type { ErrorCode } from '../model/errors.ts';
import type { Device, DeviceCode } from '../model/wire-protocol.ts';
import type { DevicesApi } from './api.ts';
import { roleAllows } from './commands/command.ts';
import { SyncError } from './errors.ts';
import type { Session } from './session.ts';
import type { StaffProof } from './staff-proof.ts';

// The Devices page's calls: they act on the server, not on the replica (a device list, a revocation, a new
// enrolment code only exist there), so they are request/response calls rather than commands, and they need
// the network. The signed-in member is checked here for the UI's sake and again by the server, which alone
// decides (auth/acting-manager.ts).

/** Why a device call failed: no answer from the server, or the server's (or this terminal's) refusal. */
export type DeviceFailure = 'offline' | ErrorCode;
/** What a device call gives back. */
export type DeviceResult<T> = { ok: true; value: T } | { ok: false; error: DeviceFailure };

/** A one-time code for a new device and the address that enrols a tablet with it (for its QR code). */
export interface NewDeviceCode extends DeviceCode {
  enrolUrl: string;
  /** False when the only address known is this machine's own (localhost): other devices cannot use it. */
  reachable: boolean;
}

/** The manager's device actions of a terminal. */
export interface DeviceActions {
  list(): Promise<DeviceResult<Device[]>>;
  revoke(terminalId: string): Promise<DeviceResult<{ revokedAt: string }>>;
  newCode(storeId: string): Promise<DeviceResult<NewDeviceCode>>;
}

/** Whether a host name is this machine (loopback): an address no other device can use to reach it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The page a fresh tablet opens to enrol with `code`: the app served by the sync server, at the address this
 * terminal uses unless that is localhost and the server named a network address. The code sits in the
 * fragment, which browsers never send to the server (so it stays out of its logs); the enrol page reads it.
 */
export function enrolLink(serverUrl: string, code: string, networkUrls: readonly string[]): { enrolUrl: string; reachable: boolean } {
  const local = isLoopbackHost(new URL(serverUrl).hostname);
  const base = (local ? networkUrls[0] : undefined) ?? serverUrl;
  return { enrolUrl: `${base.replace(/\/+$/, '')}/#/enrol?code=${encodeURIComponent(code)}`, reachable: !isLoopbackHost(new URL(base).hostname) };
}

/** Why a failed request failed, as the page tells it: no answer at all, or the server's code. */
function failureOf(error: SyncError): DeviceFailure {
  if (error.failure === 'offline') return 'offline';
  return error.code === 'NETWORK' || error.code === 'NOT_ENROLLED' ? 'INTERNAL' : error.code;
}

/** The device actions of a terminal, acting as its signed-in member. */
export function createDeviceActions(deps: { api: DevicesApi; session: Pick<Session, 'current'>; serverUrl: string; proof?: Pick<StaffProof, 'flush'> }): DeviceActions {
  async function asManager<T>(run: (staffId: string) => Promise<T>): Promise<DeviceResult<T>> {
    const staff = deps.session.current();
    if (!staff) return { ok: false, error: 'NOT_SIGNED_IN' };
    if (!roleAllows(staff.role, 'manager')) return { ok: false, error: 'FORBIDDEN' };
    try {
      // The server needs the member's signed session (their PIN) before it takes a manager's word.
      await deps.proof?.flush();
      return { ok: true, value: await run(staff.id) };
    } catch (error) {
      if (error instanceof SyncError) return { ok: false, error: failureOf(error) };
      throw error;
    }
  }
  return {
    list: () => asManager(async (staffId) => (await deps.api.devices(staffId)).devices),
    revoke: (terminalId) => asManager(async (staffId) => ({ revokedAt: (await deps.api.revokeDevice(staffId, terminalId)).revokedAt })),
    newCode: (storeId) =>
      asManager(async (staffId) => {
        const made = await deps.api.deviceCode(staffId, storeId);
        return { ...made, ...enrolLink(deps.serverUrl, made.code, made.networkUrls) };
      }),
  };
}
