import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import {
  createCustomerList,
  readChunk,
  type Chunk,
  type ListCursor,
  type RowFacts,
} from '../../../src/sync/client/queries/customer-list.ts';
import { findLikelyDuplicates } from '../../../src/sync/client/queries/duplicates.ts';
import { createLookupIndex } from '../../../src/sync/client/lookup-index.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { newCustomer } from '../../../src/sync/model/document-builders.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';
import { FIXED_CONTEXT } from '../../helpers/documents.ts';

const ctx = FIXED_CONTEXT;

// Names with many ties (the same name on several customers), so keyset pagination must not lose or repeat any.
const NAMES = [
  'Ali Rezaei',
  'Ali Rezaei',
  'Ali Rezaei',
  'Ali Rezaei',
  'Ali Rezaei',
  'Bita Karimi',
  'زهرا محمدی',
  'زهرا محمدی',
  'Omid Nouri',
  'Omid Nouri',
];

let db: PatronDatabase;
const all: Customer[] = [];

beforeAll(async () => {
  enableDevMode();
  db = await createPatronDatabase({
    name: `list${Date.now()}`,
    storage: testStorage(),
    rejected: new RejectedRows(),
    collections: ['customers'],
  });
  for (let i = 0; i < 57; i++) {
    const { _deleted, ...doc } = newCustomer(
      { phone: `0912${String(1_000_000 + i * 7).slice(-7)}`, name: NAMES[i % NAMES.length]! },
      ctx,
      'IR',
    );
    const status = i % 11 === 0 ? 'blocked' : 'active';
    await db.customers.insert({ ...doc, status });
    all.push({ ...doc, status, _deleted: false });
  }
}, 60_000);

afterAll(async () => {
  await db?.close();
});

const order = (rows: readonly Customer[]) => rows.map((r) => `${r.nameKey}|${r.id}`);

describe('keyset pagination over the nameKey index', () => {
  it('is a range on the nameKey index, sorted by it (no skip, no sort in memory)', () => {
    const plan = db.customers
      .find({ selector: { nameKey: { $gte: 'ali' } }, sort: [{ nameKey: 'asc' }, { id: 'asc' }], limit: 10 })
      .getPreparedQuery().queryPlan;
    expect(plan.index).toEqual(['_deleted', 'nameKey', 'id']);
    expect(plan.sortSatisfiedByIndex).toBe(true);
  });

  it('reads every customer exactly once, in (nameKey, id) order, across tied names', async () => {
    const seen: Customer[] = [];
    let cursor: ListCursor | null = null;
    let chunk: Chunk;
    do {
      chunk = await readChunk(db, cursor, 4);
      seen.push(...chunk.rows);
      cursor = chunk.cursor;
    } while (!chunk.done);
    const expected = [...all].sort((a, b) =>
      a.nameKey === b.nameKey ? (a.id < b.id ? -1 : 1) : a.nameKey < b.nameKey ? -1 : 1,
    );
    expect(order(seen)).toEqual(order(expected));
  });

  it('fills a filtered list chunk by chunk, within its budget', async () => {
    const reads: number[] = [];
    const list = createCustomerList(
      {
        readChunk: (cursor, size) => {
          reads.push(size);
          return readChunk(db, cursor, size);
        },
        facts: async () => ({ tier: 'bronze', segment: 'none', balance: 0, lastVisitAt: null }) satisfies RowFacts,
      },
      { status: 'blocked', segment: 'all', tier: 'all' },
    );
    let state = { rows: [] as Customer[], done: false, paused: false, scanned: 0, loading: false };
    list.state$.subscribe((s) => (state = s));
    await list.fill(100);
    expect(state.done).toBe(true);
    expect(state.rows.map((r) => r.status)).toEqual(all.filter((c) => c.status === 'blocked').map(() => 'blocked'));
    expect(state.scanned).toBe(all.length);

    // A derived filter (tier) reads only as far as its budget allows, then pauses until asked to continue.
    let factsCalls = 0;
    const slow = createCustomerList(
      {
        readChunk: (cursor, size) => readChunk(db, cursor, size),
        facts: async () => {
          factsCalls += 1;
          return { tier: 'platinum', segment: 'none', balance: 0, lastVisitAt: null };
        },
      },
      { status: 'all', segment: 'all', tier: 'gold' },
      10,
    );
    let slowState = { rows: [] as Customer[], done: false, paused: false, scanned: 0, loading: false };
    slow.state$.subscribe((s) => (slowState = s));
    await slow.fill(20);
    expect(slowState.rows).toEqual([]);
    expect(slowState.paused || slowState.done).toBe(true);
    expect(factsCalls).toBeLessThan(all.length + 1);
  });
});

describe('likely duplicates before a sign-up', () => {
  it('finds the same number, and a similar name on a nearly equal number', async () => {
    const target = all[0]!;
    const exact = await findLikelyDuplicates(db, { e164: target.phone, name: 'Someone Else' }, 'IR', (id) => id);
    expect(exact.map((d) => [d.customer.id, d.reason])).toEqual([[target.id, 'phone']]);

    // One digit off at the end, and the name typed with a typo: similar.
    const digits = target.phone.slice(0, -1) + String((Number(target.phone.slice(-1)) + 1) % 10);
    const similar = await findLikelyDuplicates(db, { e164: digits, name: 'Ali Rezaie' }, 'IR', (id) => id);
    expect(similar.some((d) => d.reason === 'name' && d.customer.name === 'Ali Rezaei')).toBe(true);

    // A different name on a nearby number is not a duplicate.
    const unrelated = await findLikelyDuplicates(db, { e164: digits, name: 'Kourosh Tehrani' }, 'IR', (id) => id);
    expect(unrelated.filter((d) => d.reason === 'name')).toEqual([]);
  });

  it("finds the customer whose second phone the number is, from the lookup index and before it has filled", async () => {
    const { _deleted, ...parent } = newCustomer({ phone: '09127770001', phone2: '09127770002', name: 'Sara Ahmadi' }, ctx, 'IR');
    await db.customers.insert(parent);
    const shared = '+989127770002';
    const scanned = await findLikelyDuplicates(db, { e164: shared, name: 'Nima Ahmadi' }, 'IR', (id) => id);
    expect(scanned.map((d) => [d.customer.id, d.reason])).toEqual([[parent.id, 'secondPhone']]);
    const index = createLookupIndex(db);
    try {
      await index.ready;
      const indexed = await findLikelyDuplicates(db, { e164: shared, name: 'Nima Ahmadi' }, 'IR', (id) => id, index);
      expect(indexed.map((d) => [d.customer.id, d.reason])).toEqual([[parent.id, 'secondPhone']]);
      // Their own number is the same phone, found once.
      const own = await findLikelyDuplicates(db, { e164: parent.phone, name: '' }, 'IR', (id) => id, index);
      expect(own.map((d) => [d.customer.id, d.reason])).toEqual([[parent.id, 'phone']]);
      // The new customer's second phone is one of theirs: either number, from the index and from a scan.
      for (const taken of [parent.phone, shared]) {
        for (const source of [index, undefined]) {
          const found = await findLikelyDuplicates(db, { e164: '+989127770009', name: 'Nima Karimi', phone2: taken }, 'IR', (id) => id, source);
          expect(found.map((d) => [d.customer.id, d.reason])).toEqual([[parent.id, 'otherPhone']]);
        }
      }
      const unrelated = await findLikelyDuplicates(db, { e164: '+989127770009', name: 'Nima Karimi', phone2: '+989127770008' }, 'IR', (id) => id, index);
      expect(unrelated).toEqual([]);
    } finally {
      index.stop();
      await db.customers.findOne(parent.id).exec().then((doc) => doc?.remove());
    }
  });
});
