import type { ScanCheckpoint } from '../../../sync/client/scan.ts';
import { groupKeyOf, type AnalyticsQuery, type Snapshot } from './compute/schema.ts';
import type { AnalyticsCollection, LoadMessage } from '../../workers/analytics-messages.ts';

// The analytics input kept on the device between openings of the dashboard: the replica's documents as the
// worker reads them (the `load` pages of columns, compute/input-shapes.ts), with the write-time checkpoint of
// each collection they reach. A warm open reads it back and only scans the documents written since (a
// document changed since then replaces its old row; a tombstone removes it), instead of reading and packing
// the whole replica again, which grows with the shop's history. The worker's numbers
// are computed from the same input either way, so they equal a cold start's. Kept in its own IndexedDB
// database (typed arrays store as they are; RxDB local documents hold JSON), never replicated.

/** Bumped whenever the columns' shape changes: a state of another version is dropped and rebuilt. */
export const ANALYTICS_STATE_VERSION = 3;

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

/**
 * The dashboard's last settled answers, shown the moment it reopens while the worker brings the numbers up to
 * date: reading them costs the same at any size of the replica, unlike the input above. Small (the lists are
 * capped by the question's `listLimit`); a few questions are kept, the latest first.
 */
export interface StoredAnswers {
  version: number;
  settingsKey: string;
  answers: StoredAnswer[];
}
/** One settled answer: the question without its `now`, when it was answered, and the snapshot. */
export interface StoredAnswer {
  question: string;
  answeredAt: string;
  snapshot: Snapshot;
}
/** How many questions keep their last answer (period and store choices a manager switches between). */
export const STORED_ANSWERS = 8;

/** Where the state is kept (IndexedDB in the app, a map in tests). */
export interface AnalyticsStateStore {
  load(key: string): Promise<PersistedAnalytics | null>;
  save(key: string, state: PersistedAnalytics): Promise<void>;
  loadAnswers(key: string): Promise<StoredAnswers | null>;
  saveAnswers(key: string, answers: StoredAnswers): Promise<void>;
  /** Drops the state of a replica and its kept answers (both may hold names): its next open is cold. */
  forget(key: string): Promise<void>;
}

/** A state store in memory (structured-cloned both ways, as IndexedDB does). */
export function memoryStateStore(): AnalyticsStateStore & { saves: number } {
  const states = new Map<string, unknown>();
  const get = async <T>(key: string) => (states.has(key) ? (structuredClone(states.get(key)) as T) : null);
  return {
    saves: 0,
    load: (key) => get<PersistedAnalytics>(key),
    async save(key, state) {
      this.saves++;
      states.set(key, structuredClone(state));
    },
    loadAnswers: (key) => get<StoredAnswers>(answersKey(key)),
    saveAnswers: async (key, answers) => void states.set(answersKey(key), structuredClone(answers)),
    async forget(key) {
      states.delete(key);
      states.delete(answersKey(key));
    },
  };
}

/** The record beside a replica's state that holds its last answers. */
const answersKey = (key: string) => `${key}#answers`;

/**
 * What identifies a question across openings: everything but `now`, which moves every few minutes. A group is
 * its id and its filter (compute/schema.ts `groupKeyOf`): another group's answer, or one from before the group
 * was edited, answers another question.
 */
export function questionKey(query: AnalyticsQuery): string {
  return JSON.stringify([query.from, query.to, query.storeId, query.calendar, query.listLimit, groupKeyOf(query.group)]);
}

/** `answers` with `answer` first, its question's older answer and any beyond the cap dropped. */
export function withAnswer(answers: readonly StoredAnswer[], answer: StoredAnswer): StoredAnswer[] {
  return [answer, ...answers.filter((a) => a.question !== answer.question)].slice(0, STORED_ANSWERS);
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
  const get = async <T>(key: string): Promise<T | null> => {
    try {
      return ((await run('readonly', (store) => store.get(key))) as T | undefined) ?? null;
    } catch {
      return null;
    }
  };
  const put = async (key: string, value: unknown): Promise<void> => {
    try {
      await run('readwrite', (store) => store.put(value, key));
    } catch {
      // A full or disabled storage only means the next open is cold again.
    }
  };
  return {
    load: (key) => get<PersistedAnalytics>(key),
    save: (key, state) => put(key, state),
    loadAnswers: (key) => get<StoredAnswers>(answersKey(key)),
    saveAnswers: (key, answers) => put(answersKey(key), answers),
    async forget(key) {
      try {
        await run('readwrite', (store) => store.delete(key));
        await run('readwrite', (store) => store.delete(answersKey(key)));
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
