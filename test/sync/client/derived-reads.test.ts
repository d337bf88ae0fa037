import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { BehaviorSubject, firstValueFrom } from 'rxjs';
import { createLedgerIndex } from '../../../src/sync/client/ledger-index.ts';
import { lookupInReplica, lookupPlan } from '../../../src/sync/client/lookup.ts';
import { createMergeIndex } from '../../../src/sync/client/merge-index.ts';
import { customerCardQueries } from '../../../src/sync/client/queries/customer-card.ts';
import { MAX_PIN_FAILURES, memoryAttemptStore, signIn } from '../../../src/sync/client/session.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { ledgerEntry, newCustomer, newVisit, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { hashPin } from '../../../src/sync/model/pin.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

const ctx: WriteContext = {
  merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-01-10T10:00:00.000Z', offline: false,
};
const local = <T extends { _deleted: boolean }>(doc: T): Omit<T, '_deleted'> => {
  const { _deleted, ...rest } = doc;
  return rest;
};

/** The lookup on the replica's own indexes (what the counter asks until its in-memory index has filled). */
const lookupCustomers = (db: PatronDatabase, typed: string, region: string, limit = 20) => lookupInReplica(db, lookupPlan(typed, region), limit);

describe('counter reads on a real RxDB replica', () => {
  let db: PatronDatabase;
  const people: Customer[] = [];

  beforeAll(async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `r${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries'] });
    people.push(
      newCustomer({ phone: '09123456789', name: 'علی رضایی' }, ctx, 'IR'),
      newCustomer({ phone: '09121114567', name: 'علي كاظمي' }, ctx, 'IR'),
      newCustomer({ phone: '09351234567', name: 'Fatemeh Ahmadi' }, ctx, 'IR'),
      newCustomer({ phone: '+44 20 7946 0958', name: 'John Smith' }, ctx, 'IR'),
    );
    await db.customers.bulkInsert(people.map(local));
  });
  afterAll(async () => {
    await db?.remove();
  });

  const names = async (typed: string) => (await lookupCustomers(db, typed, 'IR')).map((c) => c.name).sort();

  it('finds by national prefix as typed, with Persian digits and spaces', async () => {
    expect(await names('0912')).toEqual(['علي كاظمي', 'علی رضایی'].sort());
    expect(await names('۰۹۳۵ ۱۲')).toEqual(['Fatemeh Ahmadi']);
    expect(await names('+98912345')).toEqual(['علی رضایی']);
    expect(await names('0044 20')).toEqual(['John Smith']);
  });

  it('finds by the last digits ("last four?")', async () => {
    expect(await names('4567')).toEqual(['Fatemeh Ahmadi', 'علي كاظمي'].sort());
    expect(await names('6789')).toEqual(['علی رضایی']);
    expect(await names('٤٥٦٧')).toEqual(['Fatemeh Ahmadi', 'علي كاظمي'].sort());
  });

  it('finds by folded name: Arabic and Persian letter variants, Latin case', async () => {
    expect(await names('علی')).toEqual(['علي كاظمي', 'علی رضایی'].sort());
    expect(await names('fatemeh')).toEqual(['Fatemeh Ahmadi']);
    expect(await names('zz')).toEqual([]);
  });

  it('every lookup is a range on an index, sorted by it', () => {
    for (const [field, key] of [['phoneKey', '0912'], ['phoneReversed', '7654'], ['nameKey', 'ali']] as const) {
      const plan = db.customers.find({ selector: { [field]: { $gte: key, $lt: `${key}\uffff` } }, sort: [{ [field]: 'asc' }], limit: 20 }).getPreparedQuery().queryPlan;
      expect(plan.index).toEqual(['_deleted', field, 'id']);
      expect(plan.sortSatisfiedByIndex).toBe(true);
    }
  });

  it('keeps balance, tier and progress incrementally and equal to the ledger sum', async () => {
    const customer = people[0]!;
    const ledger = createLedgerIndex(db, () => DEFAULT_PROGRAM);
    const { visit, earn } = newVisit({ customerId: customer.id, items: [], amount: 600_000, currency: 'IRR', paymentMethod: 'cash' }, 600, ctx);
    await db.visits.insert(local(visit));
    await db.loyaltyEntries.insert(local(earn!));
    expect(await ledger.summary(customer.id)).toMatchObject({ balance: 600, tier: 'silver', next: 'gold', pointsToNext: 400 });
    const seen: number[] = [];
    const sub = ledger.summary$(customer.id).subscribe((s) => seen.push(s.balance));
    await db.loyaltyEntries.insert(local(ledgerEntry({ kind: 'redeem', points: -200, customerId: customer.id }, ctx)));
    expect(await ledger.summary(customer.id)).toMatchObject({ balance: 400, tier: 'silver', redeemed: 200 });
    expect(seen.at(-1)).toBe(400);
    sub.unsubscribe();
    ledger.stop();
  });

  it('follows mergedInto: a merged duplicate’s ledger and visits count for the survivor', async () => {
    const [survivor, , ,] = people;
    const duplicate = newCustomer({ phone: '09123456789', name: 'Ali Rezaei' }, ctx, 'IR');
    await db.customers.insert(local({ ...duplicate, mergedInto: survivor!.id }));
    const { visit, earn } = newVisit({ customerId: duplicate.id, items: [], amount: 100_000, currency: 'IRR', paymentMethod: 'card' }, 100, ctx);
    await db.visits.insert(local(visit));
    await db.loyaltyEntries.insert(local(earn!));
    const merges = createMergeIndex(db);
    await merges.ready;
    expect(merges.rootOf(duplicate.id)).toBe(survivor!.id);
    const group = merges.groupOf(survivor!.id);
    expect(group.sort()).toEqual([survivor!.id, duplicate.id].sort());
    const ledger = createLedgerIndex(db, () => DEFAULT_PROGRAM);
    expect((await ledger.groupSummary(group)).balance).toBe(500);
    const card = customerCardQueries({ db, ledger, merges, settings$: new BehaviorSubject(null as never) });
    expect((await firstValueFrom(card.visits$(group))).map((v) => v.customerId)).toContain(duplicate.id);
    merges.stop();
    ledger.stop();
  });
});

describe('staff sign-in with a PIN, offline', () => {
  let staff: Staff;
  beforeAll(async () => {
    staff = {
      id: newId(), merchantId: ctx.merchantId, updatedAt: ctx.now, _deleted: false, name: 'Sara', role: 'cashier',
      pinHash: await hashPin('1234', randomBytes(16)), active: true, storeIds: [], updatedBy: null, publicKey: null, sealedKey: null,
    };
  });

  it('accepts the right PIN in Persian digits too', async () => {
    expect(await signIn(staff, '۱۲۳۴', memoryAttemptStore())).toEqual({ ok: true, staff });
  });

  it('locks out after repeated failures, even for the right PIN, and lifts the lock later', async () => {
    const attempts = memoryAttemptStore();
    const t0 = 1_000_000;
    for (let i = 1; i < MAX_PIN_FAILURES; i++) expect(await signIn(staff, '0000', attempts, t0)).toMatchObject({ ok: false, code: 'PIN_INVALID' });
    const locked = await signIn(staff, '0000', attempts, t0);
    expect(locked).toMatchObject({ ok: false, code: 'PIN_LOCKED' });
    expect(await signIn(staff, '1234', attempts, t0 + 1_000)).toMatchObject({ ok: false, code: 'PIN_LOCKED' });
    const retryAt = (locked as { retryAt: number }).retryAt;
    expect(await signIn(staff, '1234', attempts, retryAt + 1)).toMatchObject({ ok: true });
  });

  it('refuses inactive members like a wrong PIN', async () => {
    expect(await signIn({ ...staff, active: false }, '1234', memoryAttemptStore())).toMatchObject({ ok: false, code: 'PIN_INVALID' });
    expect(await signIn(null, '1234', memoryAttemptStore())).toMatchObject({ ok: false, code: 'PIN_INVALID' });
  });
});

describe('"last four" that starts with 0', () => {
  it('asks both the prefix and the last-digits index for 3–6 digits with a leading 0', async () => {
    enableDevMode();
    const db = await createPatronDatabase({ name: `z${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers'] });
    try {
      const a = newCustomer({ phone: '09121230053', name: 'Nima Karimi' }, ctx, 'IR');
      const b = newCustomer({ phone: '09053334444', name: 'Sima Karimi' }, ctx, 'IR');
      await db.customers.bulkInsert([a, b].map(local));
      const found = (await lookupCustomers(db, '0053', 'IR')).map((c) => c.name);
      expect(found).toEqual(['Nima Karimi']);
      const both = (await lookupCustomers(db, '۰۹۰۵', 'IR')).map((c) => c.name);
      expect(both).toContain('Sima Karimi');
    } finally {
      await db.remove();
    }
  });
});
