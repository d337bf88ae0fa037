import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntry } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { ErrorBodySchema, PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { createPostgresDatabase } from '../../../src/sync/server/db/postgres.ts';
import { addStaff, createEnrolmentCode, createMerchant, createStore } from '../../../src/sync/server/repositories/admin.ts';
import { DATABASE_KINDS, TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, logCollector, protocolHeaders, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function errorCode(response: LightMyRequestResponse): string {
  return ErrorBodySchema.parse(JSON.parse(response.body)).error.code;
}

/** The value of one Prometheus sample whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** A poke stream held open with fetch (the client's way). */
async function openStream(baseUrl: string, token: string): Promise<{ status: number; close(): Promise<void> }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/v1/stream`, {
    headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  return {
    status: response.status,
    close: async () => {
      controller.abort();
      await reader.read().catch(() => {});
    },
  };
}

describe.each(DATABASE_KINDS)('ops endpoints on %s', (kind) => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let baseUrl: string;
  let seed: SeededMerchant;
  let till: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    app = await testApp(tdb.db);
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    till = await enrolTerminal(app, tdb.db, seed);
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it('/health answers 200 without a protocol header', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/ready answers 200 with the database kind', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', database: kind });
  });

  it('/metrics exposes requests, push/pull rows, conflicts, rejections, open streams and latency after traffic', async () => {
    const ctx = till.ctx(seed.cashier);
    const customers = [aCustomer(ctx), aCustomer(ctx), aCustomer(ctx)];
    await till.push('customers', customers.map(insertRow));
    const stale = { ...customers[0]!, company: 'stale edit', updatedAt: new Date().toISOString() };
    const edited = { ...customers[0]!, company: 'winning edit', updatedAt: new Date().toISOString() };
    await till.push('customers', [updateRow(edited, customers[0]!)]);
    expect((await till.push('customers', [updateRow(stale, customers[0]!)])).conflicts).toHaveLength(1);
    expect((await till.push('customers', [insertRow({ ...aCustomer(ctx), name: 'x' })])).rejected).toHaveLength(1);
    const pulled = await till.pull('customers');
    await till.request('GET', '/v1/pull/customers?limit=abc');

    const stream = await openStream(baseUrl, till.token);
    let text: string;
    try {
      expect(stream.status).toBe(200);
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      text = response.body;
      expect(sample(text, 'patron_open_streams')).toBe(1);
    } finally {
      await stream.close();
    }

    expect(sample(text, 'patron_http_requests_total', { route: '/v1/push/:collection', method: 'POST', status: '200' })).toBe(4);
    expect(sample(text, 'patron_http_requests_total', { route: '/v1/pull/:collection', method: 'GET', status: '400' })).toBe(1);
    expect(sample(text, 'patron_http_requests_total', { route: '/v1/enrol', method: 'POST', status: '200' })).toBe(1);
    expect(sample(text, 'patron_push_rows_total', { collection: 'customers', result: 'written' })).toBe(4);
    expect(sample(text, 'patron_push_rows_total', { collection: 'customers', result: 'conflict' })).toBe(1);
    expect(sample(text, 'patron_push_rows_total', { collection: 'customers', result: 'rejected' })).toBe(1);
    expect(sample(text, 'patron_pull_rows_total', { collection: 'customers' })).toBe(pulled.documents.length);
    expect(sample(text, 'patron_conflicts_total', { collection: 'customers' })).toBe(1);
    expect(sample(text, 'patron_rejected_writes_total', { collection: 'customers', code: 'VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, 'patron_http_request_duration_seconds_count', { route: '/v1/push/:collection' })).toBe(4);
    expect(sample(text, 'patron_http_request_duration_seconds_bucket', { route: '/v1/push/:collection', le: '+Inf' })).toBe(4);
    // Labels carry collections, routes and codes only: no ids, phones or tokens.
    expect(text).not.toContain(customers[0]!.phone);
    expect(text).not.toContain(seed.merchantId);
    expect(text).not.toContain(till.terminalId);

    // The gauge follows the stream closing.
    await waitFor(async () => sample((await app.inject({ method: 'GET', url: '/metrics' })).body, 'patron_open_streams') === 0, 8000, 'open streams back to 0');
  });
});

describe.each(DATABASE_KINDS)('logs on %s never contain phone numbers, names, PINs or tokens', (kind) => {
  let tdb: TestDatabase;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('a realistic session leaves no secret or personal datum in any log line', async () => {
    const log = logCollector();
    const app = await testApp(tdb.db, { logger: { level: 'trace', stream: log.stream } });
    try {
      const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
      // Distinctive staff names and 8-digit PINs, so a match in the log cannot be a coincidence.
      const merchantId = await createMerchant(tdb.db, { name: 'Kafe Log', currency: 'IRR', defaultRegion: 'IR', locale: 'fa', timeZone: 'Asia/Tehran' }, 'test');
      const storeId = await createStore(tdb.db, merchantId, { name: 'Valiasr' }, 'test');
      const cashierPin = '73918452';
      const managerPin = '58204671';
      const cashier = await addStaff(tdb.db, merchantId, { name: 'Shirin Farahani', role: 'cashier', pin: cashierPin }, 'test');
      const manager = await addStaff(tdb.db, merchantId, { name: 'بهرام کیانی', role: 'manager', pin: managerPin }, 'test');
      const seed: SeededMerchant = { merchantId, storeId, cashier, manager, pins: { cashier: cashierPin, manager: managerPin } };

      // Enrol by hand to keep the first credential and the code.
      const { code } = await createEnrolmentCode(tdb.db, merchantId, storeId, 10, 'test');
      const enrolled = (await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName: 'Till Shirin' } })).json() as { terminalId: string; credential: string };
      const tokenAnswer = (await app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: enrolled.terminalId, credential: enrolled.credential } })).json() as { accessToken: string; credential: string };
      const refreshed = (await app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: enrolled.terminalId, credential: tokenAnswer.credential } })).json() as { accessToken: string; credential: string };
      const till = await enrolTerminal(app, tdb.db, seed, 'Second till');
      const bearer = { ...protocolHeaders, authorization: `Bearer ${refreshed.accessToken}` };

      const ctx = till.ctx(cashier);
      const people = [
        aCustomer(ctx, { name: 'مریم احمدی', phone: '0912 345 6789', email: 'maryam.ahmadi@example.com', notes: 'allergic to nuts' }),
        aCustomer(ctx, { name: 'Jonathan Whitfield', phone: '+44 20 7946 0958' }),
        aCustomer(ctx, { name: 'Zahra Karimi', phone: '09351234567' }),
      ];
      await app.inject({ method: 'POST', url: '/v1/push/customers', headers: bearer, payload: { rows: people.map(insertRow) } });
      await app.inject({ method: 'GET', url: '/v1/pull/customers?limit=50', headers: bearer });
      await app.inject({ method: 'GET', url: '/v1/pull/staff', headers: bearer });
      // Refused rows: a quarantined schema failure carrying a name, a forbidden reward, an overdraft-free adjustment.
      await app.inject({ method: 'POST', url: '/v1/push/customers', headers: bearer, payload: { rows: [insertRow({ ...aCustomer(ctx, { name: 'Parisa Tehrani', phone: '09121112233' }), email: 'not-an-email' })] } });
      await app.inject({
        method: 'POST', url: '/v1/push/rewards', headers: bearer,
        payload: { rows: [insertRow({ id: newId(), merchantId, updatedAt: new Date().toISOString(), _deleted: false, name: 'Secret reward', description: '', type: 'freeItem', itemName: 'Item', percent: 0, cap: null, pointsCost: 1, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true, updatedBy: cashier.id })] },
      });
      await app.inject({ method: 'POST', url: '/v1/push/loyaltyEntries', headers: bearer, payload: { rows: [insertRow(ledgerEntry({ kind: 'adjust', points: 999_999, customerId: people[0]!.id }, ctx))] } });
      // Envelope errors whose bodies carry personal data; a bad and a tampered token; 404; 426; 413.
      await app.inject({ method: 'POST', url: '/v1/push/customers', headers: bearer, payload: { rows: people.map(insertRow), phone: people[0]!.phone } });
      await app.inject({ method: 'GET', url: '/v1/pull/customers', headers: { ...protocolHeaders, authorization: `Bearer ${refreshed.accessToken.slice(0, -2)}xx` } });
      await app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: enrolled.terminalId, credential: enrolled.credential } });
      await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName: 'Again' } });
      await app.inject({ method: 'GET', url: '/v1/pull/orders', headers: bearer });
      await app.inject({ method: 'POST', url: '/v1/push/customers', headers: { authorization: bearer.authorization }, payload: { rows: people.map(insertRow) } });
      await app.inject({ method: 'POST', url: '/v1/push/customers', headers: bearer, payload: { rows: [insertRow({ ...people[2]!, address: randomBytes(700_000).toString('hex') })] } });
      const stream = await openStream(baseUrl, refreshed.accessToken);
      await stream.close();
      await sleep(100);

      const forbidden: [string, string][] = [];
      for (const person of people) {
        forbidden.push(['E.164 phone', person.phone], ['phone digits', person.phone.slice(1)], ['phone key', person.phoneKey], ['reversed phone', person.phoneReversed]);
        forbidden.push(['name', person.name], ['folded name', person.nameKey]);
        if (person.email) forbidden.push(['email', person.email]);
      }
      forbidden.push(['national phone', '09123456789'], ['national phone', '09351234567'], ['local phone', '2079460958']);
      forbidden.push(['quarantined name', 'Parisa Tehrani'], ['quarantined phone', '9121112233'], ['notes', 'allergic to nuts']);
      forbidden.push(['staff name', 'Shirin Farahani'], ['staff name', 'بهرام کیانی'], ['PIN', cashierPin], ['PIN', managerPin]);
      forbidden.push(['PIN hash', cashier.pinHash], ['PIN hash', manager.pinHash], ['PIN hash tail', cashier.pinHash.slice(-20)]);
      for (const token of [tokenAnswer.accessToken, refreshed.accessToken, till.token]) {
        forbidden.push(['access token', token], ['token signature', token.split('.')[2]!], ['token tail', token.slice(-32)], ['token payload', token.split('.')[1]!]);
      }
      for (const credential of [enrolled.credential, tokenAnswer.credential, refreshed.credential, till.credential]) forbidden.push(['credential', credential]);
      forbidden.push(['enrolment code', code]);

      const lines = log.lines;
      expect(lines.length).toBeGreaterThan(20);
      expect(lines.some((line) => line.includes('incoming request'))).toBe(true);
      const leaks = forbidden.filter(([, value]) => lines.some((line) => line.includes(value) || line.includes(JSON.stringify(value).slice(1, -1))));
      expect(leaks.map(([what, value]) => `${what}: ${value.slice(0, 24)}`)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('the database going away (Postgres through a TCP proxy)', () => {
  let tdb: TestDatabase;
  let proxy: TcpProxy;
  let db: Database;
  let app: PatronApp;
  let baseUrl: string;
  let seed: SeededMerchant;
  let till: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    // A 3 s statement timeout makes the client give up on a silent link after 5 s (statement + 2 s).
    db = createPostgresDatabase(proxy.url(tdb.url!), { statementTimeoutMs: 3_000 });
    app = await testApp(db);
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    till = await enrolTerminal(app, db, seed);
  });
  afterAll(async () => {
    proxy?.setMode('pass');
    await app?.close();
    await db?.close();
    await proxy?.close();
    await tdb?.drop();
  });

  async function customerCount(): Promise<number> {
    const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers`);
    return rows[0]!.n;
  }

  it('answers 503 DATABASE_UNAVAILABLE (not 500) while it is away, and works again when it returns — no restart', async () => {
    const acknowledged = aCustomer(till.ctx(seed.cashier));
    await till.push('customers', [insertRow(acknowledged)]);
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    try {
      proxy.setMode('refuse');
      proxy.cutAll();

      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(errorCode(ready)).toBe('DATABASE_UNAVAILABLE');
      // Liveness does not depend on the database.
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

      const answers = {
        pull: await till.request('GET', '/v1/pull/customers'),
        push: await till.request('POST', '/v1/push/customers', { rows: [insertRow(aCustomer(till.ctx(seed.cashier)))] }),
        token: await app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: till.terminalId, credential: till.credential } }),
        enrol: await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName: 'During outage' } }),
        stream: await till.request('GET', '/v1/stream'),
      };
      for (const [route, answer] of Object.entries(answers)) {
        expect(answer.statusCode, route).toBe(503);
        expect(errorCode(answer), route).toBe('DATABASE_UNAVAILABLE');
        expect(answer.body).not.toMatch(/ECONNREFUSED|Connection terminated|stack/);
      }
    } finally {
      proxy.setMode('pass');
    }

    // Back, without restarting anything.
    await waitFor(async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200, 10_000, 'ready again');
    expect((await till.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
    const before = await customerCount();
    const after = aCustomer(till.ctx(seed.cashier));
    expect(await till.push('customers', [insertRow(after)])).toEqual({ conflicts: [], rejected: [] });
    expect(await customerCount()).toBe(before + 1);
    // The write acknowledged before the outage is there; the refused ones never were.
    const { rows } = await tdb.db.query<{ id: string }>(`SELECT id FROM customers WHERE id = ANY($1::text[])`, [[acknowledged.id, after.id]]);
    expect(rows).toHaveLength(2);
    expect((await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName: 'After outage' } })).statusCode).toBe(200);
    const stream = await openStream(baseUrl, till.token);
    expect(stream.status).toBe(200);
    await stream.close();
  });

  it('does not pile up listeners on pooled connections, transaction after transaction', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const single = createPostgresDatabase(tdb.url!, { max: 1 });
    const singleApp = await testApp(single);
    try {
      const terminal = await enrolTerminal(singleApp, single, seed, 'One connection');
      for (let i = 0; i < 15; i++) await terminal.push('customers', [insertRow(aCustomer(terminal.ctx(seed.cashier)))]);
      await sleep(50);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await singleApp.close();
      await single.close();
    }
  });

  it('answers 503 within a bounded time when the database is partitioned (packets dropped), never hangs', async () => {
    // A pooled connection exists and is idle; then the network to the database goes silent.
    expect((await till.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
    proxy.setMode('blackhole');
    try {
      const started = Date.now();
      const answer = await Promise.race([
        till.request('GET', '/v1/pull/customers'),
        sleep(9_000).then(() => null),
      ]);
      // The client's answer limit here is 5 s (statement timeout + 2 s); a request must not outlive it by much.
      expect(answer, 'no answer within 9 s').not.toBeNull();
      expect(answer!.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(9_000);
    } finally {
      proxy.setMode('pass');
      proxy.cutAll();
    }
    await waitFor(async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200, 10_000, 'ready again');
  });

  it('answers 503, not 500, when every pooled connection is stuck and the pool wait times out', async () => {
    const small = createPostgresDatabase(proxy.url(tdb.url!), { max: 1 });
    const smallApp = await testApp(small);
    const terminal = await enrolTerminal(smallApp, small, seed, 'Small pool');
    proxy.setMode('blackhole');
    try {
      const answers = await Promise.all([0, 1].map(() => Promise.race([
        terminal.request('GET', '/v1/pull/customers'),
        sleep(7_000).then(() => null),
      ])));
      // The request holding the only connection may hang (see above); the one waiting for the pool must not 500.
      const answered = answers.filter((a) => a !== null);
      expect(answered.length).toBeGreaterThan(0);
      for (const answer of answered) {
        expect(answer!.statusCode, answer!.body).toBe(503);
        expect(errorCode(answer!)).toBe('DATABASE_UNAVAILABLE');
      }
    } finally {
      proxy.setMode('pass');
      proxy.cutAll();
      await smallApp.close();
      await small.close();
    }
  });
});
