// Issue 14 "Trust": each attack a hostile terminal (or network peer) can make with a valid token, and the answer
// it now gets. docs/security.md's attack table points here.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer } from '../../../src/sync/model/document-builders.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import type { Database, Queryable } from '../../../src/sync/server/db/database.ts';
import { REFUSAL_ITEMS_PER_HOUR } from '../../../src/sync/server/sync/quarantine.ts';
import { purgeTombstones } from '../../../src/sync/server/sync/horizons.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { addStaff, createStore } from '../../../src/sync/server/repositories/admin.ts';
import { enrolTerminal, logCollector, protocolHeaders, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';

/** A marker that makes the fault-injecting database below fail any write statement carrying it. */
const POISON = 'POISON-ROW-MARKER';

/** The database, except that a statement whose parameters carry POISON fails like a server bug (not the database's fault). */
function poisonable(db: Database): Database {
  const guard = (sql: string, params?: unknown[]) => {
    if (!/rejected_writes/.test(sql) && JSON.stringify(params ?? []).includes(POISON)) throw new TypeError('simulated server bug on one row');
  };
  const wrap = (q: Queryable): Queryable =>
    Object.assign(Object.create(q) as Queryable, {
      query: (async (sql: string, params?: unknown[]) => {
        guard(sql, params);
        return q.query(sql, params);
      }) as Queryable['query'],
    });
  return Object.assign(Object.create(db) as Database, {
    query: wrap(db).query,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
  });
}

describe('trust: what a hostile terminal with a valid token gets (postgres)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let seed: SeededMerchant;
  let till: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(poisonable(tdb.db));
    seed = await seedMerchant(tdb.db);
    till = await enrolTerminal(app, tdb.db, seed);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  const quarantined = async (id: string) =>
    (await tdb.db.query<{ code: string; reason: string }>(`SELECT code, reason FROM rejected_writes WHERE document_id = $1`, [id])).rows;
  const stored = async (table: string, id: string) => (await tdb.db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rows.length;

  describe('poison pills (item 6)', () => {
    it('a document nested 5,000 (and 100,000) levels deep is quarantined, the rest of the batch written — never a 500', async () => {
      for (const depth of [5_000, 100_000]) {
        const bad = { ...aCustomer(till.ctx(seed.cashier)), company: 'DEEP' };
        const good = aCustomer(till.ctx(seed.cashier));
        // Built as text: JSON.stringify of such a value would overflow this test's own stack.
        const deepDoc = JSON.stringify(bad).replace('"DEEP"', `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
        const payload = `{"rows":[{"newDocumentState":${deepDoc}},{"newDocumentState":${JSON.stringify(good)}}]}`;
        const headers = { ...protocolHeaders, authorization: `Bearer ${till.token}`, 'content-type': 'application/json' };
        const response = await app.inject({ method: 'POST', url: '/v1/push/customers', headers, payload });
        expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
        expect(response.json().rejected).toEqual([{ id: bad.id, code: 'VALIDATION_FAILED' }]);
        expect(await quarantined(bad.id)).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', reason: expect.stringMatching(/nested deeper/) })]);
        expect(await stored('customers', good.id)).toBe(1);
      }
    });

    it('a row the server fails on (a bug, not the database) is quarantined with an inbox item; the other rows are written', async () => {
      const bad = aCustomer(till.ctx(seed.cashier), { company: POISON });
      const good = [aCustomer(till.ctx(seed.cashier)), aCustomer(till.ctx(seed.cashier))];
      const response = await till.request('POST', '/v1/push/customers', { rows: [insertRow(good[0]!), insertRow(bad), insertRow(good[1]!)] });
      expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
      expect(response.json().rejected).toEqual([{ id: bad.id, code: 'INTERNAL' }]);
      expect(await quarantined(bad.id)).toEqual([expect.objectContaining({ code: 'INTERNAL' })]);
      for (const customer of good) expect(await stored('customers', customer.id)).toBe(1);
      expect(await stored('customers', bad.id)).toBe(0);
      const inbox = await till.pullAll('inbox');
      expect(inbox.filter((item) => item.relatedId === bad.id && item.kind === 'rejected_write')).toHaveLength(1);
    });
  });

  describe('identity bound to the token (item 1)', () => {
    /** Pushes one forged row: refused as FORBIDDEN, quarantined, exactly one inbox item, nothing stored. */
    async function refusedOnce(collection: 'customers' | 'visits' | 'loyaltyEntries', row: { newDocumentState: object }, reason: RegExp) {
      const id = (row.newDocumentState as { id: string }).id;
      const table = { customers: 'customers', visits: 'visits', loyaltyEntries: 'loyalty_entries' }[collection];
      const before = (await stored(table, id)) === 1 ? (await tdb.db.query(`SELECT doc FROM ${table} WHERE id = $1`, [id])).rows[0] : undefined;
      const answer = await till.push(collection, [row]);
      expect(answer.rejected).toEqual([{ id, code: 'FORBIDDEN' }]);
      expect(await quarantined(id)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', reason: expect.stringMatching(reason) })]);
      const after = (await tdb.db.query(`SELECT doc FROM ${table} WHERE id = $1`, [id])).rows[0];
      expect(after).toEqual(before);
      const items = (await till.pullAll('inbox')).filter((item) => item.relatedId === id);
      expect(items).toHaveLength(1);
    }

    it("a visit or ledger line naming another terminal or store than the token's is refused", async () => {
      const customer = aCustomer(till.ctx(seed.cashier));
      await till.push('customers', [insertRow(customer)]);
      const elsewhere = { ...till.ctx(seed.cashier), terminalId: newId() };
      const forgedTerminal = aVisit(elsewhere, customer.id, 50_000, 50);
      await refusedOnce('visits', insertRow(forgedTerminal.visit), /another terminal/);
      const otherStore = await createStore(tdb.db, seed.merchantId, { name: 'Branch' }, 'test');
      const forgedStore = aVisit({ ...till.ctx(seed.cashier), storeId: otherStore }, customer.id, 50_000, 50);
      await refusedOnce('loyaltyEntries', insertRow(forgedStore.earn!), /another store/);
      await refusedOnce('visits', insertRow(forgedStore.visit), /another store/);
    });

    it("a customer signed up at another store, or moved to one, is refused", async () => {
      const otherStore = await createStore(tdb.db, seed.merchantId, { name: 'Branch 2' }, 'test');
      await refusedOnce('customers', insertRow(aCustomer({ ...till.ctx(seed.cashier), storeId: otherStore })), /sign/);
      const customer = aCustomer(till.ctx(seed.cashier));
      await till.push('customers', [insertRow(customer)]);
      const moved = { ...editCustomer(customer, { company: 'moved' }, till.ctx(seed.cashier), 'IR'), storeId: otherStore };
      await refusedOnce('customers', updateRow(moved, customer), /never changes/);
    });

    it('a write attributed to a staff member not allowed at the terminal\'s store is refused (inactive ones already were)', async () => {
      const otherStore = await createStore(tdb.db, seed.merchantId, { name: 'Branch 3' }, 'test');
      const elsewhere = await addStaff(tdb.db, seed.merchantId, { name: 'Far Away', role: 'owner', pin: '246810', storeIds: [otherStore] }, 'test');
      await refusedOnce('customers', insertRow(aCustomer(till.ctx(elsewhere))), /not allowed at/);
    });
  });

  describe('the inbox cannot be flooded (item 5)', () => {
    it('one terminal refused 120 times — the same row with 60 timestamps and 60 different rows — raises at most the hourly cap of items', async () => {
      const before = (await till.pullAll('inbox')).length;
      const bad = { ...aCustomer(till.ctx(seed.cashier)), name: 'x' };
      for (let i = 0; i < 60; i += 20) {
        const rows = Array.from({ length: 20 }, (_, j) => insertRow({ ...bad, updatedAt: new Date(Date.parse(bad.updatedAt) + (i + j) * 1000).toISOString() }));
        await till.push('customers', rows);
      }
      const sameRow = (await till.pullAll('inbox')).filter((item) => item.relatedId === bad.id);
      expect(sameRow).toHaveLength(1);
      const others = Array.from({ length: 60 }, () => insertRow({ ...aCustomer(till.ctx(seed.cashier)), name: 'y' }));
      await till.push('customers', others);
      const inbox = await till.pullAll('inbox');
      expect(inbox.length - before).toBeLessThanOrEqual(REFUSAL_ITEMS_PER_HOUR + 1);
      expect(inbox).toContainEqual(expect.objectContaining({ kind: 'rejected_write', code: 'RATE_LIMIT_EXCEEDED', details: expect.objectContaining({ terminalId: till.terminalId }) }));
      // Every refused row is still kept in the quarantine.
      const kept = await tdb.db.query(`SELECT 1 FROM rejected_writes WHERE document_id = ANY($1::text[])`, [others.map((row) => (row.newDocumentState as { id: string }).id)]);
      expect(kept.rows).toHaveLength(60);
    });
  });

  describe('credential rotation with reuse detection (item 4)', () => {
    const exchange = (terminalId: string, credential: string) =>
      app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId, credential } });
    const next = async (terminalId: string, credential: string) => {
      const answer = await exchange(terminalId, credential);
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json() as { accessToken: string; credential: string };
    };

    it('a lost answer is still retried with the previous credential (no false alarm)', async () => {
      const other = await enrolTerminal(app, tdb.db, seed, 'Flaky network');
      await next(other.terminalId, other.credential); // answer lost on the way
      const retried = await next(other.terminalId, other.credential);
      await next(other.terminalId, retried.credential);
    });

    it("a replayed, already-rotated credential revokes the terminal's credential family and raises one inbox alert", async () => {
      const victim = await enrolTerminal(app, tdb.db, seed, 'Stolen from');
      const stolen = victim.credential;
      const second = await next(victim.terminalId, stolen);
      const third = await next(victim.terminalId, second.credential);
      // The thief replays the copy it took before the real terminal moved on.
      const replay = await exchange(victim.terminalId, stolen);
      expect(replay.statusCode).toBe(401);
      expect(replay.json().error.code).toBe('TERMINAL_REVOKED');
      // The whole family is gone: the real terminal's current credential and its access token too.
      expect((await exchange(victim.terminalId, third.credential)).json().error.code).toBe('TERMINAL_REVOKED');
      const pull = await app.inject({ method: 'GET', url: '/v1/pull/customers', headers: { ...protocolHeaders, authorization: `Bearer ${third.accessToken}` } });
      expect(pull.statusCode).toBe(401);
      const alerts = (await till.pullAll('inbox')).filter((item) => item.relatedId === victim.terminalId);
      expect(alerts).toEqual([expect.objectContaining({ code: 'TERMINAL_REVOKED', status: 'open' })]);
    });
  });

  describe('purged tombstones (durability)', () => {
    it('an edit of a document whose tombstone was purged gets a tombstone conflict; the document does not come back', async () => {
      const ctx = till.ctx(seed.manager);
      const customer = aCustomer(ctx);
      await till.push('customers', [insertRow(customer)]);
      const erased = { ...customer, _deleted: true, updatedAt: new Date(Date.now() + 1).toISOString() };
      await till.push('customers', [updateRow(erased, customer)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await purgeTombstones(tdb.db, 0);
      expect(await stored('customers', customer.id)).toBe(0);
      // Another till, offline through all of this, edits the customer it still holds.
      const edit = editCustomer(customer, { name: 'Came back?' }, ctx, 'IR');
      const answer = await till.push('customers', [updateRow(edit, customer)]);
      expect(answer.conflicts).toEqual([expect.objectContaining({ id: customer.id, _deleted: true })]);
      expect(await stored('customers', customer.id)).toBe(0);
      // Its merge keeps the delete and pushes that: acknowledged, still nothing stored, no further conflict.
      const master = answer.conflicts[0] as typeof customer;
      const merged = { ...master, updatedAt: edit.updatedAt };
      const settled = await till.push('customers', [updateRow(merged, master)]);
      expect(settled.conflicts).toEqual([]);
      expect(settled.rejected).toEqual([]);
      expect(await stored('customers', customer.id)).toBe(0);
    });
  });
});

describe('the protocol as documented (item 7, postgres)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let baseUrl: string;
  let seed: SeededMerchant;
  let till: TestTerminal;
  const log = logCollector();

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db, { logger: { level: 'trace', stream: log.stream } });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    till = await enrolTerminal(app, tdb.db, seed);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  it('a body that is not JSON (text/plain too) → 415', async () => {
    const body = JSON.stringify({ rows: [insertRow(aCustomer(till.ctx(seed.cashier)))] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const headers = { ...protocolHeaders, authorization: `Bearer ${till.token}`, 'content-type': type };
      const response = await app.inject({ method: 'POST', url: '/v1/push/customers', headers, payload: body });
      expect(response.statusCode, type).toBe(415);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it.each(['0x10', '1e2', ' 10 ', '+5', '010', '10.0', '1_0'])('limit=%j → 400 VALIDATION_FAILED (numbers are parsed strictly)', async (limit) => {
    const response = await till.request('GET', `/v1/pull/customers?limit=${encodeURIComponent(limit)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('limit=10 and limit=100000 are still accepted', async () => {
    for (const limit of ['10', '100000']) expect((await till.request('GET', `/v1/pull/customers?limit=${limit}`)).statusCode).toBe(200);
  });

  it('an oversized chunked body gets a readable 413 in the documented error format', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL('/v1/push/customers', baseUrl);
      const request = http.request(url, { method: 'POST', headers: { ...protocolHeaders, authorization: `Bearer ${till.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      const chunk = `{"rows":[{"newDocumentState":{"notes":"${'x'.repeat(64 * 1024)}`;
      request.write(chunk);
      let sent = chunk.length;
      const more = () => {
        while (sent < 3 * 1024 * 1024) {
          sent += 64 * 1024;
          if (!request.write('x'.repeat(64 * 1024))) return void request.once('drain', more);
        }
        request.end('"}}]}');
      };
      more();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) });
  });

  it('no token, credential or query string reaches the log', async () => {
    await till.request('GET', '/v1/pull/customers?limit=5&token=SECRET-IN-QUERY');
    await till.request('GET', '/v1/pull/customers?limit=0x10');
    await app.inject({ method: 'GET', url: '/v1/pull/customers?access_token=SECRET-IN-QUERY', headers: { ...protocolHeaders, authorization: 'Bearer SECRET-BEARER' } });
    const text = log.lines.join('\n');
    expect(text).toContain('/v1/pull/customers');
    expect(text).not.toContain('SECRET-IN-QUERY');
    expect(text).not.toContain('SECRET-BEARER');
    expect(text).not.toContain(till.token);
    expect(text).not.toContain(till.credential);
    expect(text).not.toMatch(/limit=/);
  });
});

describe('limits shared by every instance (item 5, postgres)', () => {
  let tdb: TestDatabase;
  let seed: SeededMerchant;
  let plain: PatronApp;
  const apps: PatronApp[] = [];
  const limited = async (options: Partial<Parameters<typeof testApp>[1]> = {}) => {
    const app = await testApp(tdb.db, { rateLimit: { max: 3, timeWindow: 60_000, authMax: 2 }, ...options });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    seed = await seedMerchant(tdb.db);
    plain = await testApp(tdb.db);
    apps.push(plain);
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await tdb?.drop();
  });

  it("guessing one terminal's credential through two instances: the third attempt is 429 with Retry-After", async () => {
    const [a, b] = [await limited(), await limited()];
    const till = await enrolTerminal(plain, tdb.db, seed);
    const guess = (app: PatronApp) => app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: till.terminalId, credential: 'x'.repeat(43) } });
    expect((await guess(a)).statusCode).toBe(401);
    expect((await guess(b)).statusCode).toBe(401);
    const third = await guess(b);
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("a terminal's pushes are counted across instances", async () => {
    const [a, b] = [await limited(), await limited()];
    const till = await enrolTerminal(plain, tdb.db, seed);
    const push = (app: PatronApp) =>
      app.inject({ method: 'POST', url: '/v1/push/customers', headers: { ...protocolHeaders, authorization: `Bearer ${till.token}` }, payload: { rows: [insertRow(aCustomer(till.ctx(seed.cashier)))] } });
    const statuses = [await push(a), await push(b), await push(a), await push(b)].map((r) => r.statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('trustProxy makes the forwarded address the one an enrolment is counted by', async () => {
    const app = await limited({ trustProxy: ['127.0.0.1'] });
    const enrol = (from: string) => app.inject({ method: 'POST', url: '/v1/enrol', headers: { ...protocolHeaders, 'x-forwarded-for': from }, payload: { code: 'AAAA-AAAA', deviceName: 'x' } });
    expect((await enrol('198.51.100.1')).statusCode).toBe(401);
    expect((await enrol('198.51.100.1')).statusCode).toBe(401);
    expect((await enrol('198.51.100.1')).statusCode).toBe(429);
    expect((await enrol('198.51.100.2')).statusCode).toBe(401);
  });
});
