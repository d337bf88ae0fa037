import { priorVisitsOf, type ConsentEntry, type Customer, type NoteEntry } from './customer.ts';
import { byTimeThenId } from './customer-profile.ts';

// What the counter shows of a merge group (docs/directory.md): a duplicate merged into another customer
// keeps its own document (`mergedInto` set, docs/architecture.md#duplicates), so a merge can be undone exactly. Its details must
// not vanish behind the survivor: the card reads the whole group through this rule — nothing is copied, so
// an undone merge takes its details back with it, and the server's automatic merges are covered alike.

/** A timeline note of the group, with the record it was written on (the survivor's or a merged duplicate's). */
export interface GroupNote extends NoteEntry {
  customerId: string;
}

/** Single fields a merged duplicate supplies when the survivor has none. */
const SINGLE_FIELDS = ['email', 'birthday', 'anniversary', 'phone2', 'address', 'company', 'source', 'preferredChannel'] as const;
type SingleField = (typeof SINGLE_FIELDS)[number];

/** The survivor's details with what its merged duplicates add. */
export interface GroupProfile extends Pick<Customer, SingleField> {
  tags: string[];
  favorites: string[];
  allergies: string[];
  /** Every record's timeline notes, each with its author and time, in time order. */
  timeline: GroupNote[];
  /** Every record's consent decisions: the same person's, so the latest of any record is the current one. */
  consent: ConsentEntry[];
  /** Visits before Patron of every record: each record's count is visits of the same person, so they add up. */
  priorVisits: number;
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

/** No value: null, or an empty text (address, company). */
const isEmpty = (value: unknown): boolean => value === null || value === '';

/**
 * The group's profile: the survivor's value for single fields (e-mail, birthday, anniversary, second phone,
 * address, company, source, preferred channel) or else the oldest merged record's that has one; lists united,
 * the survivor's items first; every record's timeline notes and consent decisions, in time order; the records'
 * visits before Patron added up.
 * Merged records are taken oldest first (sign-up time, then id), so the answer does not depend on the order
 * they are given in.
 */
export function groupProfile(root: Customer, merged: readonly Customer[]): GroupProfile {
  const others = merged
    .filter((c) => c.id !== root.id && !c._deleted)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const group = [root, ...others];
  const singles = Object.fromEntries(SINGLE_FIELDS.map((field) => [field, (group.find((c) => !isEmpty(c[field])) ?? root)[field]])) as Pick<Customer, SingleField>;
  return {
    ...singles,
    tags: union(group.map((c) => c.tags)),
    favorites: union(group.map((c) => c.preferences.favorites)),
    allergies: union(group.map((c) => c.preferences.allergies)),
    timeline: group.flatMap((c) => c.timeline.map((note) => ({ ...note, customerId: c.id }))).sort(byTimeThenId),
    consent: group.flatMap((c) => c.consent).sort(byTimeThenId),
    priorVisits: group.reduce((sum, c) => sum + priorVisitsOf(c), 0),
  };
}
