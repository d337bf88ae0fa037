// The in-page half of the keystroke benchmark, bundled by keystroke.ts into the built web app's folder and
// loaded into the app's own page (same origin, so the app's CSP admits it) AFTER the typing session, so it
// cannot disturb what it measures. It opens a second RxDB instance on the app's IndexedDB replica (same
// storage, same schema, no dev-mode) and times the counter's own replica lookup there: the floor. Beside it,
// the in-memory lookup index the app answers from once it has filled (lookup-index.ts), over the same replica.
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { RejectedRows, createPatronDatabase } from '../../../src/sync/client/database.ts';
import { createLookupIndex } from '../../../src/sync/client/lookup-index.ts';
import { lookupInReplica, lookupPlan } from '../../../src/sync/client/lookup.ts';

/** One timed query. */
export interface FloorSample {
  text: string;
  ms: number;
  results: number;
  /** The in-memory index's search for the same text (mean of INDEX_RUNS runs: the page's clock is coarse). */
  indexMs: number;
}

const INDEX_RUNS = 20;

/**
 * Runs the replica lookup (`lookupInReplica`) for every text in order, once each (RxDB caches a repeated query's results, as the
 * app's instance does for texts typed twice), and times each call from the call to the resolved results.
 * Then fills a lookup index on the same instance (timed: every customer read once from IndexedDB) and times its
 * synchronous search for the same texts.
 */
async function floor(input: { databaseName: string; texts: readonly string[]; region: string }): Promise<{ samples: FloorSample[]; indexFillMs: number }> {
  const db = await createPatronDatabase({
    name: input.databaseName,
    storage: getRxStorageDexie(),
    rejected: new RejectedRows(),
    multiInstance: false,
    collections: ['customers'],
  });
  try {
    // One untimed query first: opening the store and the first read pay Chromium's cold start (docs/architecture.md#performance).
    await lookupInReplica(db, lookupPlan('0', input.region), 20);
    const samples: FloorSample[] = [];
    for (const text of input.texts) {
      const started = performance.now();
      const results = await lookupInReplica(db, lookupPlan(text, input.region), 20);
      samples.push({ text, ms: performance.now() - started, results: results.length, indexMs: Number.NaN });
    }
    // The index after the floor, so that its fill (every customer read once) cannot warm the floor's reads.
    const fillStarted = performance.now();
    const index = createLookupIndex(db);
    try {
      await index.ready;
      const indexFillMs = performance.now() - fillStarted;
      for (const sample of samples) {
        const started = performance.now();
        for (let run = 0; run < INDEX_RUNS; run++) index.run(lookupPlan(sample.text, input.region), 20);
        sample.indexMs = (performance.now() - started) / INDEX_RUNS;
      }
      return { samples, indexFillMs };
    } finally {
      index.stop();
    }
  } finally {
    await db.close();
  }
}

(globalThis as unknown as { patronKeystrokeFloor: unknown }).patronKeystrokeFloor = { floor };
