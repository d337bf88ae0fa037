import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { protocolHeaders, seedMerchant, testApp } from '../../helpers/sync-server.ts';

describe('one-click demo enrolment', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let plain: PatronApp;

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    const seed = await seedMerchant(tdb.db);
    app = await testApp(tdb.db, { demo: { merchantId: seed.merchantId, storeId: seed.storeId } });
    plain = await testApp(tdb.db);
  });
  afterAll(async () => {
    await app?.close();
    await plain?.close();
    await tdb?.drop();
  });

  it('hands a working one-time code to a browser on this machine', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/demo', headers: protocolHeaders })).json()).toEqual({ available: true });
    const response = await app.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers: protocolHeaders, remoteAddress: '127.0.0.1' });
    expect(response.statusCode).toBe(200);
    const { code } = response.json() as { code: string };
    const enrol = await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName: 'demo' } });
    expect(enrol.statusCode).toBe(200);
  });

  it('refuses other machines and servers without a demo', async () => {
    const remote = await app.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers: protocolHeaders, remoteAddress: '192.168.1.20' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().error.code).toBe('FORBIDDEN');
    expect((await app.inject({ method: 'GET', url: '/v1/demo', headers: protocolHeaders, remoteAddress: '192.168.1.20' })).json()).toEqual({ available: false });
    expect((await plain.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers: protocolHeaders })).statusCode).toBe(403);
  });
});
