import { describe, expect, it } from 'vitest';
import type { DevicesApi } from '../../../src/sync/client/api.ts';
import { createDeviceActions } from '../../../src/sync/client/devices.ts';
import { SyncError } from '../../../src/sync/client/errors.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';

// The Devices page's calls as the terminal makes them: the acting member goes with every request, and every
// failure comes back as something the page can say (offline apart from the server's refusals).

const member = (role: Staff['role']) => ({ id: '0196a3b2-0000-7000-8000-00000000000a', role }) as Staff;
const refusing = (error: unknown): DevicesApi => ({
  devices: () => Promise.reject(error),
  revokeDevice: () => Promise.reject(error),
  deviceCode: () => Promise.reject(error),
});

describe('device actions of a terminal', () => {
  it('sends the signed-in manager and builds the enrol link from the server’s answer', async () => {
    const seen: string[] = [];
    const api: DevicesApi = {
      ...refusing(new Error('unused')),
      deviceCode: async (staffId, storeId) => {
        seen.push(staffId);
        return { code: 'ABCD-1234', storeId, expiresAt: '2026-01-01T00:00:00.000Z', networkUrls: ['http://10.0.0.5:8787'] };
      },
    };
    const actions = createDeviceActions({ api, session: { current: () => member('manager') }, serverUrl: 'http://127.0.0.1:8787' });
    const made = await actions.newCode('0196a3b2-0000-7000-8000-00000000000b');
    expect(made).toMatchObject({ ok: true, value: { code: 'ABCD-1234', enrolUrl: 'http://10.0.0.5:8787/#/enrol?code=ABCD-1234', reachable: true } });
    expect(seen).toEqual([member('manager').id]);
  });

  it('says offline, relays the server’s refusal, and asks nothing of the server for a cashier or nobody', async () => {
    const offline = createDeviceActions({ api: refusing(new SyncError('offline', 'NETWORK')), session: { current: () => member('owner') }, serverUrl: 'http://shop:8787' });
    expect(await offline.list()).toEqual({ ok: false, error: 'offline' });
    const self = createDeviceActions({ api: refusing(new SyncError('server', 'REVOKE_SELF', 409)), session: { current: () => member('manager') }, serverUrl: 'http://shop:8787' });
    expect(await self.revoke('0196a3b2-0000-7000-8000-00000000000c')).toEqual({ ok: false, error: 'REVOKE_SELF' });
    const never = refusing(new Error('the server must not be asked'));
    expect(await createDeviceActions({ api: never, session: { current: () => member('cashier') }, serverUrl: 'http://shop:8787' }).list()).toEqual({ ok: false, error: 'FORBIDDEN' });
    expect(await createDeviceActions({ api: never, session: { current: () => null }, serverUrl: 'http://shop:8787' }).list()).toEqual({ ok: false, error: 'NOT_SIGNED_IN' });
  });
});
