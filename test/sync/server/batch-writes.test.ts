import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer } from '../../../src/sync/model/document-builders.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import type { Queryable } from '../../../src/sync/server/db/database.ts';
import { applyPush } from '../../../src/sync/server/sync/push.ts';
import { DATABASE_KINDS, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aRedeem, insertRow, nextPhone, updateRow } from '../../helpers/documents.ts';
import { startServerFixture, type SeededMerchant, type ServerFixture, type TestTerminal } from '../../helpers/sync-server.ts';

/** A transaction handle that counts the statements run through it. */
function counting(tx: Queryable): { tx: Queryable; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    tx: {
      query: (sql, params) => {
        statements.push(sql);
        return tx.query(sql, params);
      },
      exec: (sql) => tx.exec(sql),
    },
  };
}

// Issue 16 item 1: a push batch reserves its versions with one clock update and reads and writes with
// set-based statements; the per-row trigger only guards that every row's version was reserved.
describe.each(DATABASE_KINDS)('push batches on %s: one clock update, set-based statements', (kind) => {
  let fixture: ServerFixture;
  let tdb: TestDatabase;
  let seed: SeededMerchant;
  let till: TestTerminal;

  beforeAll(async () => {
    fixture = await startServerFixture(kind);
    ({ tdb, seed, till } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const clock = async () => Number((await tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM merchant_clock WHERE merchant_id = $1`, [seed.merchantId])).rows[0]!.v);
  const push = (rows: readonly unknown[], collection: 'customers' | 'loyaltyEntries' = 'customers') =>
    tdb.db.transaction(async (raw) => {
      const counted = counting(raw);
      const outcome = await applyPush(counted.tx, { merchantId: seed.merchantId, terminalId: till.terminalId, storeId: till.storeId }, collection, rows as never);
      return { outcome, statements: counted.statements };
    });

  it('gives a batch consecutive versions in row order with one clock update, inserts and updates alike', async () => {
    const ctx = till.ctx(seed.cashier);
    const customers = Array.from({ length: 60 }, () => aCustomer(ctx));
    const before = await clock();
    const inserted = await push(customers.map(insertRow));
    expect(await clock()).toBe(before + 60);
    const edited = customers.map((c) => editCustomer(c, { name: `${c.name} دوم` }, till.ctx(seed.cashier), 'IR'));
    // The updates in reverse order: the feed must follow the batch's order, not the table's.
    const updated = await push(edited.map((doc, i) => updateRow(doc, customers[i]!)).reverse());
    expect(await clock()).toBe(before + 120);
    const { rows } = await tdb.db.query<{ id: string; v: string }>(`SELECT id, version::text AS v FROM customers WHERE merchant_id = $1 AND version > $2 ORDER BY version`, [seed.merchantId, before + 60]);
    expect(rows.map((row) => row.id)).toEqual(edited.map((c) => c.id).reverse());
    expect(rows.map((row) => Number(row.v))).toEqual(Array.from({ length: 60 }, (_, i) => before + 61 + i));
    for (const { statements } of [inserted, updated]) {
      expect(statements.filter((sql) => /merchant_clock/.test(sql) && !/FOR UPDATE/.test(sql))).toEqual([]);
      expect(statements.filter((sql) => /patron_reserve_versions/.test(sql))).toHaveLength(1);
    }
    // A fixed number of statements, whatever the batch size (lock, read, write; the duplicate check reads with the batch).
    expect(updated.statements.length).toBeLessThanOrEqual(4);
  });

  it('a ledger batch over many customers runs a fixed number of statements', async () => {
    const ctx = till.ctx(seed.cashier);
    const customers = Array.from({ length: 30 }, () => aCustomer(ctx));
    await push(customers.map(insertRow));
    const { outcome, statements } = await push(customers.map((c) => insertRow(aRedeem(till.ctx(seed.cashier, true), c.id, 5))), 'loyaltyEntries');
    expect(outcome.written).toBe(30);
    // Lock, read, write, merge groups with their balances, the overdraft findings (each redemption overdraws),
    // the ledger checks' reads (the lines named, the programme revisions, the held lines) and the terminal's
    // signed staff sessions — a fixed number, whatever the batch size.
    expect(statements.length).toBeLessThanOrEqual(9);
    expect(outcome.changed).toEqual(new Set(['loyaltyEntries', 'inbox']));
  });

  it('merges duplicate sign-ups against the customers as the batch leaves them', async () => {
    const ctx = () => till.ctx(seed.cashier);
    const mergedInto = async (id: string) => (await tdb.db.query<{ m: string | null }>(`SELECT doc->>'mergedInto' AS m FROM customers WHERE merchant_id = $1 AND id = $2`, [seed.merchantId, id])).rows[0]?.m;
    // Two sign-ups of one phone in one batch, and a third in a later batch: the earliest id wins both times.
    const phone = nextPhone();
    const [a, twin] = [aCustomer(ctx(), { phone }), aCustomer(ctx(), { phone })].sort((x, y) => (x.id < y.id ? -1 : 1)) as [Customer, Customer];
    const { outcome } = await push([insertRow(twin), insertRow(a)]);
    expect(outcome.changed).toEqual(new Set(['customers', 'inbox']));
    expect([await mergedInto(a.id), await mergedInto(twin.id)]).toEqual([null, a.id]);
    const third = aCustomer(ctx(), { phone });
    await push([insertRow(third)]);
    expect(await mergedInto(third.id)).toBe(a.id);
    // A batch that moves a stored customer to another number while signing someone up with the old one: no merge.
    const oldPhone = nextPhone();
    const stored = aCustomer(ctx(), { phone: oldPhone });
    await push([insertRow(stored)]);
    const moved = editCustomer(stored, { phone: nextPhone() }, ctx(), 'IR');
    const newcomer = aCustomer(ctx(), { phone: oldPhone });
    const result = await push([updateRow(moved, stored), insertRow(newcomer)]);
    expect(result.outcome.rejected).toEqual([]);
    expect(result.outcome.changed).toEqual(new Set(['customers']));
    expect([await mergedInto(stored.id), await mergedInto(newcomer.id)]).toEqual([null, null]);
  });

  it('the guard refuses a row whose version its transaction did not reserve', async () => {
    const ctx = till.ctx(seed.cashier);
    const customer: Customer = aCustomer(ctx);
    const insert = (version: string) => (tx: Queryable) =>
      tx.query(`INSERT INTO customers (merchant_id, id, doc, deleted, written_by, version) VALUES ($1, $2, $3::jsonb, false, 'test', ${version})`, [seed.merchantId, customer.id, JSON.stringify(customer)]);
    const before = await clock();
    await expect(tdb.db.transaction(insert(String(before + 1)))).rejects.toThrow(/outside the versions its transaction reserved/);
    await expect(tdb.db.transaction(insert('NULL'))).rejects.toThrow(/without a version/);
    await expect(
      tdb.db.transaction(async (tx) => {
        await tx.query(`SELECT patron_reserve_versions($1, 2)`, [seed.merchantId]);
        await insert(String(before + 3))(tx);
      }),
    ).rejects.toThrow(/outside the versions/);
    await tdb.db.transaction(async (tx) => {
      await tx.query(`SELECT patron_reserve_versions($1, 2)`, [seed.merchantId]);
      await insert(String(before + 2))(tx);
    });
    // An update that keeps the old version is refused too: the feed would never carry it.
    await expect(tdb.db.transaction((tx) => tx.query(`UPDATE customers SET doc = doc WHERE merchant_id = $1 AND id = $2`, [seed.merchantId, customer.id]))).rejects.toThrow(/outside the versions/);
    expect(await clock()).toBe(before + 2);
  });
});
