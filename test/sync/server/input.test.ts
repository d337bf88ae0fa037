import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/sync/model/ids.ts';
import { ERRORS } from '../../../src/sync/model/errors.ts';
import { ErrorBodySchema, MAX_PUSH_ROWS, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase, databaseSnapshot } from '../../helpers/database.ts';
import { aCustomer, insertRow } from '../../helpers/documents.ts';
import { enrolTerminal, protocolHeaders, seedMerchant, testApp, type SeededMerchant, type TestTerminal, startServerFixture, type ServerFixture } from '../../helpers/sync-server.ts';


/** The answer is an error with this status and code, shaped as ErrorBodySchema, without internals. */
function expectError(response: LightMyRequestResponse, status: number, codes: string | string[]): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = ErrorBodySchema.parse(JSON.parse(response.body));
  expect([codes].flat()).toContain(body.error.code);
  const [en, fa] = ERRORS[body.error.code as keyof typeof ERRORS];
  expect(body.error.message).toBe(en);
  expect(body.error.messageFa).toBe(fa);
  expect(response.body).not.toMatch(/stack|\bat .+:\d+:\d+|node_modules|\/work\/|\.ts\b|SELECT|INSERT/i);
}

describe.each(DATABASE_KINDS)('strict input validation on %s (I9)', (kind) => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let seed: SeededMerchant;
  let till: TestTerminal;

  let fixture: ServerFixture | undefined;

  beforeAll(async () => {
    fixture = await startServerFixture(kind);
    ({ tdb, app, seed, till } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const raw = (url: string, payload: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...protocolHeaders, authorization: `Bearer ${till.token}`, 'content-type': 'application/json', ...headers },
      payload,
    });

  /** Sends `send`, expects the error, and checks that nothing anywhere was written. */
  async function refused(send: () => Promise<LightMyRequestResponse>, status: number, codes: string | string[]): Promise<LightMyRequestResponse> {
    const before = await databaseSnapshot(tdb.db);
    const response = await send();
    expectError(response, status, codes);
    expect(await databaseSnapshot(tdb.db)).toEqual(before);
    return response;
  }

  describe('push envelope', () => {
    it('an unknown top-level field → 400 UNKNOWN_FIELD', async () => {
      const customer = aCustomer(till.ctx(seed.cashier));
      const response = await refused(() => till.request('POST', '/v1/push/customers', { rows: [insertRow(customer)], merchantId: seed.merchantId }), 400, 'UNKNOWN_FIELD');
      expect(response.body).not.toContain(customer.phone);
    });

    it('an unknown field in a row → 400 UNKNOWN_FIELD', async () => {
      const customer = aCustomer(till.ctx(seed.cashier));
      await refused(() => till.request('POST', '/v1/push/customers', { rows: [{ ...insertRow(customer), force: true }] }), 400, 'UNKNOWN_FIELD');
    });

    it.each([
      ['rows is a string', { rows: 'x' }],
      ['rows is an object', { rows: { 0: {} } }],
      ['rows is empty', { rows: [] }],
      ['rows is missing', {}],
      ['a row is not an object', { rows: [1] }],
      ['newDocumentState is an array', { rows: [{ newDocumentState: [] }] }],
      ['assumedMasterState is a string', { rows: [{ newDocumentState: {}, assumedMasterState: 'x' }] }],
    ])('wrong types (%s) → 400 VALIDATION_FAILED', async (_name, body) => {
      await refused(() => till.request('POST', '/v1/push/customers', body), 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"rows"'],
      ['a number', '42'],
      ['broken JSON', '{"rows": ['],
      ['an empty body', ''],
    ])('a body that is %s → 400 VALIDATION_FAILED', async (_name, payload) => {
      await refused(() => raw('/v1/push/customers', payload), 400, 'VALIDATION_FAILED');
    });

    it('a body that is not JSON (text/plain too) → 415 with a code', async () => {
      await refused(() => raw('/v1/push/customers', 'rows=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'VALIDATION_FAILED');
      await refused(() => raw('/v1/push/customers', '{"rows":[]}', { 'content-type': 'application/xml' }), 415, 'VALIDATION_FAILED');
      const customer = aCustomer(till.ctx(seed.cashier));
      await refused(() => raw('/v1/push/customers', JSON.stringify({ rows: [insertRow(customer)] }), { 'content-type': 'text/plain' }), 415, 'VALIDATION_FAILED');
    });

    it.each([
      ['__proto__ at the top', (doc: string) => `{"rows":[{"newDocumentState":${doc}}],"__proto__":{"isAdmin":true}}`],
      ['__proto__ inside the document', (doc: string) => `{"rows":[{"newDocumentState":${doc.replace(/^\{/, '{"__proto__":{"merchantId":"x"},')}}]}`],
      ['constructor.prototype at the top', (doc: string) => `{"rows":[{"newDocumentState":${doc}}],"constructor":{"prototype":{"polluted":1}}}`],
      ['constructor.prototype inside a row', (doc: string) => `{"rows":[{"newDocumentState":${doc},"constructor":{"prototype":{"x":1}}}]}`],
    ])('%s → 400 with a code, nothing written, nothing polluted', async (_name, build) => {
      const doc = JSON.stringify(aCustomer(till.ctx(seed.cashier)));
      await refused(() => raw('/v1/push/customers', build(doc)), 400, ['VALIDATION_FAILED', 'UNKNOWN_FIELD']);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('__proto__ in enrolment and token bodies → 400', async () => {
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
      const headers = { authorization: '' };
      await refused(() => raw('/v1/enrol', `{"code":"${code}","deviceName":"x","__proto__":{"storeId":"y"}}`, headers), 400, ['VALIDATION_FAILED', 'UNKNOWN_FIELD']);
      await refused(() => raw('/v1/token', `{"terminalId":"${till.terminalId}","credential":"${till.credential}","constructor":{"prototype":{"a":1}}}`, headers), 400, ['VALIDATION_FAILED', 'UNKNOWN_FIELD']);
      // The code is still usable: the refused request did not consume it.
      expect((await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName: 'ok' } })).statusCode).toBe(200);
    });

    it('a body over 1 MiB → 413 PAYLOAD_TOO_LARGE', async () => {
      const customer = { ...aCustomer(till.ctx(seed.cashier)), address: 'x'.repeat(1024 * 1024) };
      await refused(() => till.request('POST', '/v1/push/customers', { rows: [insertRow(customer)] }), 413, 'PAYLOAD_TOO_LARGE');
      // Also without a token (the body is refused before anything else reads it).
      await refused(() => raw('/v1/push/customers', JSON.stringify({ rows: [insertRow(customer)] }), { authorization: '' }), 413, 'PAYLOAD_TOO_LARGE');
    });

    it(`more than ${MAX_PUSH_ROWS} rows → 413 PAYLOAD_TOO_LARGE`, async () => {
      const ctx = till.ctx(seed.cashier);
      const rows = Array.from({ length: MAX_PUSH_ROWS + 1 }, () => insertRow(aCustomer(ctx)));
      const response = await refused(() => till.request('POST', '/v1/push/customers', { rows }), 413, 'PAYLOAD_TOO_LARGE');
      expect(response.json().error.details).toEqual({ maxRows: String(MAX_PUSH_ROWS) });
    });

    it('an unknown collection → 404 NOT_FOUND on push and pull', async () => {
      for (const name of ['orders', '__proto__', 'constructor', 'toString', 'Customers', 'customers%00']) {
        await refused(() => till.request('POST', `/v1/push/${name}`, { rows: [{ newDocumentState: {} }] }), 404, 'NOT_FOUND');
        await refused(() => till.request('GET', `/v1/pull/${name}`), 404, 'NOT_FOUND');
      }
      await refused(() => till.request('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
      await refused(() => till.request('POST', '/v1/pull/customers', { rows: [] }), 404, 'NOT_FOUND');
    });
  });

  describe('pull query', () => {
    it.each([
      ['limit=abc', 'VALIDATION_FAILED'],
      ['limit=0', 'VALIDATION_FAILED'],
      ['limit=-5', 'VALIDATION_FAILED'],
      ['limit=1.5', 'VALIDATION_FAILED'],
      ['limit=', 'VALIDATION_FAILED'],
      ['limit=100001', 'VALIDATION_FAILED'],
      ['limit=1&limit=2', 'VALIDATION_FAILED'],
      ['checkpoint=abc', 'VALIDATION_FAILED'],
      ['checkpoint=-1', 'VALIDATION_FAILED'],
      ['checkpoint=01', 'VALIDATION_FAILED'],
      ['checkpoint=1e3', 'VALIDATION_FAILED'],
      ['checkpoint=%7B%22v%22%3A%221%22%7D', 'VALIDATION_FAILED'],
      ['since=5', 'UNKNOWN_FIELD'],
      ['merchantId=00000000-0000-0000-0000-000000000000', 'UNKNOWN_FIELD'],
    ])('%s → 400 %s', async (query, code) => {
      await refused(() => till.request('GET', `/v1/pull/customers?${query}`), 400, code);
    });

    it('a checkpoint beyond the bigint range → 400, not a database error', async () => {
      for (const checkpoint of ['9223372036854775808', '9999999999999999999']) {
        await refused(() => till.request('GET', `/v1/pull/customers?checkpoint=${checkpoint}`), 400, 'VALIDATION_FAILED');
      }
      // The largest valid checkpoint is simply "caught up".
      const top = await till.request('GET', '/v1/pull/customers?checkpoint=9223372036854775807');
      expect(top.statusCode).toBe(200);
      expect(top.json()).toEqual({ documents: [], checkpoint: { v: '9223372036854775807' } });
    });
  });

  describe('document-level failures are quarantined, not refused (envelope vs document)', () => {
    async function pushAndInspect(bad: Record<string, unknown>) {
      const ctx = till.ctx(seed.cashier);
      const good = aCustomer(ctx);
      const before = await databaseSnapshot(tdb.db);
      const response = await till.request('POST', '/v1/push/customers', { rows: [insertRow(bad), insertRow(good)] });
      return { response, before, good };
    }

    it.each([
      ['a string over its cap (address > 300)', { address: 'n'.repeat(301) }],
      ['a huge string (500 kB name)', { name: 'N'.repeat(500_000) }],
      ['an unknown field in the document', { loyaltyBalance: 1_000_000 }],
      ['a wrong type in the document', { company: 12 }],
      ['a malformed phone', { phone: '0912' }],
      ['a second phone not in E.164, without its keys', { phone2: '09121234567' }],
      ['a consent entry on an unknown channel', { consent: [{ id: newId(), channel: 'fax', state: 'granted', at: new Date().toISOString(), source: 'counter', by: newId() }] }],
    ])('%s → that row quarantined as VALIDATION_FAILED, the other row written', async (_name, change) => {
      const bad = { ...aCustomer(till.ctx(seed.cashier)), ...change };
      const { response, before, good } = await pushAndInspect(bad);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ conflicts: [{ ...bad, _deleted: true }], rejected: [{ id: bad.id, code: 'VALIDATION_FAILED' }] });
      const after = await databaseSnapshot(tdb.db);
      expect(Number(after.customers)).toBe(Number(before.customers) + 1);
      expect(Number(after.rejected_writes)).toBe(Number(before.rejected_writes) + 1);
      const { rows } = await tdb.db.query<{ id: string }>(`SELECT id FROM customers WHERE id = ANY($1::text[])`, [[good.id, bad.id]]);
      expect(rows.map((row) => row.id)).toEqual([good.id]);
      const { rows: quarantine } = await tdb.db.query<{ code: string; reason: string }>(`SELECT code, reason FROM rejected_writes WHERE document_id = $1`, [bad.id]);
      expect(quarantine).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED' })]);
      // The reason names paths, never the offending values.
      expect(quarantine[0]!.reason.length).toBeLessThan(500);
    });

    it.each([
      ['a NUL character in a string', (doc: Record<string, unknown>) => ({ ...doc, company: 'before\u0000after' })],
      ['a lone surrogate in a string', (doc: Record<string, unknown>) => ({ ...doc, company: 'before\ud800after' })],
      ['a NUL character in the id', (doc: Record<string, unknown>) => ({ ...doc, id: `${doc.id as string}\u0000` })],
      ['a NUL character in a key', (doc: Record<string, unknown>) => ({ ...doc, ['note\u0000s']: 'x' })],
    ])('a document with %s is quarantined (or stored), never a 500 for the batch', async (_name, spoil) => {
      const bad = spoil(aCustomer(till.ctx(seed.cashier)));
      const { response, good } = await pushAndInspect(bad);
      // A 500 here is a poison pill: the client retries this batch forever and nothing after it syncs.
      expect(response.statusCode, response.body).toBe(200);
      const { rows } = await tdb.db.query<{ id: string }>(`SELECT id FROM customers WHERE id = $1`, [good.id]);
      expect(rows).toHaveLength(1);
    });
  });

  it('docs/protocol.md documents every error code and the envelope-vs-document distinction', () => {
    const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    const serverCodes = ['VALIDATION_FAILED', 'UNKNOWN_FIELD', 'PAYLOAD_TOO_LARGE', 'RATE_LIMIT_EXCEEDED', 'UNAUTHORIZED', 'FORBIDDEN',
      'TERMINAL_REVOKED', 'ENROLMENT_CODE_INVALID', 'PROTOCOL_OUTDATED', 'NOT_FOUND', 'DATABASE_UNAVAILABLE', 'INTERNAL'];
    for (const code of serverCodes) expect(doc, code).toContain(`\`${code}\``);
    expect(doc).toMatch(/envelope/i);
    expect(doc).toMatch(/quarantine/i);
    expect(doc).toContain(PROTOCOL_HEADER);
  });
});

describe.each(DATABASE_KINDS)('protocol version gate on %s (I6)', (kind) => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let seed: SeededMerchant;
  let till: TestTerminal;

  let fixture: ServerFixture | undefined;

  beforeAll(async () => {
    fixture = await startServerFixture(kind);
    ({ tdb, app, seed, till } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const routes = (): [string, 'GET' | 'POST', string, () => unknown][] => [
    ['enrol', 'POST', '/v1/enrol', () => ({ code: 'ABCD-EFGH', deviceName: 'x' })],
    ['token', 'POST', '/v1/token', () => ({ terminalId: till.terminalId, credential: till.credential })],
    ['pull', 'GET', '/v1/pull/customers', () => undefined],
    ['push', 'POST', '/v1/push/customers', () => ({ rows: [insertRow(aCustomer(till.ctx(seed.cashier)))] })],
    ['stream', 'GET', '/v1/stream', () => undefined],
    ['an unknown /v1 route', 'GET', '/v1/whatever', () => undefined],
  ];

  it.each([
    ['missing', undefined],
    ['0', '0'],
    [`${PROTOCOL_VERSION - 1} (older)`, String(PROTOCOL_VERSION - 1)],
    ['not a number', 'abc'],
    ['a decimal', '1.0'],
    ['negative', '-1'],
    ['empty', ''],
  ])('header %s → 426 PROTOCOL_OUTDATED on every /v1 route, nothing written', async (_name, value) => {
    for (const [route, method, url, body] of routes()) {
      const headers: Record<string, string> = { authorization: `Bearer ${till.token}` };
      if (value !== undefined) headers[PROTOCOL_HEADER] = value;
      const before = await databaseSnapshot(tdb.db);
      const payload = body();
      const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      expect(response.statusCode, route).toBe(426);
      expectError(response, 426, 'PROTOCOL_OUTDATED');
      expect(response.json().error.details).toEqual({ minimum: expect.any(String), current: String(PROTOCOL_VERSION) });
      expect(await databaseSnapshot(tdb.db)).toEqual(before);
    }
  });

  it('cannot be sidestepped by percent-encoding the path', async () => {
    const before = await databaseSnapshot(tdb.db);
    const customer = aCustomer(till.ctx(seed.cashier));
    const response = await app.inject({
      method: 'POST',
      url: '/%761/push/customers',
      headers: { authorization: `Bearer ${till.token}`, [PROTOCOL_HEADER]: '0' },
      payload: { rows: [insertRow(customer)] },
    });
    expect([404, 426]).toContain(response.statusCode);
    expect(await databaseSnapshot(tdb.db)).toEqual(before);
  });

  it('ops endpoints need no protocol header', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });
});

describe.each(DATABASE_KINDS)('rate limits on %s (I9)', (kind) => {
  let tdb: TestDatabase;
  let seed: SeededMerchant;
  const apps: PatronApp[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    seed = await seedMerchant(tdb.db);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await tdb?.drop();
  });

  async function limitedApp(): Promise<PatronApp> {
    const app = await testApp(tdb.db, { rateLimit: { max: 5, timeWindow: 60_000, authMax: 2 } });
    apps.push(app);
    return app;
  }

  it('enrolment: the third attempt within the window → 429 RATE_LIMIT_EXCEEDED, nothing written', async () => {
    const app = await limitedApp();
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const attempt = (value: string) => app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code: value, deviceName: 'Brute' } });
    expect((await attempt('AAAA-AAAA')).statusCode).toBe(401);
    expect((await attempt('AAAA-AAAB')).statusCode).toBe(401);
    const before = await databaseSnapshot(tdb.db);
    // Even the right code is not tried once the limit is reached.
    const limited = await attempt(code);
    expectError(limited, 429, 'RATE_LIMIT_EXCEEDED');
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await databaseSnapshot(tdb.db)).toEqual(before);
  });

  it('enrolment: a random Authorization header does not buy a fresh allowance', async () => {
    const app = await limitedApp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/enrol',
        headers: { ...protocolHeaders, authorization: `Bearer ${crypto.randomUUID()}${crypto.randomUUID()}` },
        payload: { code: `AAAA-AAA${i}`, deviceName: 'Brute' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
  });

  it('sync routes: the request after `max` → 429, and a rate-limited push writes nothing', async () => {
    const app = await limitedApp();
    // Enrolled through an unlimited instance: enrolment counts are shared by every instance (limits.ts).
    const unlimited = await testApp(tdb.db);
    apps.push(unlimited);
    const till = await enrolTerminal(unlimited, tdb.db, seed, 'Busy till');
    const headers = { ...protocolHeaders, authorization: `Bearer ${till.token}` };
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/v1/pull/customers', headers })).statusCode).toBe(200);
    const before = await databaseSnapshot(tdb.db);
    const push = await app.inject({ method: 'POST', url: '/v1/push/customers', headers, payload: { rows: [insertRow(aCustomer(till.ctx(seed.cashier)))] } });
    expectError(push, 429, 'RATE_LIMIT_EXCEEDED');
    expect(await databaseSnapshot(tdb.db)).toEqual(before);
    // Health, readiness and metrics are never limited.
    for (let i = 0; i < 8; i++) expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
