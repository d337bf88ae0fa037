import { getChangedDocumentsSince, type RxDocumentData, type RxStorage, type RxStorageInstance } from 'rxdb';

/** Documents read per step when looking for write times ahead of the clock at open. */
const SCAN_PAGE = 500;

/**
 * Wraps an RxDB storage so that every storage instance stamps strictly increasing write times
 * (`_meta.lwt`), across restarts and clock corrections.
 *
 * RxDB stamps each write with the device clock, and its replication finds local writes to push by
 * iterating `_meta.lwt` from a persisted checkpoint. A till whose clock ran ahead and is then set right
 * stamps its next writes *behind* that checkpoint: they are never offered for push — a sale that silently
 * never leaves the till (RELIABILITY F4; test/chaos/findings.test.ts). Here a write is stamped no earlier
 * than just after the latest stamp the instance already holds, so a correction backwards only makes the
 * stamps stand still until the clock catches up. The stamps are RxDB's bookkeeping, not business time:
 * documents carry their own `updatedAt`/`occurredAt`.
 *
 * RxDB's own storage wrappers (validation) replace `bulkWrite` on the instance the same way.
 */
export function monotonicWriteTimes<Internals, Options>(storage: RxStorage<Internals, Options>): RxStorage<Internals, Options> {
  return Object.assign({}, storage, {
    // The name stays: RxDB's dev mode recognises a validating storage by its name prefix.
    async createStorageInstance<RxDocType>(params: Parameters<RxStorage<Internals, Options>['createStorageInstance']>[0]) {
      const instance = (await storage.createStorageInstance<RxDocType>(params)) as RxStorageInstance<RxDocType, Internals, Options>;
      let latest = await latestWriteTime(instance, Date.now());
      const bulkWrite = instance.bulkWrite.bind(instance);
      instance.bulkWrite = (rows, context) => {
        // RxDB stamps every row of one call alike; rows stamped at or before the latest stamp move after it.
        let next = 0;
        for (const row of rows) {
          const lwt = row.document._meta.lwt;
          if (lwt > latest) continue;
          next ||= after(latest);
          row.document._meta = { ...row.document._meta, lwt: next };
        }
        for (const row of rows) latest = Math.max(latest, row.document._meta.lwt);
        return bulkWrite(rows, context);
      };
      return instance;
    },
  });
}

/** The smallest stamp RxDB accepts after `lwt` (stamps are multiples of 0.01 ms). */
function after(lwt: number): number {
  return (Math.round(lwt * 100) + 1) / 100;
}

/**
 * The latest write time stored in `instance`, or 0 when none is ahead of `now` (then the clock alone keeps
 * the order). Reads only the documents stamped after `now` through the `[_meta.lwt, id]` index every RxDB
 * storage keeps — none at all on a till whose clock never went back.
 */
async function latestWriteTime<RxDocType>(instance: RxStorageInstance<RxDocType, unknown, unknown>, now: number): Promise<number> {
  let checkpoint = { id: '', lwt: now };
  let latest = 0;
  for (;;) {
    const page = await changedSince(instance, checkpoint);
    const last = page.at(-1);
    if (!last) return latest;
    latest = last._meta.lwt;
    checkpoint = { id: String((last as Record<string, unknown>)[primaryKeyOf(instance)]), lwt: latest };
    if (page.length < SCAN_PAGE) return latest;
  }
}

async function changedSince<RxDocType>(instance: RxStorageInstance<RxDocType, unknown, unknown>, checkpoint: { id: string; lwt: number }): Promise<RxDocumentData<RxDocType>[]> {
  const result = await getChangedDocumentsSince(instance, SCAN_PAGE, checkpoint);
  return result.documents;
}

function primaryKeyOf(instance: RxStorageInstance<unknown, unknown, unknown>): string {
  const key = instance.schema.primaryKey;
  return typeof key === 'string' ? key : key.key;
}
