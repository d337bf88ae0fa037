import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { createLookupIndex, type LookupIndex } from '../../../src/sync/client/lookup-index.ts';
import { createMergeIndex, type MergeIndex } from '../../../src/sync/client/merge-index.ts';
import { createCustomerLookup, type CustomerLookup } from '../../../src/sync/client/queries/customer-lookup.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { memberCode, memberCodeOf, memberCustomerId } from '../../../src/sync/model/member-code.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

// The counter's lookup as issue 19.1 and 17.5 ask it: any word of the name with a typo or an inner part,
// Persian/Arabic folding, e-mail, member codes, "20 of 200+", last 7 digits and numbers without their 0.

const ctx: WriteContext = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-01-10T10:00:00.000Z', offline: false };
const local = <T extends { _deleted: boolean }>(doc: T): Omit<T, '_deleted'> => {
  const { _deleted, ...rest } = doc;
  return rest;
};

describe('the counter lookup finds customers by any word, e-mail and member code, and counts honestly', () => {
  let db: PatronDatabase;
  let index: LookupIndex;
  let merges: MergeIndex;
  let lookup: CustomerLookup;
  const named: Record<string, Customer> = {};

  beforeAll(async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `d${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers'] });
    const coded = memberCustomerId(7, 425, Date.parse(ctx.now));
    Object.assign(named, {
      reza: newCustomer({ phone: '09124421234', name: 'Ali Reza Mohammadi', email: 'ali.m@example.com' }, ctx, 'IR'),
      zahra: newCustomer({ phone: '09351112233', name: 'زهرا‌سادات کریمی' }, ctx, 'IR'),
      kazemi: newCustomer({ phone: '09127778899', name: 'علي كاظمي' }, ctx, 'IR'),
      coded: newCustomer({ phone: '09191234567', name: 'Sara Coded' }, ctx, 'IR', coded),
    });
    const crowd: Customer[] = [];
    for (let i = 0; i < 260; i++) crowd.push(newCustomer({ phone: `0912${String(3_000_000 + i * 13).padStart(7, '0')}`, name: `Crowd Person ${i}` }, ctx, 'IR'));
    await db.customers.bulkInsert([...Object.values(named), ...crowd].map(local));
    index = createLookupIndex(db);
    merges = createMergeIndex(db);
    lookup = createCustomerLookup({ db, index, merges, region: () => 'IR' });
    await index.ready;
  });
  afterAll(async () => {
    lookup?.stop();
    index?.stop();
    await db?.remove();
  });

  const ids = (typed: string) => lookup.answer(typed, 20)!.customers.map((c) => c.id);

  it('finds a middle name, a typo, an inner part, words in any order', () => {
    expect(ids('reza')).toEqual([named.reza!.id]);
    expect(ids('rezza')).toEqual([named.reza!.id]); // one typo
    expect(ids('mohamadi')).toEqual([named.reza!.id]); // one typo in a later word
    expect(ids('hammadi')).toEqual([named.reza!.id]); // inside a word
    expect(ids('mohammadi ali')).toEqual([named.reza!.id]);
  });

  it('folds Persian and Arabic letters and ZWNJ the same way for what was saved and what is typed', () => {
    expect(ids('کاظمی')).toEqual([named.kazemi!.id]); // saved with Arabic yeh and kaf
    expect(ids('سادات')).toEqual([named.zahra!.id]); // the second part of a ZWNJ name
    expect(ids('کریمي')).toEqual([named.zahra!.id]);
  });

  it('finds an e-mail by its start', () => {
    expect(ids('ali.m@')).toEqual([named.reza!.id]);
    expect(ids('ALI.M@EXAMPLE.COM')).toEqual([named.reza!.id]);
  });

  it('finds the last 7 digits, and a number typed without its leading 0', () => {
    expect(ids('4421234')).toContain(named.reza!.id);
    expect(ids('912442')).toContain(named.reza!.id);
    expect(ids('۹۱۲۴۴۲۱۲')).toEqual([named.reza!.id]);
  });

  it('finds a member code as typed or scanned, and names its holder when it is complete', () => {
    const code = memberCode(7, 425);
    expect(memberCodeOf(named.coded!.id)).toBe(code);
    expect(ids(code)).toEqual([named.coded!.id]);
    expect(lookup.answer(code, 20)!.codeHolder).toBe(named.coded!.id);
    expect(lookup.answer(code.slice(0, -1), 20)!.codeHolder).toBeNull(); // not complete yet
    // A customer without a code in its id has one derived from the id, found the same way.
    const derived = memberCodeOf(named.zahra!.id);
    expect(derived).toMatch(/^0-\d{13}$/);
    expect(lookup.answer(derived, 20)!.codeHolder).toBe(named.zahra!.id);
  });

  it('says how many match: exactly up to 200, then "200+"', () => {
    const wide = lookup.answer('0912', 20)!;
    expect(wide.customers).toHaveLength(20);
    expect(wide).toMatchObject({ total: 200, more: true });
    const crowd = lookup.answer('crowd person 1', 20)!; // 1, 10–19, 100–199
    expect(crowd).toMatchObject({ total: 111, more: false });
    expect(lookup.answer('Sara Coded', 20)).toMatchObject({ total: 1, more: false });
  });

  it('follows the change stream: an edited name is found by its new words only', async () => {
    const doc = await db.customers.findOne(named.kazemi!.id).exec();
    await doc!.incrementalPatch({ name: 'Nima Tehrani', nameKey: 'nima tehrani' });
    expect(ids('tehrani')).toEqual([named.kazemi!.id]);
    expect(ids('کاظمی')).toEqual([]);
  });
});
