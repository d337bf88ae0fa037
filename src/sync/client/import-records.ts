import type { ImportMergeFields } from '../model/import-writes.ts';
import type { PatronDatabase } from './database.ts';

// What an import wrote, kept on the importing terminal so the whole import can be undone: local documents of
// the replica (never replicated), written before the batch they describe (like the write journal), so a batch
// interrupted half-way is still covered by its record. One document per batch keeps each write small.

/** A customer the import created, with what it wrote (the undo checks the customer still holds it). */
export interface CreatedRecord {
  id: string;
  /** Its opening ledger line, or null. */
  openingId: string | null;
  /** Business time the import stamped (an edit after the import changes it). */
  updatedAt: string;
}

/** An existing customer the import merged rows into: each changed field before and after. */
export interface MergedRecord {
  id: string;
  before: Partial<ImportMergeFields>;
  after: Partial<ImportMergeFields>;
}

/** One import as this terminal remembers it. */
export interface ImportSummary {
  id: string;
  fileName: string;
  at: string;
  staffId: string;
  batches: number;
  created: number;
  merged: number;
  undone: boolean;
}

/** What one batch wrote, and the business time it stamped (a retry of the batch stamps the same). */
export interface BatchRecord {
  at: string;
  created: CreatedRecord[];
  merged: MergedRecord[];
}

const LIST_ID = 'patron-imports';
/** Imports remembered per terminal (the newest); older ones cannot be undone here. */
const KEEP = 10;

const summaryId = (importId: string) => `patron-import-${importId}`;
const batchId = (importId: string, batch: number) => `patron-import-${importId}-${batch}`;

/** The import records of a replica. */
export function importRecords(db: PatronDatabase) {
  const list = async (): Promise<string[]> => ((await db.getLocal<{ ids: string[] }>(LIST_ID))?.get('ids') as string[] | undefined) ?? [];
  const summary = async (importId: string): Promise<ImportSummary | null> => {
    const doc = await db.getLocal<ImportSummary>(summaryId(importId));
    return doc ? (doc.toJSON().data as ImportSummary) : null;
  };
  const forget = async (importId: string, batches: number) => {
    for (let batch = 0; batch < batches; batch++) await (await db.getLocal(batchId(importId, batch)))?.remove();
    await (await db.getLocal(summaryId(importId)))?.remove();
  };
  return {
    summary,
    /** The newest imports first. */
    async recent(): Promise<ImportSummary[]> {
      const found = await Promise.all((await list()).map(summary));
      return found.filter((s): s is ImportSummary => s !== null).reverse();
    },
    /** Batch `batch` of an import as recorded, or null. */
    async batch(importId: string, batch: number): Promise<BatchRecord | null> {
      const doc = await db.getLocal<BatchRecord>(batchId(importId, batch));
      return doc ? (doc.toJSON().data as BatchRecord) : null;
    },
    /**
     * Records batch `batch` of an import before it is written (a summary is created with the first). A retry
     * of the batch adds to its record: what the first attempt recorded stays as it was.
     */
    async record(start: Omit<ImportSummary, 'batches' | 'created' | 'merged' | 'undone'>, batch: number, record: BatchRecord): Promise<void> {
      const earlier = await this.batch(start.id, batch);
      if (earlier) {
        const known = new Set([...earlier.created.map((c) => c.id), ...earlier.merged.map((m) => m.id)]);
        record = { at: earlier.at, created: [...earlier.created, ...record.created.filter((c) => !known.has(c.id))], merged: [...earlier.merged, ...record.merged.filter((m) => !known.has(m.id))] };
      }
      await db.upsertLocal<BatchRecord>(batchId(start.id, batch), record);
      const before = await summary(start.id);
      const base = before ?? { ...start, batches: 0, created: 0, merged: 0, undone: false };
      const added = { created: record.created.length - (earlier?.created.length ?? 0), merged: record.merged.length - (earlier?.merged.length ?? 0) };
      await db.upsertLocal<ImportSummary>(summaryId(start.id), {
        ...base,
        batches: Math.max(base.batches, batch + 1),
        created: base.created + added.created,
        merged: base.merged + added.merged,
      });
      if (!before) {
        const ids = [...(await list()).filter((id) => id !== start.id), start.id];
        const dropped = ids.slice(0, Math.max(0, ids.length - KEEP));
        for (const id of dropped) await forget(id, (await summary(id))?.batches ?? 0);
        await db.upsertLocal<{ ids: string[] }>(LIST_ID, { ids: ids.slice(-KEEP) });
      }
    },
    /** The records of every batch of an import. */
    async batches(importId: string): Promise<BatchRecord[]> {
      const count = (await summary(importId))?.batches ?? 0;
      const out: BatchRecord[] = [];
      for (let batch = 0; batch < count; batch++) {
        const doc = await db.getLocal<BatchRecord>(batchId(importId, batch));
        if (doc) out.push(doc.toJSON().data as BatchRecord);
      }
      return out;
    },
    async markUndone(importId: string): Promise<void> {
      const before = await summary(importId);
      if (before) await db.upsertLocal<ImportSummary>(summaryId(importId), { ...before, undone: true });
    },
  };
}

/** A replica's import records. */
export type ImportRecords = ReturnType<typeof importRecords>;
