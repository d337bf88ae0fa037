import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { createLookupIndex, type LookupIndex } from '../../../src/sync/client/lookup-index.ts';
import { lookupInReplica, lookupPlan } from '../../../src/sync/client/lookup.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { phoneKeys } from '../../../src/sync/model/phone.ts';
import { recordQueryPlans } from '../../helpers/query-plans.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

const ctx: WriteContext = {
  merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-01-10T10:00:00.000Z', offline: false,
};
const local = <T extends { _deleted: boolean }>(doc: T): Omit<T, '_deleted'> => {
  const { _deleted, ...rest } = doc;
  return rest;
};

const TYPED = [
  '0912', '۰۹۱۲', '۰۹۳۵ ۱۲', '+98912345', '0044 20', '09', '0', '4567', '٤٥٦٧', '6789', '0053', '۰۰۵۳', '053', '0958', '00',
  'علی', 'علي', 'علی ر', 'كاظمي', 'کاظمی', 'fatemeh', 'FAT', 'zz', '', '  ', 'a', 'سارا',
];

/**
 * The texts both executors answer alike: phone ranges. Names differ on purpose once the text search is built
 * (any word, typos, inner parts; the replica reads the name from its start) — text-search.test.ts covers them.
 */
const PHONE_TYPED = TYPED.filter((typed) => lookupPlan(typed, 'IR').every((probe) => probe.field === 'phoneKey' || probe.field === 'phoneReversed'));

/** The replica's own indexes, as the terminal asks them until the in-memory index has filled. */
const lookupCustomers = (db: PatronDatabase, typed: string, region: string, limit: number) => lookupInReplica(db, lookupPlan(typed, region), limit);

describe('the lookup index answers as the replica’s indexes do, for the same lookup plans', () => {
  let db: PatronDatabase;
  let index: LookupIndex;
  const people: Customer[] = [];

  beforeAll(async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `l${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers'] });
    people.push(
      newCustomer({ phone: '09123456789', name: 'علی رضایی' }, ctx, 'IR'),
      newCustomer({ phone: '09121114567', name: 'علي كاظمي' }, ctx, 'IR'),
      newCustomer({ phone: '09351234567', name: 'Fatemeh Ahmadi' }, ctx, 'IR'),
      newCustomer({ phone: '+44 20 7946 0958', name: 'John Smith' }, ctx, 'IR'),
      newCustomer({ phone: '09120000053', name: 'سارا محمدی' }, ctx, 'IR'),
      newCustomer({ phone: '09350530053', name: 'سارا کریمی' }, ctx, 'IR'),
    );
    // Enough customers for several pages of the fill and for limits to cut the results.
    for (let i = 0; i < 4500; i++) {
      const phone = `0912${String(1_000_000 + i * 7).padStart(7, '0')}`;
      people.push(newCustomer({ phone, name: `${i % 2 ? 'علی' : 'Ali'} Test ${i}` }, ctx, 'IR'));
    }
    await db.customers.bulkInsert(people.map(local));
    index = createLookupIndex(db);
  });
  afterAll(async () => {
    index?.stop();
    await db?.remove();
  });

  const expectSame = async (limit = 20) => {
    for (const typed of PHONE_TYPED) expect({ typed, results: index.run(lookupPlan(typed, 'IR'), limit) }).toEqual({ typed, results: await lookupCustomers(db, typed, 'IR', limit) });
  };

  it('answers null until filled, then the same results in the same order', async () => {
    expect(index.run(lookupPlan('0912', 'IR'))).toBeNull();
    await index.ready;
    expect(index.run(lookupPlan('0912', 'IR'))).toHaveLength(20);
    await expectSame();
    await expectSame(5);
    await expectSame(100);
  });

  it('follows inserts, phone edits and deletes', async () => {
    await index.ready;
    const newcomer = newCustomer({ phone: '09390001234', name: 'Zahra Karimi' }, ctx, 'IR');
    await db.customers.insert(local(newcomer));
    expect(index.run(lookupPlan('zahra', 'IR'))?.map((c) => c.id)).toEqual([newcomer.id]);
    expect(index.run(lookupPlan('1234', 'IR'))?.map((c) => c.id)).toContain(newcomer.id);

    const doc = await db.customers.findOne(newcomer.id).exec();
    await doc!.incrementalPatch({ phone: '+989391110053', ...phoneKeys('+989391110053', 'IR') });
    expect(index.run(lookupPlan('09390001', 'IR'))).toEqual([]);
    expect(index.run(lookupPlan('0939111', 'IR'))?.map((c) => c.phone)).toEqual(['+989391110053']);
    expect(index.run(lookupPlan('0053', 'IR'))?.map((c) => c.id)).toContain(newcomer.id);
    await expectSame();

    await (await db.customers.findOne(newcomer.id).exec())!.remove();
    expect(index.run(lookupPlan('zahra', 'IR'))).toEqual([]);
    expect(index.run(lookupPlan('0939111', 'IR'))).toEqual([]);
    await expectSame();
  });

  it('follows a bulk write of many customers (an import batch) and its bulk deletion, as it follows single writes', async () => {
    await index.ready;
    const batch = Array.from({ length: 300 }, (_, i) => newCustomer({ phone: `0990${String(2_000_000 + i).slice(-7)}`, name: `Bulk Person ${i}`, email: `bulk${i}@example.com` }, ctx, 'IR'));
    await db.customers.bulkInsert(batch.map(local));
    expect(index.exact('email', 'bulk7@example.com').map((c) => c.id)).toEqual([batch[7]!.id]);
    expect(index.exact('phoneKey', batch[299]!.phoneKey).map((c) => c.id)).toEqual([batch[299]!.id]);
    for (const typed of ['0990', '09902000', '0299', ...PHONE_TYPED]) expect({ typed, results: index.run(lookupPlan(typed, 'IR'), 50) }).toEqual({ typed, results: await lookupCustomers(db, typed, 'IR', 50) });
    // A bulk that changes customers the index holds: their old keys go, their new ones come.
    await db.customers.bulkUpsert(batch.map((c) => local({ ...c, email: `moved${c.id}@example.com` })));
    expect(index.exact('email', 'bulk7@example.com')).toEqual([]);
    expect(index.exact('email', `moved${batch[7]!.id}@example.com`).map((c) => c.id)).toEqual([batch[7]!.id]);
    await expectSame();
    await db.customers.bulkRemove(batch.map((c) => c.id));
    const gone = new Set(batch.map((c) => c.id));
    expect(index.run(lookupPlan('0990', 'IR'), 500)?.filter((c) => gone.has(c.id))).toEqual([]);
    expect(index.exact('phoneKey', batch[0]!.phoneKey)).toEqual([]);
    expect(index.exact('email', 'bulk7@example.com')).toEqual([]);
    await expectSame();
  });

  it('fills through index-range pages; customers written during the fill are in it once, as last written', async () => {
    const recorder = recordQueryPlans(db.customers);
    const second = createLookupIndex(db);
    const [edited, removed] = [people[0]!, people[1]!];
    await (await db.customers.findOne(edited.id).exec())!.incrementalPatch({ name: 'Ziba Renamed', nameKey: 'ziba renamed' });
    await (await db.customers.findOne(removed.id).exec())!.remove();
    await second.ready;
    recorder.stop();
    try {
      expect(recorder.plans.length).toBeGreaterThanOrEqual(3); // 4,505 customers in pages of 2,000
      for (const plan of recorder.plans) expect(plan).toMatchObject({ sortSatisfiedByIndex: true });
      expect(second.run(lookupPlan('ziba', 'IR'))?.map((c) => c.id)).toEqual([edited.id]);
      expect(second.run(lookupPlan('09121114567', 'IR'))).toEqual([]); // the removed one's phone
      for (const typed of PHONE_TYPED) expect({ typed, results: second.run(lookupPlan(typed, 'IR'), 50) }).toEqual({ typed, results: await lookupCustomers(db, typed, 'IR', 50) });
    } finally {
      second.stop();
    }
  });
});
