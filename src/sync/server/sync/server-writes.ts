import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { Doc } from './tables.ts';
import { writeVersioned } from './versioned-writes.ts';

/**
 * Writes server-made documents as ordinary new versions (`written_by` 'server'), in one statement. `onlyNew`
 * leaves existing ids untouched. Returns how many were written.
 */
export async function writeServerDocs(
  tx: Queryable,
  collection: CollectionName,
  merchantId: string,
  docs: readonly Doc[],
  options: { onlyNew: boolean; reserveVersions?: boolean },
): Promise<number> {
  // Kept documents: the first of an id is the one that is inserted; updated ones: the last is what stays.
  const written = await writeVersioned(tx, collection, merchantId, 'server', oneOfEachId(docs, options.onlyNew ? 'first' : 'last'), {
    onConflict: options.onlyNew ? 'keep' : 'update',
    ...(options.reserveVersions === false ? { reserveVersions: false } : {}),
  });
  return written.length;
}

/** One document per id — the first or the last given — in the order of those occurrences (one statement writes an id once). */
export function oneOfEachId(docs: readonly Doc[], which: 'first' | 'last'): Doc[] {
  const chosen = new Map<string, number>();
  docs.forEach((doc, i) => {
    if (which === 'last' || !chosen.has(doc.id)) chosen.set(doc.id, i);
  });
  return docs.filter((doc, i) => chosen.get(doc.id) === i);
}

/** The business time of a server-made change: now, but never before the document's own time. */
export function serverUpdatedAt(previous: string, now: string): string {
  return previous > now ? previous : now;
}
