// The in-page half of the import benchmark (import-browser.ts), bundled into the built web app's folder and
// added to the app's own page once the manager is signed in. It records what a person at the page would feel
// while an import runs — every main-thread task over 50 ms (PerformanceObserver 'longtask'), every frame
// (requestAnimationFrame), and keys typed into a probe field (key event → handler → the next frame) — and it
// runs the floor: the same customer documents bulk-inserted into the same storage (RxDB Dexie on IndexedDB).
import type { RxDocumentData } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { RejectedRows, createPatronDatabase } from '../../../src/sync/client/database.ts';
import { scanDocuments } from '../../../src/sync/client/scan.ts';

/** A main-thread task over 50 ms, in the page's clock. */
export interface LongTask {
  start: number;
  duration: number;
}

/**
 * One key typed into the probe field, in wall-clock milliseconds (performance.timeOrigin + now): the benchmark
 * pairs it with the time it sent the key, since a key event's own timeStamp is taken when the renderer gets
 * to it — after the very stall it should show.
 */
export interface ProbeKey {
  /** Its handler ran. */
  handled: number;
  /** The frame after its handler began (what the eye sees). */
  frame: number;
}

/** What the instruments recorded, and the page-clock times of the benchmark's marks. */
export interface Recorded {
  longTasks: LongTask[];
  frames: number[];
  keys: ProbeKey[];
  marks: Record<string, number>;
}

/** The floor: one bulkInsert of the documents, and the same in slices (the import's batch size). */
export interface FloorResult {
  documents: number;
  oneMs: number;
  slicedMs: number;
  slice: number;
}

export interface ImportBench {
  /** The page's clock origin (wall-clock ms), to place the benchmark's key times on the page's clock. */
  origin(): number;
  start(): void;
  mark(name: string): number;
  focus(): void;
  stop(): Recorded;
  floor(input: { databaseName: string; existing: readonly string[]; slice: number }): Promise<FloorResult>;
}

let recorded: Recorded = { longTasks: [], frames: [], keys: [], marks: {} };
let running = false;
let probe: HTMLInputElement | null = null;
let observer: PerformanceObserver | null = null;

function onFrame(at: number): void {
  if (!running) return;
  recorded.frames.push(at);
  requestAnimationFrame(onFrame);
}

/** Starts a fresh record (what an earlier run recorded is dropped). */
function start(): void {
  recorded = { longTasks: [], frames: [], keys: [], marks: {} };
  running = true;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) recorded.longTasks.push({ start: entry.startTime, duration: entry.duration });
  });
  observer.observe({ type: 'longtask' });
  requestAnimationFrame(onFrame);
  probe = document.createElement('input');
  probe.setAttribute('aria-label', 'benchmark typing probe');
  probe.style.cssText = 'position:fixed;inset-block-end:0;inset-inline-end:0;inline-size:8rem;z-index:9999';
  probe.addEventListener('keydown', () => {
    const handled = performance.timeOrigin + performance.now();
    requestAnimationFrame((frame) => recorded.keys.push({ handled, frame: performance.timeOrigin + frame }));
  });
  // The field's text is not what is measured: keep it short so its own layout stays constant.
  probe.addEventListener('input', () => {
    if (probe && probe.value.length > 40) probe.value = '';
  });
  document.body.append(probe);
}

function stop(): Recorded {
  running = false;
  // Entries still queued in the observer belong to the run.
  for (const entry of observer?.takeRecords() ?? []) recorded.longTasks.push({ start: entry.startTime, duration: entry.duration });
  observer?.disconnect();
  probe?.remove();
  return recorded;
}

type Stored = RxDocumentData<{ id: string }> & Record<string, unknown>;

/** A stored document as bulkInsert takes it (RxDB adds its own meta fields). */
function plain(doc: Stored): Record<string, unknown> {
  const { _meta, _rev, _attachments, _deleted, ...rest } = doc;
  return rest;
}

/**
 * Reads the customers the import created from the app's replica (a second RxDB instance on its IndexedDB) and
 * inserts the same documents into two fresh databases of the same storage that already hold the replica's other
 * customers (untimed): once in one bulkInsert, once in slices of `slice`.
 */
async function floor(input: { databaseName: string; existing: readonly string[]; slice: number }): Promise<FloorResult> {
  const existing = new Set(input.existing);
  const before: Record<string, unknown>[] = [];
  const created: Record<string, unknown>[] = [];
  const replica = await createPatronDatabase({ name: input.databaseName, storage: getRxStorageDexie(), rejected: new RejectedRows(), multiInstance: false, collections: ['customers'] });
  try {
    for await (const page of scanDocuments(replica.customers.storageInstance, 5000)) {
      for (const doc of page as unknown as Stored[]) if (!doc._deleted) (existing.has(doc.id) ? before : created).push(plain(doc));
    }
  } finally {
    await replica.close();
  }
  const timed = async (name: string, step: number) => {
    const db = await createPatronDatabase({ name, storage: getRxStorageDexie(), rejected: new RejectedRows(), multiInstance: false, collections: ['customers'] });
    try {
      await db.customers.bulkInsert(before as never[]);
      const started = performance.now();
      for (let at = 0; at < created.length; at += step) {
        const result = await db.customers.bulkInsert(created.slice(at, at + step) as never[]);
        if (result.error.length > 0) throw new Error(`floor bulkInsert: ${result.error.length} errors`);
      }
      return performance.now() - started;
    } finally {
      await db.remove();
    }
  };
  const oneMs = await timed('patron-import-floor-one', Math.max(1, created.length));
  const slicedMs = await timed('patron-import-floor-sliced', input.slice);
  return { documents: created.length, oneMs, slicedMs, slice: input.slice };
}

const bench: ImportBench = {
  origin: () => performance.timeOrigin,
  start,
  mark: (name) => (recorded.marks[name] = performance.now()),
  focus: () => probe?.focus(),
  stop,
  floor,
};
(globalThis as unknown as { patronImportBench: ImportBench }).patronImportBench = bench;
