// Issue 14 "Trust": each attack a hostile terminal (or network peer) can make with a valid token, and the answer
// it now gets. docs/security.md's attack table points here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer } from '../../../src/sync/model/document-builders.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import type { Database, Queryable } from '../../../src/sync/server/db/database.ts';
import { purgeTombstones } from '../../../src/sync/server/sync/horizons.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, protocolHeaders, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';

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
        const bad = { ...aCustomer(till.ctx(seed.cashier)), notes: 'DEEP' };
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
      const bad = aCustomer(till.ctx(seed.cashier), { notes: POISON });
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
    });
  });
});
