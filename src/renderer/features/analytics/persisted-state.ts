import type { ScanCheckpoint } from '../../../sync/client/scan.ts';
import type { AnalyticsCollection, LoadMessage } from '../../workers/analytics-messages.ts';

// The analytics input kept on the device between openings of the dashboard: the replica's documents as the
// worker reads them (the `load` pages of columns, compute/input-shapes.ts), with the write-time checkpoint of
// each collection they reach. A warm open reads it back and only scans the documents written since (a
// document changed since then replaces its old row; a tombstone removes it), instead of reading and packing
// the whole replica again, which grows with the shop's history. The worker's numbers
// are computed from the same input either way, so they equal a cold start's. Kept in its own IndexedDB
// database (typed arrays store as they are; RxDB local documents hold JSON), never replicated.

/** Bumped whenever the columns' shape changes: a state of another version is dropped and rebuilt. */
export const ANALYTICS_STATE_VERSION = 2;

/** The persisted analytics input of one replica. */
export interface PersistedAnalytics {
  version: number;
  /** The settings the state was built under (time zone, programme, segments): another value rebuilds it. */
  settingsKey: string;
  /** Per collection: the last document the state includes, in write-time order (null: none yet). */
  checkpoints: Record<AnalyticsCollection, ScanCheckpoint | null>;
  /** The `load` pages, in the order they are sent (customers first). */
  pages: LoadMessage[];
}

/** Where the state is kept (IndexedDB in the app, a map in tests). */
export interface AnalyticsStateStore {
  load(key: string): Promise<PersistedAnalytics | null>;
  save(key: string, state: PersistedAnalytics): Promise<void>;
  /** Drops the state of a replica: its next open is cold. */
  forget(key: string): Promise<void>;
}

/** A state store in memory (structured-cloned both ways, as IndexedDB does). */
export function memoryStateStore(): AnalyticsStateStore & { saves: number } {
  const states = new Map<string, PersistedAnalytics>();
  return {
    saves: 0,
    load: async (key) => (states.has(key) ? structuredClone(states.get(key)!) : null),
    async save(key, state) {
      this.saves++;
      states.set(key, structuredClone(state));
    },
    async forget(key) {
      states.delete(key);
    },
  };
}

const DB_NAME = 'patron-analytics-state';
const STORE = 'states';

/** The state store of the app: one IndexedDB database, one record per replica. Failures read as "nothing stored". */
export function indexedDbStateStore(factory: IDBFactory = indexedDB): AnalyticsStateStore {
  let opened: Promise<IDBDatabase> | null = null;
  const open = () =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));
  const run = async <T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await open();
    return new Promise<T>((resolve, reject) => {
      const request = fn(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  };
  return {
    async load(key) {
      try {
        return ((await run('readonly', (store) => store.get(key))) as PersistedAnalytics | undefined) ?? null;
      } catch {
        return null;
      }
    },
    async save(key, state) {
      try {
        await run('readwrite', (store) => store.put(state, key));
      } catch {
        // A full or disabled storage only means the next open is cold again.
      }
    },
    async forget(key) {
      try {
        await run('readwrite', (store) => store.delete(key));
      } catch {
        // Nothing stored, or no storage: nothing to drop.
      }
    },
  };
}

/** The settings part that, changed, makes a stored state stale. */
export function settingsKeyOf(settings: { timeZone: string; currency: string; program: unknown; segments: unknown }): string {
  return JSON.stringify([settings.timeZone, settings.currency, settings.program, settings.segments]);
}

/** Whether a stored state can be used under these settings. */
export function usable(state: PersistedAnalytics | null, settingsKey: string): state is PersistedAnalytics {
  return state !== null && state.version === ANALYTICS_STATE_VERSION && state.settingsKey === settingsKey && Array.isArray(state.pages);
}

/** Ids of a `load` page. */
export function idsOf(message: LoadMessage): readonly unknown[] {
  return 'columns' in message ? message.columns.id : message.docs.map((doc) => (doc as { id?: unknown }).id);
}

/** The page without the rows whose id is in `drop` (null when nothing is left). */
export function withoutIds(message: LoadMessage, drop: ReadonlySet<string>): LoadMessage | null {
  const ids = idsOf(message);
  const keep: number[] = [];
  ids.forEach((id, i) => {
    if (!(typeof id === 'string' && drop.has(id))) keep.push(i);
  });
  if (keep.length === 0) return null;
  if (keep.length === ids.length) return message;
  if (!('columns' in message)) return { ...message, docs: keep.map((i) => message.docs[i]) };
  const columns: Record<string, unknown> = { n: keep.length };
  for (const [name, column] of Object.entries(message.columns)) {
    if (name === 'n') continue;
    if (Array.isArray(column)) columns[name] = keep.map((i) => column[i]);
    else {
      const typed = column as Uint8Array | Int8Array | Float64Array;
      const out = new (typed.constructor as new (n: number) => typeof typed)(keep.length);
      keep.forEach((from, to) => (out[to] = typed[from]!));
      columns[name] = out;
    }
  }
  return { ...message, columns } as unknown as LoadMessage;
}
