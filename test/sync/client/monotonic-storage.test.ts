import { fillWithDefaultSettings, getChangedDocumentsSince, type RxStorageInstance } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { monotonicWriteTimes } from '../../../src/sync/client/monotonic-storage.ts';

// The wrapper keeps RxDB's write times (`_meta.lwt`) increasing when the device clock goes back: RxDB's
// replication finds writes to push by iterating those times from a checkpoint (test/chaos/findings.test.ts
// shows the lost sale end to end). Rows are written straight to the storage instance with chosen stamps,
// standing in for RxDB's core, which stamps every row of one call with the device clock.

interface Doc {
  id: string;
  name: string;
}
// What RxDB hands a storage: the schema with its meta fields and the `[_meta.lwt, id]` index filled in.
const schema = fillWithDefaultSettings<Doc>({
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: { id: { type: 'string', maxLength: 40 }, name: { type: 'string' } },
  required: ['id', 'name'],
});

const HOUR = 3_600_000;
let counter = 0;
const open: RxStorageInstance<Doc, unknown, unknown>[] = [];
afterEach(async () => {
  for (const instance of open.splice(0)) await instance.close().catch(() => undefined);
});

async function instanceOf(storage: ReturnType<typeof getRxStorageMemory>, databaseName: string) {
  const instance = (await monotonicWriteTimes(storage).createStorageInstance<Doc>({
    databaseInstanceToken: 'token', databaseName, collectionName: 'docs', schema, options: {}, multiInstance: false, devMode: false,
  })) as RxStorageInstance<Doc, unknown, unknown>;
  open.push(instance);
  return instance;
}

function row(id: string, lwt: number) {
  return { document: { id, name: id, _deleted: false, _rev: '1-token', _attachments: {}, _meta: { lwt } } };
}

/** What RxDB's upstream would find after a checkpoint (a document id and its stamp). */
async function stamps(instance: RxStorageInstance<Doc, unknown, unknown>, checkpoint: { id: string; lwt: number }): Promise<[string, number][]> {
  const { documents } = await getChangedDocumentsSince(instance, 100, checkpoint);
  return documents.map((doc) => [doc.id, doc._meta.lwt]);
}

describe('monotonic write times', () => {
  it('leaves the stamps of a clock that only goes forward alone', async () => {
    const instance = await instanceOf(getRxStorageMemory(), `mono${++counter}`);
    const now = Date.now();
    await instance.bulkWrite([row('a', now), row('b', now)], 'test');
    await instance.bulkWrite([row('c', now + 5)], 'test');
    expect(await stamps(instance, { id: '', lwt: 0 })).toEqual([['a', now], ['b', now], ['c', now + 5]]);
  });

  it('stamps a write made after the clock went back just after the latest stamp, so a checkpoint past it finds it', async () => {
    const instance = await instanceOf(getRxStorageMemory(), `mono${++counter}`);
    const ahead = Date.now() + 48 * HOUR;
    await instance.bulkWrite([row('before', ahead)], 'test');
    // The clock is set right: the core stamps the next writes two days earlier.
    await instance.bulkWrite([row('after-1', Date.now()), row('after-2', Date.now())], 'test');
    await instance.bulkWrite([row('after-3', Date.now())], 'test');
    const found = await stamps(instance, { id: 'before', lwt: ahead });
    expect(found.map(([id]) => id)).toEqual(['after-1', 'after-2', 'after-3']);
    expect(found[0]![1]).toBeGreaterThan(ahead);
    expect(found[2]![1]).toBeGreaterThan(found[1]![1]);
  });

  it('recovers the latest stamp when the instance is opened again (a restart after the clock correction)', async () => {
    const storage = getRxStorageMemory();
    const name = `mono${++counter}`;
    const first = await instanceOf(storage, name);
    const ahead = Date.now() + 48 * HOUR;
    // More documents ahead of the clock than one page of the scan at open.
    await first.bulkWrite(Array.from({ length: 1_200 }, (_, i) => row(`ahead-${String(i).padStart(4, '0')}`, ahead + i)), 'test');
    await first.close();
    open.splice(open.indexOf(first), 1);

    const second = await instanceOf(storage, name);
    await second.bulkWrite([row('after-restart', Date.now())], 'test');
    const found = await stamps(second, { id: 'ahead-1199', lwt: ahead + 1_199 });
    expect(found.map(([id]) => id)).toEqual(['after-restart']);
  });
});
