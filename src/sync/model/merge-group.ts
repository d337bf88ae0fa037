import type { Customer } from './customer.ts';

// What the counter shows of a merge group (docs/directory.md): a duplicate merged into another customer
// keeps its own document (`mergedInto` set, docs/architecture.md#duplicates), so a merge can be undone exactly. Its details must
// not vanish behind the survivor: the card reads the whole group through this rule — nothing is copied, so
// an undone merge takes its details back with it, and the server's automatic merges are covered alike.

/** A merged record's notes, shown under the survivor's with whose they were. */
export interface CarriedNotes {
  customerId: string;
  name: string;
  notes: string;
}

/** The survivor's details with what its merged duplicates add. */
export interface GroupProfile {
  email: string | null;
  birthday: string | null;
  anniversary: string | null;
  tags: string[];
  favorites: string[];
  allergies: string[];
  /** The merged records' own notes (the survivor's stay in `root.notes`), oldest record first. */
  carriedNotes: CarriedNotes[];
}

/** The items of every list once (the same text in another case is the same item), the survivor's first. */
function union(lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const item of list) {
      const key = item.trim().toLocaleLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/**
 * The group's profile: the survivor's value for single fields (e-mail, birthday, anniversary) or else the
 * oldest merged record's that has one; lists united, the survivor's items first; every merged record's notes.
 * Merged records are taken oldest first (sign-up time, then id), so the answer does not depend on the order
 * they are given in.
 */
export function groupProfile(root: Customer, merged: readonly Customer[]): GroupProfile {
  const others = merged
    .filter((c) => c.id !== root.id && !c._deleted)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const group = [root, ...others];
  const first = <K extends 'email' | 'birthday' | 'anniversary'>(field: K): Customer[K] => group.find((c) => c[field] !== null)?.[field] ?? null;
  return {
    email: first('email'),
    birthday: first('birthday'),
    anniversary: first('anniversary'),
    tags: union(group.map((c) => c.tags)),
    favorites: union(group.map((c) => c.preferences.favorites)),
    allergies: union(group.map((c) => c.preferences.allergies)),
    carriedNotes: others.filter((c) => c.notes.trim() !== '').map((c) => ({ customerId: c.id, name: c.name, notes: c.notes })),
  };
}
