import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_HEADER } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { addStaff, createStore } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { enrolTerminal, protocolHeaders, SEED_PINS, seedMerchant, signedSession, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { signSession, unsealStaffKey, type StaffKey } from '../../../src/sync/model/staff-proof.ts';

// The manager routes of the Devices page: who may list, revoke and make enrolment codes (docs/security.md).

describe('device routes for managers', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let shop: SeededMerchant;
  let other: SeededMerchant;
  let till: TestTerminal;
  let tablet: TestTerminal;
  let foreign: TestTerminal;

  const as = (terminal: TestTerminal, staffId: string | undefined) => ({
    get: (url: string) => terminal.request('GET', url, undefined, staffId ? { [STAFF_HEADER]: staffId } : {}),
    post: (url: string, body?: unknown) => terminal.request('POST', url, body, staffId ? { [STAFF_HEADER]: staffId } : {}),
  });
  const code = (response: { json(): unknown }) => (response.json() as { error: { code: string } }).error.code;

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    app = await testApp(tdb.db, { networkUrls: () => ['http://192.168.1.20:8787'] });
    shop = await seedMerchant(tdb.db, 'Café Sol');
    other = await seedMerchant(tdb.db, 'Café Luna');
    till = await enrolTerminal(app, tdb.db, shop, 'Front till');
    tablet = await enrolTerminal(app, tdb.db, shop, 'Tablet');
    foreign = await enrolTerminal(app, tdb.db, other, 'Luna till');
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it('lists the merchant’s devices to a manager only', async () => {
    const listed = await as(till, shop.manager.id).get('/v1/devices');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      devices: [
        { terminalId: till.terminalId, number: 1, name: 'Front till', storeId: shop.storeId, storeName: 'Main', enrolledAt: expect.any(String), lastSeenAt: expect.anything(), revokedAt: null, current: true },
        { terminalId: tablet.terminalId, number: 2, name: 'Tablet', storeId: shop.storeId, storeName: 'Main', enrolledAt: expect.any(String), lastSeenAt: expect.anything(), revokedAt: null, current: false },
      ],
    });
    const cashier = await as(till, shop.cashier.id).get('/v1/devices');
    expect([cashier.statusCode, code(cashier)]).toEqual([403, 'FORBIDDEN']);
    const nobody = await as(till, undefined).get('/v1/devices');
    expect([nobody.statusCode, code(nobody)]).toEqual([403, 'NOT_SIGNED_IN']);
    // Another merchant's manager, named on this merchant's terminal: not a member here.
    const stranger = await as(till, other.manager.id).get('/v1/devices');
    expect(stranger.statusCode).toBe(403);
    const unauthenticated = await app.inject({ method: 'GET', url: '/v1/devices', headers: { ...protocolHeaders, [STAFF_HEADER]: shop.manager.id } });
    expect(unauthenticated.statusCode).toBe(401);
    // The manager's name without their PIN: no signed session on this terminal, or only a closed one.
    const bare = await enrolTerminal(app, tdb.db, shop, 'Bare till', { signIn: false });
    const claimed = await as(bare, shop.manager.id).get('/v1/devices');
    expect([claimed.statusCode, code(claimed)]).toEqual([403, 'NOT_SIGNED_IN']);
    const signed = await signedSession(bare, shop.manager, SEED_PINS.manager);
    expect((await bare.request('POST', '/v1/staff-sessions', signed)).statusCode).toBe(200);
    expect((await as(bare, shop.manager.id).get('/v1/devices')).statusCode).toBe(200);
    const key = (await unsealStaffKey(((await bare.request('GET', '/v1/staff-keys')).json() as { keys: StaffKey[] }).keys.find((k) => k.staffId === shop.manager.id)!, SEED_PINS.manager))!;
    const signedOut = await signSession(key, { ...signed.session, endsAt: new Date(Date.parse(signed.session.startsAt) + 60_000).toISOString() });
    expect((await bare.request('POST', '/v1/staff-sessions', signedOut)).statusCode).toBe(200);
    const closed = await as(bare, shop.manager.id).get('/v1/devices');
    expect([closed.statusCode, code(closed)]).toEqual([403, 'NOT_SIGNED_IN']);
  });

  it('makes a one-time code for a store of the merchant that enrols a device', async () => {
    const made = await as(till, shop.manager.id).post('/v1/devices/enrolment-code', { storeId: shop.storeId });
    expect(made.statusCode).toBe(200);
    const { code: oneTime, expiresAt, storeId, networkUrls } = made.json() as { code: string; expiresAt: string; storeId: string; networkUrls: string[] };
    expect(storeId).toBe(shop.storeId);
    expect(networkUrls).toEqual(['http://192.168.1.20:8787']);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const enrol = await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code: oneTime, deviceName: 'New tablet' } });
    expect(enrol.statusCode).toBe(200);

    expect((await as(till, shop.cashier.id).post('/v1/devices/enrolment-code', { storeId: shop.storeId })).statusCode).toBe(403);
    const foreignStore = await as(till, shop.manager.id).post('/v1/devices/enrolment-code', { storeId: other.storeId });
    expect([foreignStore.statusCode, code(foreignStore)]).toEqual([404, 'NOT_FOUND']);
    // A manager limited to one store makes codes for that store only.
    const north = await createStore(tdb.db, shop.merchantId, { name: 'North' }, 'test');
    const northManager = await addStaff(tdb.db, shop.merchantId, { name: 'Nima', role: 'manager', pin: '555555', storeIds: [north] }, 'test');
    expect((await as(till, northManager.id).get('/v1/devices')).statusCode).toBe(403);
  });

  it('revokes another device of the merchant at once, never itself nor another merchant’s', async () => {
    const self = await as(till, shop.manager.id).post(`/v1/devices/${till.terminalId}/revoke`);
    expect([self.statusCode, code(self)]).toEqual([409, 'REVOKE_SELF']);
    const theirs = await as(till, shop.manager.id).post(`/v1/devices/${foreign.terminalId}/revoke`);
    expect([theirs.statusCode, code(theirs)]).toEqual([404, 'NOT_FOUND']);
    expect((await foreign.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
    expect((await as(till, shop.cashier.id).post(`/v1/devices/${tablet.terminalId}/revoke`)).statusCode).toBe(403);
    expect((await tablet.request('GET', '/v1/pull/customers')).statusCode).toBe(200);

    const revoked = await as(till, shop.manager.id).post(`/v1/devices/${tablet.terminalId}/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toEqual({ terminalId: tablet.terminalId, revokedAt: expect.any(String) });
    const after = await tablet.request('GET', '/v1/pull/customers');
    expect([after.statusCode, code(after)]).toEqual([401, 'TERMINAL_REVOKED']);
    const { rows } = await tdb.db.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE action = 'terminal.revoke'`);
    expect(rows.map((r) => r.actor)).toEqual([`staff:${shop.manager.id}@terminal:${till.terminalId}`]);
  });
});
