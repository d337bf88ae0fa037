import { BehaviorSubject } from 'rxjs';
import type { PatronDatabase } from './database.ts';

/**
 * Who was merged into whom, kept in memory from the customers' change stream. The first fill is one pass
 * in the background (merges are rare and `mergedInto` is nullable, so it cannot be indexed); a card shows
 * its own ledger immediately and its merged duplicates' as soon as the pass is done.
 */
export function createMergeIndex(db: PatronDatabase) {
  const children = new Map<string, Set<string>>();
  const parentOf = new Map<string, string>();
  const version$ = new BehaviorSubject(0);
  const set = (id: string, parent: string | null) => {
    const previous = parentOf.get(id);
    if (previous === parent) return;
    if (previous) children.get(previous)?.delete(id);
    if (parent) {
      parentOf.set(id, parent);
      children.set(parent, (children.get(parent) ?? new Set()).add(id));
    } else parentOf.delete(id);
    version$.next(version$.getValue() + 1);
  };
  const subscription = db.customers.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      const doc = event.documentData as unknown as { mergedInto: string | null; _deleted: boolean };
      set(event.documentId, doc._deleted ? null : doc.mergedInto);
    }
  });
  const ready = db.customers
    .find({ selector: { mergedInto: { $ne: null } } })
    .exec()
    .then((docs) => {
      for (const doc of docs) set(doc.id, doc.mergedInto);
    });
  return {
    ready,
    /** Bumps whenever a merge is made or undone. */
    changes$: version$.asObservable(),
    /** The customer a merged duplicate belongs to (following chains). */
    rootOf(id: string): string {
      let current = id;
      for (let hop = 0; hop < 10; hop++) {
        const parent = parentOf.get(current);
        if (!parent) return current;
        current = parent;
      }
      return current;
    },
    /** The root and every customer merged into it, directly or through a chain. */
    groupOf(id: string): string[] {
      const root = this.rootOf(id);
      const group = [root];
      for (let i = 0; i < group.length && group.length < 100; i++) group.push(...(children.get(group[i]!) ?? []));
      return group;
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** The merge index of a database. */
export type MergeIndex = ReturnType<typeof createMergeIndex>;

