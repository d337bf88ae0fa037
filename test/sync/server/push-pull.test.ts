import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aRedeem, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal, startServerFixture, type ServerFixture } from '../../helpers/sync-server.ts';

describe.each(DATABASE_KINDS)('push and pull semantics on %s', (kind) => {
  let tdb: TestDatabase;
  let seed: SeededMerchant;
  let till: TestTerminal;

  let fixture: ServerFixture | undefined;

  beforeAll(async () => {
    fixture = await startServerFixture(kind);
    ({ tdb, seed, till } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  async function rowCount(table: string): Promise<number> {
    const { rows } = await tdb.db.query<{ n: string | number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return Number(rows[0]?.n);
  }
  async function versionOf(table: string, id: string): Promise<string> {
    const { rows } = await tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM ${table} WHERE id = $1`, [id]);
    return rows[0]?.v ?? 'missing';
  }

  it('inserts a new document and stores exactly what was pushed', async () => {
    const customer = aCustomer(till.ctx(seed.cashier));
    expect(await till.push('customers', [insertRow(customer)])).toEqual({ conflicts: [], rejected: [] });
    const pulled = await till.pullAll('customers');
    expect(pulled.find((d) => d.id === customer.id)).toEqual(customer);
  });

  it('answers a replay (ack lost) with success and writes no new version', async () => {
    const customer = aCustomer(till.ctx(seed.cashier));
    await till.push('customers', [insertRow(customer)]);
    const before = await versionOf('customers', customer.id);
    expect(await till.push('customers', [insertRow(customer)])).toEqual({ conflicts: [], rejected: [] });
    expect(await till.push('customers', [updateRow(customer, customer)])).toEqual({ conflicts: [], rejected: [] });
    expect(await versionOf('customers', customer.id)).toBe(before);
  });

  it('updates when the assumed master state matches, and answers a stale one with the stored state', async () => {
    const customer = aCustomer(till.ctx(seed.cashier));
    await till.push('customers', [insertRow(customer)]);
    const edited = editCustomer(customer, { company: 'espresso, no sugar' }, till.ctx(seed.cashier), 'IR');
    const v1 = await versionOf('customers', customer.id);
    expect(await till.push('customers', [updateRow(edited, customer)])).toEqual({ conflicts: [], rejected: [] });
    expect(BigInt(await versionOf('customers', customer.id))).toBeGreaterThan(BigInt(v1));

    const stale = editCustomer(customer, { name: 'Ahmad M.' }, till.ctx(seed.cashier), 'IR');
    const answer = await till.push('customers', [updateRow(stale, customer)]);
    expect(answer.conflicts).toEqual([edited]);
    expect(answer.rejected).toEqual([]);
    // An "insert" of an id that exists with other content is a conflict too.
    expect((await till.push('customers', [insertRow(stale)])).conflicts).toEqual([edited]);
  });

  it('pulls in version order with a gapless checkpoint and caps the batch size', async () => {
    const ctx = till.ctx(seed.cashier);
    const batch = Array.from({ length: 25 }, () => aCustomer(ctx));
    await till.push('customers', batch.map(insertRow));
    const first = await till.pull('customers', undefined, 10);
    expect(first.documents).toHaveLength(10);
    const rest = await till.pullAll('customers');
    expect(rest.map((d) => d.id)).toEqual(expect.arrayContaining(batch.map((c) => c.id)));
    const page = await till.pull('customers', first.checkpoint!.v, 100_000);
    expect(page.documents.length).toBeLessThanOrEqual(1000);
    const empty = await till.pull('customers', '999999999', 10);
    expect(empty).toEqual({ documents: [], checkpoint: { v: '999999999' } });
  });

  it('quarantines a document that fails the schema instead of failing the batch', async () => {
    const ctx = till.ctx(seed.cashier);
    const good = aCustomer(ctx);
    const bad = { ...aCustomer(ctx), name: 'x' };
    const before = await rowCount('rejected_writes');
    const answer = await till.push('customers', [insertRow(bad), insertRow(good)]);
    expect(answer.rejected).toEqual([{ id: bad.id, code: 'VALIDATION_FAILED' }]);
    expect(answer.conflicts).toEqual([{ ...bad, _deleted: true }]);
    expect(await rowCount('rejected_writes')).toBe(before + 1);
    const pulled = await till.pullAll('customers');
    expect(pulled.some((d) => d.id === good.id)).toBe(true);
    expect(pulled.some((d) => d.id === bad.id)).toBe(false);
    const inbox = await till.pullAll('inbox');
    expect(inbox).toContainEqual(expect.objectContaining({ kind: 'rejected_write', relatedId: bad.id, code: 'VALIDATION_FAILED' }));
  });

  it('raises one inbox item per terminal, document and hour: a replay and a later refused edit find it', async () => {
    const bad = { ...aCustomer(till.ctx(seed.cashier)), name: 'y' };
    await till.push('customers', [insertRow(bad)]);
    await till.push('customers', [insertRow(bad)]);
    const items = async () => (await till.pullAll('inbox')).filter((d) => d.kind === 'rejected_write' && d.relatedId === bad.id);
    expect(await items()).toHaveLength(1);
    await till.push('customers', [insertRow({ ...bad, updatedAt: new Date(Date.parse(bad.updatedAt) + 1_000).toISOString() })]);
    expect(await items()).toHaveLength(1);
  });

  it('enforces roles: cashiers do not edit rewards, settings or staff, managers edit rewards', async () => {
    const now = new Date().toISOString();
    const reward = {
      id: newId(), merchantId: seed.merchantId, updatedAt: now, _deleted: false, name: 'Free espresso', description: '',
      type: 'freeItem', itemName: 'Item', percent: 0, cap: null, pointsCost: 200, value: 45_000, stock: null, minTier: null, validFrom: null, validUntil: null, active: true,
      updatedBy: seed.cashier.id,
    };
    const refused = await till.push('rewards', [insertRow(reward)]);
    expect(refused.rejected).toEqual([{ id: reward.id, code: 'FORBIDDEN' }]);
    const byManager = { ...reward, updatedBy: seed.manager.id };
    expect(await till.push('rewards', [insertRow(byManager)])).toEqual({ conflicts: [], rejected: [] });

    const staffEdit = { ...seed.cashier, role: 'owner', updatedAt: now };
    const answer = await till.push('staff', [updateRow(staffEdit, seed.cashier)]);
    expect(answer.rejected).toEqual([{ id: seed.cashier.id, code: 'FORBIDDEN' }]);
    expect(answer.conflicts).toEqual([seed.cashier]);
  });

  it('refuses a cashier erase and a big cashier adjustment, allows both for a manager', async () => {
    const ctx = till.ctx(seed.cashier);
    const customer = aCustomer(ctx);
    await till.push('customers', [insertRow(customer)]);
    const erased = { ...customer, _deleted: true, updatedAt: new Date().toISOString() };
    expect((await till.push('customers', [updateRow(erased, customer)])).rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
    const byManager = { ...erased, updatedBy: seed.manager.id };
    expect(await till.push('customers', [updateRow(byManager, customer)])).toEqual({ conflicts: [], rejected: [] });

    const { ledgerEntry } = await import('../../../src/sync/model/document-builders.ts');
    const big = ledgerEntry({ kind: 'adjust', points: 5000, customerId: customer.id }, ctx);
    expect((await till.push('loyaltyEntries', [insertRow(big)])).rejected).toEqual([{ id: big.id, code: 'FORBIDDEN' }]);
    const small = ledgerEntry({ kind: 'adjust', points: 50, customerId: customer.id }, ctx);
    expect((await till.push('loyaltyEntries', [insertRow(small)])).rejected).toEqual([]);
    const managerBig = ledgerEntry({ kind: 'adjust', points: 5000, customerId: customer.id }, till.ctx(seed.manager));
    expect((await till.push('loyaltyEntries', [insertRow(managerBig)])).rejected).toEqual([]);
  });

  it('keeps visits and ledger entries append-only, except a void', async () => {
    const ctx = till.ctx(seed.cashier);
    const customer = aCustomer(ctx);
    await till.push('customers', [insertRow(customer)]);
    const { visit, earn } = aVisit(ctx, customer.id, 125_000, 125);
    await till.push('visits', [insertRow(visit)]);
    await till.push('loyaltyEntries', [insertRow(earn!)]);

    const rewritten = { ...visit, total: 1, updatedAt: new Date().toISOString() };
    expect((await till.push('visits', [updateRow(rewritten, visit)])).rejected).toEqual([{ id: visit.id, code: 'FORBIDDEN' }]);
    const inflated = { ...earn!, points: 9999 };
    expect((await till.push('loyaltyEntries', [updateRow(inflated, earn!)])).rejected).toEqual([{ id: earn!.id, code: 'FORBIDDEN' }]);

    const { voidVisit } = await import('../../../src/sync/model/document-builders.ts');
    const voided = voidVisit(visit, earn, 'wrong customer', ctx);
    expect(await till.push('visits', [updateRow(voided.visit, visit)])).toEqual({ conflicts: [], rejected: [] });
    expect(await till.push('loyaltyEntries', [insertRow(voided.reversal!)])).toEqual({ conflicts: [], rejected: [] });
  });

  it("refuses an earning entry whose id is not derived from its visit", async () => {
    const ctx = till.ctx(seed.cashier);
    const { earn } = aVisit(ctx, newId(), 10_000, 10);
    const forged = { ...earn!, id: newId() };
    expect((await till.push('loyaltyEntries', [insertRow(forged)])).rejected).toEqual([{ id: forged.id, code: 'VALIDATION_FAILED' }]);
  });

  it('keeps an overdrawing redemption and raises it in the inbox', async () => {
    const ctx = till.ctx(seed.cashier, true);
    const customer = aCustomer(ctx);
    await till.push('customers', [insertRow(customer)]);
    const { visit, earn } = aVisit(ctx, customer.id, 300_000, 300);
    await till.push('visits', [insertRow(visit)]);
    await till.push('loyaltyEntries', [insertRow(earn!)]);
    const first = aRedeem(ctx, customer.id, 250);
    const second = aRedeem(ctx, customer.id, 250);
    expect(await till.push('loyaltyEntries', [insertRow(first), insertRow(second)])).toEqual({ conflicts: [], rejected: [] });
    const entries = await till.pullAll('loyaltyEntries');
    expect(entries.filter((e) => e.customerId === customer.id)).toHaveLength(3);
    const inbox = await till.pullAll('inbox');
    const overdrafts = inbox.filter((i) => i.kind === 'overdraft' && i.customerId === customer.id);
    expect(overdrafts).toEqual([expect.objectContaining({ relatedId: second.id, details: expect.objectContaining({ balance: '-200' }) })]);
  });

  it('merges the same phone signed up twice: earlier id wins, loser gets mergedInto, inbox item; undo sticks', async () => {
    const ctxA = till.ctx(seed.cashier, true);
    const first = aCustomer(ctxA, { name: 'Maryam Ahmadi' });
    const second = aCustomer(ctxA, { phone: first.phone, name: 'Maryam Ahmady' });
    expect(first.id < second.id).toBe(true);
    // The later sign-up reaches the server first.
    await till.push('customers', [insertRow(second)]);
    await till.push('customers', [insertRow(first)]);
    const customers = await till.pullAll('customers');
    const loser = customers.find((c) => c.id === second.id)!;
    expect(loser.mergedInto).toBe(first.id);
    expect(customers.find((c) => c.id === first.id)!.mergedInto).toBeNull();
    const inbox = await till.pullAll('inbox');
    expect(inbox).toContainEqual(expect.objectContaining({ kind: 'duplicate', customerId: first.id, relatedId: second.id }));

    const undone = { ...loser, mergedInto: null, updatedAt: new Date().toISOString(), updatedBy: seed.manager.id };
    expect(await till.push('customers', [updateRow(undone, loser)])).toEqual({ conflicts: [], rejected: [] });
    const after = (await till.pullAll('customers')).find((c) => c.id === second.id)!;
    expect(after.mergedInto).toBeNull();
  });

  it("does not merge a sign-up whose phone is another customer's second phone (or vice versa): an inbox item asks a manager", async () => {
    const ctx = till.ctx(seed.cashier, true);
    const parent = aCustomer(ctx, { name: 'Sara Ahmadi' });
    const family = aCustomer(ctx).phone;
    const withSecond = editCustomer(parent, { phone2: family }, ctx, 'IR');
    await till.push('customers', [insertRow(parent)]);
    await till.push('customers', [updateRow(withSecond, parent)]);
    // A child signs up offline with the family phone; another customer signs up giving the parent's own number as a second phone.
    const child = aCustomer(ctx, { phone: family, name: 'Nima Ahmadi' });
    const spouse = aCustomer(ctx, { phone2: parent.phone, name: 'Reza Ahmadi' });
    expect(await till.push('customers', [insertRow(child), insertRow(spouse)])).toEqual({ conflicts: [], rejected: [] });
    const customers = await till.pullAll('customers');
    for (const id of [parent.id, child.id, spouse.id]) expect(customers.find((c) => c.id === id)!.mergedInto).toBeNull();
    const shared = (await till.pullAll('inbox')).filter((i) => i.code === 'SHARED_PHONE');
    expect(shared).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'duplicate', status: 'open', customerId: parent.id, relatedId: child.id, details: {} }),
      expect.objectContaining({ kind: 'duplicate', status: 'open', customerId: parent.id, relatedId: spouse.id, details: {} }),
    ]));
    expect(shared.filter((i) => [child.id, spouse.id].includes(i.relatedId as string))).toHaveLength(2);
    // A replay raises no second item.
    await till.push('customers', [insertRow(child)]);
    expect((await till.pullAll('inbox')).filter((i) => i.code === 'SHARED_PHONE' && i.relatedId === child.id)).toHaveLength(1);
  });

  it('answers 426 to a client without the current protocol and writes nothing', async () => {
    const customer = aCustomer(till.ctx(seed.cashier));
    const before = await rowCount('customers');
    const response = await till.request('POST', '/v1/push/customers', { rows: [insertRow(customer)] }, { 'x-patron-protocol': '0' });
    expect(response.statusCode).toBe(426);
    expect(response.json().error.code).toBe('PROTOCOL_OUTDATED');
    expect(await rowCount('customers')).toBe(before);
  });
});

describe('reward stock follows redemptions', () => {
  it('takes one from a stock-limited reward per redemption, never below zero', async () => {
    const tdb = await createTestDatabase('pglite');
    const app = await testApp(tdb.db);
    try {
      const seed = await seedMerchant(tdb.db);
      const till = await enrolTerminal(app, tdb.db, seed);
      const now = new Date().toISOString();
      const reward = {
        id: newId(), merchantId: seed.merchantId, updatedAt: now, _deleted: false, name: 'Mug', description: '',
        type: 'freeItem', itemName: 'Item', percent: 0, cap: null, pointsCost: 100, value: 0, stock: 2, minTier: null, validFrom: null, validUntil: null, active: true, updatedBy: seed.manager.id,
      };
      await till.push('rewards', [insertRow(reward)]);
      const ctx = till.ctx(seed.cashier);
      const customer = aCustomer(ctx);
      await till.push('customers', [insertRow(customer)]);
      const { ledgerEntry } = await import('../../../src/sync/model/document-builders.ts');
      const redeem = () => ledgerEntry({ kind: 'redeem', points: -100, customerId: customer.id, rewardId: reward.id }, ctx);
      await till.push('loyaltyEntries', [insertRow(redeem())]);
      expect((await till.pullAll('rewards')).find((r) => r.id === reward.id)?.stock).toBe(1);
      await till.push('loyaltyEntries', [insertRow(redeem()), insertRow(redeem())]);
      expect((await till.pullAll('rewards')).find((r) => r.id === reward.id)?.stock).toBe(0);
    } finally {
      await app.close();
      await tdb.drop();
    }
  });
});
