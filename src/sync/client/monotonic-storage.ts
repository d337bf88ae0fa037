import { type RxStorage, type RxStorageInstance, type RxStorageInstanceCreationParams } from 'rxdb';
import { scanDocuments } from './scan.ts';

/** Documents read per step when looking for write times ahead of the clock at open. */
const SCAN_PAGE = 500;

/**
 * The write context of a fresh terminal's initial load (initial-load.ts). It starts with `replication-` so
 * the replication's pending-write tracking ignores it like RxDB's own replication writes.
 */
export const INITIAL_LOAD_CONTEXT = 'replication-initial-load';

/** Per storage instance: the stamp of its first write that was not the initial load's, since it opened. */
const firstOtherWrite = new WeakMap<object, number>();

/**
 * The write time of the first write to `instance` since it opened that did not come from the initial
 * load (a sale recorded while the load runs), or null. Stamps only grow, so every such write is at or after
 * it; the initial load starts the push side from there and never skips one.
 */
export function firstWriteOutsideInitialLoad(instance: object): number | null {
  return firstOtherWrite.get(instance) ?? null;
}

/**
 * Wraps an RxDB storage so that every storage instance stamps strictly increasing write times
 * (`_meta.lwt`), across restarts and clock corrections.
 *
 * RxDB stamps each write with the device clock, and its replication finds local writes to push by
 * iterating `_meta.lwt` from a persisted checkpoint. A till whose clock ran ahead and is then set right
 * stamps its next writes *behind* that checkpoint: they are never offered for push — a sale that silently
 * never leaves the till (docs/reliability.md#f4; test/chaos/findings.test.ts). Here a write is stamped no earlier
 * than just after the latest stamp the instance already holds, so a correction backwards only makes the
 * stamps stand still until the clock catches up. The stamps are RxDB's bookkeeping, not business time:
 * documents carry their own `updatedAt`/`occurredAt`.
 *
 * RxDB's own storage wrappers (validation) replace `bulkWrite` on the instance the same way.
 */
export function monotonicWriteTimes<Internals, Options>(storage: RxStorage<Internals, Options>): RxStorage<Internals, Options> {
  return Object.assign({}, storage, {
    // The name stays: RxDB's dev mode recognises a validating storage by its name prefix.
    async createStorageInstance<RxDocType>(params: RxStorageInstanceCreationParams<RxDocType, Options>) {
      const instance = await storage.createStorageInstance<RxDocType>(params);
      let latest = await latestWriteTimeAfter(instance, Date.now());
      const bulkWrite = instance.bulkWrite.bind(instance);
      instance.bulkWrite = (rows, context) => {
        // RxDB stamps every row of one call alike; rows stamped at or before the latest stamp move after it.
        const before = latest;
        let next = 0;
        let earliest = Infinity;
        for (const row of rows) {
          if (row.document._meta.lwt <= before) {
            next ||= after(before);
            row.document._meta = { ...row.document._meta, lwt: next };
          }
          const lwt = row.document._meta.lwt;
          if (lwt > latest) latest = lwt;
          if (lwt < earliest) earliest = lwt;
        }
        if (context !== INITIAL_LOAD_CONTEXT && rows.length > 0 && !firstOtherWrite.has(instance)) firstOtherWrite.set(instance, earliest);
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

/** Every write to `instance` so far is stamped at or before the time this returns. */
export async function latestWriteTime(instance: RxStorageInstance<unknown, unknown, unknown>): Promise<number> {
  const now = Date.now();
  return Math.max(now, await latestWriteTimeAfter(instance, now));
}

/**
 * The latest write time stored in `instance`, or 0 when none is ahead of `now` (then the clock alone keeps
 * the order). Reads only the documents stamped after `now` through the `[_meta.lwt, id]` index every RxDB
 * storage keeps — none at all on a till whose clock never went back.
 */
async function latestWriteTimeAfter<RxDocType>(instance: RxStorageInstance<RxDocType, unknown, unknown>, now: number): Promise<number> {
  let latest = 0;
  for await (const page of scanDocuments(instance, SCAN_PAGE, { id: '', lwt: now })) latest = page.at(-1)!._meta.lwt;
  return latest;
}
