import type { RxCollection } from 'rxdb';
import type { CollectionName } from '../model/wire-protocol.ts';
import type { PatronDatabase } from './database.ts';
import { forStorage } from './documents.ts';

// Commands that write several documents (a visit and its earning, a void and its reversal) write an intent
// first: the whole set of writes, in a local document of this replica (never replicated). The writes follow;
// the intent is dropped once they are all done. A terminal that stopped in between (a crash, a closed tab,
// a write IndexedDB refused) replays its intents when it opens, so a pair is always completed and never
// doubled: every write is idempotent — an insert of a document that exists, or a patch whose precondition no
// longer holds, is a no-op — and the documents of a pair have deterministic ids (model/ids.ts).

/** One write of an intent. */
export type JournalWrite =
  | { op: 'insert'; collection: CollectionName; doc: { id: string; _deleted: boolean } }
  | {
      op: 'patch';
      collection: CollectionName;
      id: string;
      /** The patch applies only while the stored document has these field values. */
      when: Record<string, unknown>;
      patch: Record<string, unknown>;
    };

/** A set of writes that belong together. */
export interface Intent {
  id: string;
  writes: JournalWrite[];
}

const JOURNAL_ID = 'patron-write-journal';

type JournalData = { intents: Intent[] };

/** The replica's write journal. */
export interface Journal {
  /** Writes the intent's documents, recorded first so that a restart completes them. */
  apply(intent: Intent): Promise<void>;
  /** Completes every intent left by an earlier run; returns how many there were. */
  replay(): Promise<number>;
}

/** The journal of a database opened with local documents (database.ts). */
export function createJournal(db: PatronDatabase): Journal {
  const modify = async (change: (data: JournalData) => JournalData) => {
    const doc = (await db.getLocal<JournalData>(JOURNAL_ID)) ?? (await db.upsertLocal<JournalData>(JOURNAL_ID, { intents: [] }));
    await doc.incrementalModify((data) => change({ intents: data.intents ?? [] }));
  };
  const finish = (id: string) => modify((data) => ({ intents: data.intents.filter((intent) => intent.id !== id) }));

  return {
    async apply(intent) {
      await modify((data) => ({ intents: [...data.intents.filter((i) => i.id !== intent.id), intent] }));
      await applyWrites(db, intent.writes);
      await finish(intent.id);
    },
    async replay() {
      const doc = await db.getLocal<JournalData>(JOURNAL_ID);
      const intents = doc?.toJSON().data.intents;
      for (const intent of intents ?? []) {
        await applyWrites(db, intent.writes);
        await finish(intent.id);
      }
      return intents?.length ?? 0;
    },
  };
}

/** Applies writes in order, each idempotently. */
export async function applyWrites(db: PatronDatabase, writes: readonly JournalWrite[]): Promise<void> {
  for (const write of writes) {
    // Any collection: the journal writes whole documents the commands built and checked.
    const collection = db.collections[write.collection] as unknown as RxCollection<Record<string, unknown>>;
    if (write.op === 'insert') {
      const { error } = await collection.bulkInsert([forStorage(write.doc)]);
      // 409: the document exists (written before a restart, or pulled): the insert is done.
      const failed = error.find((e) => e.status !== 409);
      if (failed) throw new Error(`write of ${write.collection}/${write.doc.id} failed (${failed.status})`);
      continue;
    }
    const stored = await collection.findOne(write.id).exec();
    if (!stored) throw new Error(`${write.collection}/${write.id} is not in the replica`);
    await stored.incrementalModify((current) => {
      const holds = Object.entries(write.when).every(([field, value]) => current[field] === value);
      return holds ? { ...current, ...write.patch } : current;
    });
  }
}
