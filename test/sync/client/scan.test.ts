import { randomBytes } from 'node:crypto';
import { IDBFactory, IDBIndex, IDBKeyRange } from 'fake-indexeddb';
import type { RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { scanDocuments } from '../../../src/sync/client/scan.ts';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { recordQueryPlans } from '../../helpers/query-plans.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

const ctx: WriteContext = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-01-10T10:00:00.000Z', offline: false };

// The app's storage (RxDB Dexie on IndexedDB, here fake-indexeddb) is read with getAll; any other through RxDB's query.
const STORAGES: [string, () => RxStorage<unknown, unknown>][] = [
  ['memory storage', testStorage],
  ['Dexie storage', () => wrappedValidateAjvStorage({ storage: getRxStorageDexie({ indexedDB: new IDBFactory(), IDBKeyRange }) }) as RxStorage<unknown, unknown>],
];

describe.each(STORAGES)('scanDocuments over %s', (storageName, storage) => {
  let db: PatronDatabase;
  const ids: string[] = [];

  beforeAll(async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `s${randomBytes(4).toString('hex')}`, storage: storage(), rejected: new RejectedRows(), collections: ['customers'] });
    // Three writes, so write-time order differs from id order: the last 100 written are the first ids.
    const people = Array.from({ length: 2500 }, (_, i) => newCustomer({ phone: `0912${String(1_000_000 + i).padStart(7, '0')}`, name: `Test ${i}` }, ctx, 'IR'));
    for (const part of [people.slice(100, 1300), people.slice(1300), people.slice(0, 100)]) {
      await db.customers.bulkInsert(part.map(({ _deleted, ...doc }) => doc));
      ids.push(...part.map((p) => p.id));
    }
    await db.customers.findOne(ids[5]!).exec().then((doc) => doc!.remove());
    ids.push(ids.splice(5, 1)[0]!); // a delete is a write: the tombstone comes last
  });
  afterAll(async () => {
    await db?.remove();
  });

  it('reads every document once, tombstones included, in write order, in pages of the size asked', async () => {
    const pages: { id: string; _deleted: boolean }[][] = [];
    for await (const page of scanDocuments(db.customers.storageInstance, 1000)) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
    expect(pages.flat().map((d) => d.id)).toEqual(ids);
    expect(pages.flat().filter((d) => d._deleted).map((d) => d.id)).toEqual([ids.at(-1)]);
  });

  it('goes on after a checkpoint, and ends on an exact last page', async () => {
    const all: string[] = [];
    for await (const page of scanDocuments(db.customers.storageInstance, 500)) all.push(...page.map((d) => d.id));
    expect(all).toEqual(ids);
    const first = await db.customers.storageInstance.findDocumentsById([ids[1999]!], true);
    const rest: string[] = [];
    for await (const page of scanDocuments(db.customers.storageInstance, 300, { id: ids[1999]!, lwt: first[0]!._meta.lwt })) rest.push(...page.map((d) => d.id));
    expect(rest).toEqual(ids.slice(2000));
  });

  if (storageName === 'Dexie storage') it('reads each range of IndexedDB with one getAll, never a cursor stepped per document', async () => {
    const getAll = vi.spyOn(IDBIndex.prototype, 'getAll');
    const openCursor = vi.spyOn(IDBIndex.prototype, 'openCursor');
    try {
      let pages = 0;
      for await (const _ of scanDocuments(db.customers.storageInstance, 1000)) pages++;
      expect(pages).toBe(3);
      // The first page is one range; each later one the rest of its checkpoint's write time, then the later ones.
      expect(getAll.mock.calls.length).toBeLessThanOrEqual(1 + 2 * (pages - 1) + 1);
      expect(getAll.mock.calls.every(([, count]) => typeof count === 'number' && count <= 1000)).toBe(true);
      expect(openCursor).not.toHaveBeenCalled();
    } finally {
      getAll.mockRestore();
      openCursor.mockRestore();
    }
  });

  if (storageName === 'memory storage') it('reads each page as one range of the write-time index, sorted by it (never the whole collection)', async () => {
    const recorder = recordQueryPlans(db.customers);
    for await (const _ of scanDocuments(db.customers.storageInstance, 1000));
    recorder.stop();
    expect(recorder.plans.length).toBeGreaterThanOrEqual(3);
    // The selector is the range itself: no document outside the page is read and matched.
    for (const plan of recorder.plans) expect(plan).toMatchObject({ index: ['_meta.lwt', 'id'], sortSatisfiedByIndex: true, selectorSatisfiedByIndex: true });
  });

  if (storageName === 'memory storage') it('is what paging by the primary key is not: such a page has no index that gives its sort', async () => {
    const recorder = recordQueryPlans(db.customers);
    await db.customers.find({ selector: { id: { $gt: '' } }, sort: [{ id: 'asc' }], limit: 1000 }).exec();
    recorder.stop();
    expect(recorder.plans[0]).toMatchObject({ sortSatisfiedByIndex: false });
  });
});
