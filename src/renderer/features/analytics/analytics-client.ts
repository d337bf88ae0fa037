import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { ReplicaStream, StoredDocument } from '../../../sync/client/queries/replica-stream.ts';
import type { ScanCheckpoint } from '../../../sync/client/scan.ts';
import type { Settings } from '../../../sync/model/settings.ts';
import { ANALYTICS_COLLECTIONS, FromWorkerSchema, type AnalyticsCollection, type LoadMessage, type ToWorker } from '../../workers/analytics-messages.ts';
import {
  ANALYTICS_PROJECTIONS, columnBuffers, packCustomers, packLoyaltyEntries, packVisits, type CustomerLike, type EntryLike, type RewardLike, type VisitLike,
} from './compute/input-shapes.ts';
import { groupKeyOf, MAX_GROUPS, type AnalyticsQuery, type CustomerRow, type ListName, type QueryGroup, type Snapshot } from './compute/schema.ts';
import {
  ANALYTICS_STATE_VERSION, indexedDbStateStore, questionKey, settingsKeyOf, usable, withAnswer, withoutIds, type AnalyticsStateStore, type PersistedAnalytics, type StoredAnswer, type StoredAnswers,
} from './persisted-state.ts';

// The page's side of the analytics worker. It streams the replica to the worker (customers first, so visits
// find their customer; pages of `pageSize`, each an index range: scan.ts), each page packed into columns whose
// typed arrays' buffers are transferred, not copied (compute/input-shapes.ts); then it forwards the collections'
// change streams, as documents. Changes that happen while the stream runs are buffered and sent after it; the
// stream skips the documents they concern (a scan can meet a document written meanwhile twice, and the
// worker's cold `load` does not look for duplicates). Every answer is validated (workers/analytics-messages.ts) before the page
// sees it.

/** What the page needs of a Worker (a real one, or an in-process stand-in in tests). */
export interface WorkerLike {
  /** `transfer`: buffers moved to the worker rather than copied (the page must not touch them afterwards). */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  terminate(): void;
}

/** Loading and freshness of the worker's data. */
export interface AnalyticsState {
  ready: boolean;
  loaded: Record<AnalyticsCollection, number>;
  /** Bumps whenever the data changed (the dashboard asks again). */
  version: number;
  error: string | null;
}

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void };

/** An error answer of the worker. */
export class AnalyticsError extends Error {
  override readonly name = 'AnalyticsError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the worker gets of a stored document: the fields the analytics read (input-shapes.ts). */
function projected(collection: AnalyticsCollection, stored: { id: string }): { id: string } {
  return (ANALYTICS_PROJECTIONS[collection] as unknown as (doc: { id: string }) => { id: string })(stored);
}

/** A `load` page of stored documents (tombstones included: the columns carry them): columns, or reward documents. */
function loadMessage(collection: AnalyticsCollection, docs: readonly unknown[]): LoadMessage {
  switch (collection) {
    case 'customers':
      return { type: 'load', collection, columns: packCustomers(docs as CustomerLike[]) };
    case 'visits':
      return { type: 'load', collection, columns: packVisits(docs as VisitLike[]) };
    case 'loyaltyEntries':
      return { type: 'load', collection, columns: packLoyaltyEntries(docs as EntryLike[]) };
    case 'rewards':
      return { type: 'load', collection, docs: docs.map((doc) => ANALYTICS_PROJECTIONS.rewards(doc as RewardLike)) };
  }
}

/** A stored document's write time (RxDB's `_meta.lwt`, the order scans read in). */
function writeTime(doc: StoredDocument): number {
  return (doc as { _meta?: { lwt?: number } })._meta?.lwt ?? 0;
}

/** The checkpoint to store: `end`, or just before the earliest write met while streaming. */
function earlier(end: ScanCheckpoint | null, meanwhile: number | undefined): ScanCheckpoint | null {
  if (meanwhile === undefined || (end !== null && end.lwt < meanwhile)) return end;
  // Everything at that write time is read again (id '' sorts first), which is harmless: it replaces itself.
  return { lwt: meanwhile, id: '' };
}

const settingsOf = (s: Settings) => ({ timeZone: s.timeZone, currency: s.currency, program: s.program, segments: s.segments });

/** Starts streaming `db` to `worker` and returns the client. */
export function createAnalyticsClient(options: {
  replica: ReplicaStream;
  settings$: Observable<Settings>;
  worker: WorkerLike;
  pageSize?: number;
  /** Where the analytics input is kept between openings (persisted-state.ts); without it every open is cold. */
  store?: AnalyticsStateStore;
}) {
  const { replica, worker } = options;
  const pageSize = options.pageSize ?? 5000;
  const stateKey = replica.name;
  let settingsKey = '';
  const state$ = new BehaviorSubject<AnalyticsState>({ ready: false, loaded: { customers: 0, visits: 0, loyaltyEntries: 0, rewards: 0 }, version: 0, error: null });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  const post = (message: ToWorker, transfer?: ArrayBuffer[]) => {
    if (closed) return;
    if (transfer) worker.postMessage(message, transfer);
    else worker.postMessage(message);
  };

  worker.onmessage = (event) => {
    const parsed = FromWorkerSchema.safeParse(event.data);
    if (!parsed.success) {
      state$.next({ ...state$.getValue(), error: 'INVALID_ANSWER' });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'progress':
        state$.next({ ...state$.getValue(), loaded: message.loaded, ready: message.ready });
        return;
      case 'changed':
        state$.next({ ...state$.getValue(), version: message.version });
        return;
      case 'error': {
        const waiting = message.id === null ? undefined : pending.get(message.id);
        if (waiting) {
          pending.delete(message.id!);
          waiting.reject(new AnalyticsError(message.code, message.message));
        } else state$.next({ ...state$.getValue(), error: message.code });
        return;
      }
      default: {
        const waiting = pending.get(message.id);
        if (!waiting) return;
        pending.delete(message.id);
        (waiting.resolve as (value: unknown) => void)(message.type === 'snapshot' ? message.snapshot : message.rows);
      }
    }
  };

  const subscriptions: Subscription[] = [];
  let initialised = false;
  subscriptions.push(
    options.settings$.subscribe((settings) => {
      settingsKey = settingsKeyOf(settings);
      post(initialised ? { type: 'settings', settings: settingsOf(settings) } : { type: 'init', settings: settingsOf(settings) });
      initialised = true;
    }),
  );

  const answers = storedAnswers(options.store, stateKey, () => settingsKey);

  // Subscribe before streaming, so nothing written meanwhile is missed. The earliest write time met per
  // collection meanwhile bounds the checkpoint stored with the state (those documents are not in its pages).
  let buffer: { collection: AnalyticsCollection; doc: { id: string } }[] | null = [];
  const changedMeanwhile = new Set<string>();
  const earliestMeanwhile = new Map<AnalyticsCollection, number>();
  for (const name of ANALYTICS_COLLECTIONS) {
    subscriptions.push(
      replica.changes$(name).subscribe((docs) => {
        const changes = docs.map((doc) => ({ collection: name, doc: projected(name, doc) }));
        if (buffer) {
          buffer.push(...changes);
          for (const change of changes) changedMeanwhile.add(change.doc.id);
          for (const doc of docs) earliestMeanwhile.set(name, Math.min(earliestMeanwhile.get(name) ?? Infinity, writeTime(doc)));
        } else post({ type: 'changes', changes });
      }),
    );
  }

  /** Sends a page, transferring its buffers (the page must not be read afterwards). */
  const send = (message: LoadMessage) => post(message, 'columns' in message ? columnBuffers(message.columns) : undefined);

  /** The replica, collection by collection: from the stored state and what was written since, or all of it. */
  async function stream(): Promise<void> {
    const stored = options.store ? await options.store.load(stateKey) : null;
    const saved = usable(stored, settingsKey) ? stored : null;
    const state: PersistedAnalytics = { version: ANALYTICS_STATE_VERSION, settingsKey, checkpoints: {} as PersistedAnalytics['checkpoints'], pages: [] };
    let changed = saved === null;
    for (const name of ANALYTICS_COLLECTIONS) {
      const from = saved?.checkpoints[name] ?? null;
      const latest = new Map<string, StoredDocument>();
      let end: ScanCheckpoint | null = from;
      for await (const page of replica.pages(name, pageSize, saved ? (from ?? undefined) : undefined)) {
        if (closed) return;
        const last = page.at(-1)!;
        end = { lwt: writeTime(last), id: last.id };
        if (saved) {
          for (const doc of page) latest.set(doc.id, doc);
          continue;
        }
        // Cold: sent as it is read (progress shows), and a copy kept for the stored state.
        const message = pageOf(name, page);
        if (message) {
          state.pages.push(structuredClone(message));
          send(message);
        }
      }
      if (saved) {
        changed ||= latest.size > 0;
        const drop = new Set([...latest.keys(), ...changedMeanwhile]);
        for (const page of saved.pages) {
          const kept = page.collection === name ? withoutIds(page, drop) : null;
          if (kept) state.pages.push(kept);
        }
        for (let i = 0, docs = [...latest.values()]; i < docs.length; i += pageSize) {
          const message = pageOf(name, docs.slice(i, i + pageSize));
          if (message) state.pages.push(message);
        }
      }
      state.checkpoints[name] = earlier(end, earliestMeanwhile.get(name));
    }
    if (changed || earliestMeanwhile.size > 0) await options.store?.save(stateKey, state);
    if (saved) for (const message of state.pages) if (!closed) send(message);
    post({ type: 'loaded' });
    const buffered = buffer ?? [];
    buffer = null;
    if (buffered.length > 0) post({ type: 'changes', changes: buffered });
  }

  /**
   * A page of stored documents as a `load` message, documents changed meanwhile left out. Tombstones are
   * sent (the columns carry them): an erased customer's visits still count in the visit totals while the
   * customer counts nowhere, as when its erasure arrives through the change stream — left out, it came back
   * as a nameless customer that had visits.
   */
  function pageOf(name: AnalyticsCollection, page: readonly StoredDocument[]): LoadMessage | null {
    // A document written meanwhile is in the buffer with its latest state: it is sent from there, once.
    const docs = page.filter((doc) => !changedMeanwhile.has(doc.id));
    return docs.length === 0 ? null : loadMessage(name, docs);
  }
  const streamed = stream().catch((error: unknown) => {
    state$.next({ ...state$.getValue(), error: error instanceof Error ? error.message : String(error) });
  });

  // The members of each saved group the worker holds, as last sent: the same groups in the same order as the
  // aggregator keeps them (MAX_GROUPS, oldest dropped first), so a list is sent only when the worker lacks it.
  const sentGroups = new Map<string, readonly string[]>();
  function sendMembers(group: QueryGroup, members: readonly string[]): void {
    const key = groupKeyOf(group)!;
    if (sentGroups.get(key) === members) return;
    sentGroups.delete(key);
    sentGroups.set(key, members);
    while (sentGroups.size > MAX_GROUPS) sentGroups.delete(sentGroups.keys().next().value!);
    post({ type: 'group', group, members: [...members] });
  }

  function request<T>(message: Omit<Extract<ToWorker, { type: 'snapshot' }>, 'id'> | Omit<Extract<ToWorker, { type: 'members' }>, 'id'>): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: never) => void, reject });
      post({ ...message, id } as ToWorker);
    });
  }

  return {
    state$: state$.asObservable(),
    /** Resolves once the whole replica has been streamed to the worker. */
    streamed,
    /**
     * The dashboard for a question; an answer asked once the whole replica was in is kept for the next open. A
     * question restricted to a group comes with the group's members (customer ids the page selected with its
     * filter); a list is sent to the worker only when it is not the one sent last for that group.
     */
    async snapshot(query: AnalyticsQuery, members?: readonly string[]): Promise<Snapshot> {
      if (query.group && members) sendMembers(query.group, members);
      const settled = state$.getValue().ready;
      const asked = settingsKey;
      const snapshot = await request<Snapshot>({ type: 'snapshot', query });
      if (settled && asked === settingsKey) answers.remember(query, snapshot);
      return snapshot;
    },
    /** The last settled answer to this question kept on the device (null: none, or other settings). */
    lastAnswer: (query: AnalyticsQuery) => answers.last(query),
    /** Resolves when the answers remembered so far are stored. */
    answersSaved: () => answers.saved(),
    /** A whole ranked list (drill-down, CSV export); a group's members are those sent with its snapshot. */
    members: (query: AnalyticsQuery, list: ListName, offset = 0, limit = 1_000_000) => request<CustomerRow[]>({ type: 'members', query, list, offset, limit }),
    close(): void {
      closed = true;
      for (const sub of subscriptions) sub.unsubscribe();
      for (const waiting of pending.values()) waiting.reject(new AnalyticsError('CLOSED', 'analytics closed'));
      pending.clear();
      worker.terminate();
    },
  };
}

/**
 * The dashboard's last settled answers on the device (persisted-state.ts `StoredAnswers`). They are read as
 * the client starts, before the much larger input, so a reopened dashboard shows numbers at once; answers
 * kept under other settings are never shown.
 */
function storedAnswers(store: AnalyticsStateStore | undefined, key: string, settingsKey: () => string) {
  const empty = (): StoredAnswers => ({ version: ANALYTICS_STATE_VERSION, settingsKey: settingsKey(), answers: [] });
  const current = (stored: StoredAnswers | null): StoredAnswer[] =>
    stored !== null && stored.version === ANALYTICS_STATE_VERSION && stored.settingsKey === settingsKey() && Array.isArray(stored.answers) ? stored.answers : [];
  let kept: Promise<StoredAnswers> = store ? store.loadAnswers(key).then((stored) => stored ?? empty(), empty) : Promise.resolve(empty());
  let saving: Promise<void> = Promise.resolve();
  return {
    last: async (query: AnalyticsQuery): Promise<StoredAnswer | null> => current(await kept).find((a) => a.question === questionKey(query)) ?? null,
    remember(query: AnalyticsQuery, snapshot: Snapshot): void {
      if (!store) return;
      const answer: StoredAnswer = { question: questionKey(query), answeredAt: new Date().toISOString(), snapshot };
      kept = kept.then((stored) => ({ ...empty(), answers: withAnswer(current(stored), answer) }));
      const next = kept;
      saving = saving.then(async () => store.saveAnswers(key, await next));
    },
    saved: () => saving,
  };
}

/** An analytics client. */
export type AnalyticsClient = ReturnType<typeof createAnalyticsClient>;

const clients = new WeakMap<ReplicaStream, AnalyticsClient>();

/**
 * The terminal's analytics client, started on first use and kept while the replica is open (leaving the
 * dashboard and coming back does not stream the replica again); closed with the replica.
 */
export function analyticsClientFor(replica: ReplicaStream, settings$: Observable<Settings>): AnalyticsClient {
  let client = clients.get(replica);
  if (!client) {
    const worker = new Worker(new URL('../../workers/analytics.worker.ts', import.meta.url), { type: 'module', name: 'patron-analytics' });
    client = createAnalyticsClient({ replica, settings$, worker: worker as unknown as WorkerLike, store: indexedDbStateStore() });
    clients.set(replica, client);
    const created = client;
    replica.onClose(() => created.close());
  }
  return client;
}
