import { RecordedConflictSchema } from './common.ts';
import type { RecordedConflict } from './common.ts';
import { CONSENT_MAX, CUSTOMER_MERGE_FIELDS, TIMELINE_MAX } from './customer.ts';
import type { Customer, Preferences } from './customer.ts';
import { isErased } from './privacy.ts';
import { unionById } from './customer-profile.ts';
import { SETTINGS_MERGE_FIELDS } from './settings.ts';
import type { Settings } from './settings.ts';

// The three-way merge of docs/architecture.md#conflicts for mutable documents (customers, settings). `master` is the server's
// current state (realMasterState), `local` the terminal's new state (newDocumentState), `base` the state the
// terminal last saw from the server (assumedMasterState; undefined when the terminal thinks it inserted).
// Pure and deterministic: equal inputs give deep-equal outputs, and which value a field keeps depends on
// the values and business times only, not on which side is which — except where roles are the point
// (an entry both histories hold keeps the server's; fields outside the merge list come from the server).

/** Most recorded conflicts a document keeps (CustomerSchema / SettingsSchema `conflicts.max(20)`). */
export const MAX_RECORDED_CONFLICTS = 20;
/** Longest JSON encoding a recorded conflict holds (RecordedConflictSchema `lost`/`kept`). */
export const MAX_CONFLICT_VALUE = RecordedConflictSchema.shape.lost.maxLength ?? 4000;

/** What a mergeable document carries besides its fields: identity, business time, author and conflicts. */
export interface MergeableDocument {
  readonly id: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly _deleted: boolean;
  readonly conflicts: readonly RecordedConflict[];
}

/** One side of a merge. */
export type MergeSide = 'master' | 'local';

/** Per-document merge rules for `mergeDocuments`. */
export interface MergeOptions<T> {
  /** Fields that move as one unit (derived keys with their source); the first names the group in conflicts. */
  readonly groups?: readonly (readonly (keyof T & string)[])[];
  /**
   * Fields whose both-sides changes combine into one value with nothing lost (list additions and removals
   * from both sides); `undefined` when they cannot, which falls through to the rules below.
   */
  readonly combine?: {
    readonly [K in keyof T & string]?: (base: T[K] | undefined, master: T[K], local: T[K]) => T[K] | undefined;
  };
  /** Rules that pick the side for a single field changed on both sides; undefined falls back to business time. */
  readonly decide?: {
    readonly [K in keyof T & string]?: (base: T[K] | undefined, master: T[K], local: T[K]) => MergeSide | undefined;
  };
}

/**
 * JSON with object keys sorted, so equal values encode equally whatever order their keys were built in (or
 * jsonb stored them in).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * A value as a recorded conflict holds it: canonical JSON, cut with '…' when longer than the schema allows
 * (then it is no longer parseable JSON; the inbox shows it as text). Never splits a surrogate pair.
 */
function recordable(value: unknown): string {
  // An absent optional field (undefined) is recorded as null: JSON has no undefined.
  const json = canonicalJson(value ?? null);
  if (json.length <= MAX_CONFLICT_VALUE) return json;
  let end = MAX_CONFLICT_VALUE - 1;
  const last = json.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${json.slice(0, end)}…`;
}

/** Order of two business times as instants (text does not sort "…00Z" vs "…00.5Z"), then as text. */
function compareTimes(a: string, b: string): number {
  const diff = Date.parse(a) - Date.parse(b);
  if (diff !== 0 && !Number.isNaN(diff)) return Math.sign(diff);
  return a < b ? -1 : a > b ? 1 : 0;
}

const conflictKey = (c: RecordedConflict): string => `${c.field}\u0000${c.lost}\u0000${c.at}`;

/** Merge units: each group once (at its first listed member), every other field alone. */
function unitsOf<T>(fields: readonly (keyof T)[], groups: readonly (readonly (keyof T)[])[]): (keyof T)[][] {
  const units: (keyof T)[][] = [];
  const seen = new Set<keyof T>();
  for (const field of fields) {
    if (seen.has(field)) continue;
    const unit = [...(groups.find((group) => group.includes(field)) ?? [field])];
    for (const member of unit) seen.add(member);
    units.push(unit);
  }
  return units;
}

/**
 * Three-way merge of one document over `fields`, by unit (a field, or a group that moves as one):
 * - equal on both sides → that value; changed on one side only (against `base`) → that side;
 * - changed on both (without a base, every difference counts as both) → a `combine` rule unites both values
 *   when it can (nothing recorded); else a `decide` rule picks; else the later `updatedAt`
 *   (business time) wins, ties going to the greater canonical JSON so the choice is symmetric. The losing
 *   value is recorded in `conflicts` as { field, lost, kept, at: loser's updatedAt } (for a group, its
 *   first field's values; nothing when those are equal, i.e. only derived keys differed).
 * - A delete wins, whole: if either side is a tombstone, the result is that tombstone's fields and
 *   conflicts (master's if both), with nothing recorded. Erasure redacts every personal field and then
 *   tombstones (docs/architecture.md#deletes); a concurrent offline edit, or its value copied into `conflicts`, must not put
 *   personal data back into an erased customer. A restore racing a delete therefore loses.
 * - `conflicts` = master's list, then local's entries master lacks (same field + lost + at), then the new
 *   ones; the oldest (first) entries are dropped beyond 20. `updatedAt` is the later of both, `updatedBy`
 *   comes from that side. Fields outside `fields` (id, createdAt, …) are nobody's edit: master's.
 */
export function mergeDocuments<T extends MergeableDocument>(
  base: T | undefined,
  master: T,
  local: T,
  fields: readonly (keyof T)[],
  options: MergeOptions<T> = {},
): T {
  if (master.id !== local.id || (base !== undefined && base.id !== master.id))
    throw new Error(`mergeDocuments: ${master.id} and ${local.id} are different documents`);
  const order = compareTimes(master.updatedAt, local.updatedAt);
  const later = order > 0 || (order === 0 && master.updatedBy >= local.updatedBy) ? master : local;
  const stamp = { updatedAt: later.updatedAt, updatedBy: later.updatedBy };

  if (master._deleted || local._deleted) {
    const tombstone = master._deleted ? master : local;
    const kept = Object.fromEntries(fields.filter((field) => tombstone[field] !== undefined).map((field) => [field, tombstone[field]]));
    const dropped = fields.filter((field) => tombstone[field] === undefined);
    const rest = Object.fromEntries(Object.entries(master).filter(([key]) => !dropped.includes(key as keyof T)));
    return { ...(rest as T), ...kept, ...stamp, _deleted: true, conflicts: [...tombstone.conflicts] };
  }

  const out: Record<keyof T, unknown> = { ...master };
  const fresh: RecordedConflict[] = [];
  for (const unit of unitsOf(fields, options.groups ?? [])) {
    const encode = (doc: T): string => canonicalJson(unit.map((field) => doc[field]));
    const [m, l] = [encode(master), encode(local)];
    if (m === l) continue;
    const b = base === undefined ? undefined : encode(base);
    // An optional field one side lacks stays absent (not a key holding undefined, which JSON and a strict
    // schema see differently from a stored document).
    const copy = (doc: T): void =>
      unit.forEach((field) => {
        if (doc[field] === undefined) delete out[field];
        else out[field] = doc[field];
      });
    if (b === m) copy(local);
    if (b === m || b === l) continue; // one side changed: it wins (master's value is already in `out`)

    const field = unit[0] as keyof T & string;
    const [bv, mv, lv] = [base?.[field], master[field], local[field]];
    const combined = unit.length === 1 ? options.combine?.[field]?.(bv, mv, lv) : undefined;
    if (combined !== undefined) {
      out[field] = combined;
      continue;
    }
    const side =
      (unit.length === 1 ? options.decide?.[field]?.(bv, mv, lv) : undefined) ??
      (order !== 0 ? (order > 0 ? 'master' : 'local') : m > l ? 'master' : 'local');
    const [winner, loser] = side === 'master' ? [master, local] : [local, master];
    copy(winner);
    const lost = recordable(loser[field]);
    const kept = recordable(winner[field]);
    if (lost !== kept) fresh.push({ field, lost, kept, at: loser.updatedAt });
  }

  const conflicts = [...master.conflicts];
  const known = new Set(conflicts.map(conflictKey));
  for (const c of [...local.conflicts, ...fresh]) {
    if (known.has(conflictKey(c))) continue;
    known.add(conflictKey(c));
    conflicts.push(c);
  }
  return { ...(out as T), ...stamp, conflicts: conflicts.slice(-MAX_RECORDED_CONFLICTS) };
}

/**
 * `mergedInto` when both sides changed it differently. An undo wins: if the base pointed somewhere and a
 * side set it back to null, that side wins (a manager separated the customers on purpose; the other side's
 * pointer, e.g. a flattened merge chain, is recorded). Otherwise a pointer beats null: without a base, a
 * null side only shows it never saw the merge, and dropping the pointer would split one person in two.
 * Two different pointers fall back to business time (and the loser is recorded).
 */
function decideMergedInto(
  base: string | null | undefined,
  master: string | null,
  local: string | null,
): MergeSide | undefined {
  if (master === null) return base != null ? 'master' : 'local';
  if (local === null) return base != null ? 'local' : 'master';
  return undefined;
}

/**
 * Three-way merge of a list as a set: master's items, minus those the local side removed (in base, not in
 * local), plus the local side's additions, sorted. Two cashiers adding different allergies at once
 * both keep theirs — for allergies, losing one is a safety problem, not a cosmetic one. `undefined` when the
 * result would exceed `max` items (then the ordinary rules decide and record the loser).
 */
export function mergeSet(base: readonly string[] | undefined, master: readonly string[], local: readonly string[], max: number): string[] | undefined {
  const before = new Set(base ?? []);
  const kept = new Set(local);
  const removedLocally = new Set([...before].filter((item) => !kept.has(item)));
  const out = master.filter((item) => !removedLocally.has(item));
  const present = new Set(out);
  for (const item of local) {
    if (!before.has(item) && !present.has(item)) {
      out.push(item);
      present.add(item);
    }
  }
  // Sorted, so the result does not depend on which side is master: the order of a tag list means nothing.
  return out.length <= max ? out.sort() : undefined;
}

function combinePreferences(base: Preferences | undefined, master: Preferences, local: Preferences): Preferences | undefined {
  const time =
    master.preferredTime === local.preferredTime || local.preferredTime === base?.preferredTime
      ? master.preferredTime
      : master.preferredTime === base?.preferredTime
        ? local.preferredTime
        : undefined;
  if (time === undefined) return undefined;
  const favorites = mergeSet(base?.favorites, master.favorites, local.favorites, 20);
  const allergies = mergeSet(base?.allergies, master.allergies, local.allergies, 20);
  return favorites && allergies ? { favorites, allergies, preferredTime: time } : undefined;
}

/**
 * An append-only history from both sides: every entry of either, once by id, in time order (nothing is ever
 * removed from one, so the base has nothing to say). `undefined` beyond `max` entries.
 */
function historyUnion<T extends { at: string; id: string }>(max: number) {
  return (_base: readonly T[] | undefined, master: readonly T[], local: readonly T[]): T[] | undefined => {
    const out = unionById(master, local);
    return out.length <= max ? out : undefined;
  };
}

/**
 * Merge rules for customers: each phone and the name move with their derived keys, lists combine as sets,
 * the timeline and the consent history unite by id, undo/merge rule.
 */
export const CUSTOMER_MERGE_OPTIONS: MergeOptions<Customer> = {
  combine: {
    tags: (base, master, local) => mergeSet(base, master, local, 30),
    preferences: combinePreferences,
    timeline: historyUnion(TIMELINE_MAX),
    consent: historyUnion(CONSENT_MAX),
  },
  groups: [
    ['phone', 'phoneKey', 'phoneReversed'],
    ['phone2', 'phone2Key', 'phone2Reversed'],
    ['name', 'nameKey'],
  ],
  decide: { mergedInto: decideMergedInto },
};

/** Three-way merge of a customer (docs/architecture.md#conflicts) with CUSTOMER_MERGE_FIELDS and CUSTOMER_MERGE_OPTIONS; an erasure wins whole. */
export function mergeCustomer(base: Customer | undefined, master: Customer, local: Customer): Customer {
  // An erasure wins whole, stamp and all (master's if both): no field, author or recorded conflict of the
  // other side may come back into an erased customer (docs/privacy.md).
  if (isErased(master) && master._deleted) return master;
  if (isErased(local) && local._deleted) return local;
  return mergeDocuments(base, master, local, CUSTOMER_MERGE_FIELDS, CUSTOMER_MERGE_OPTIONS);
}

/**
 * Three-way merge of the settings document: each of SETTINGS_MERGE_FIELDS is one unit, so `program` and
 * `segments` move whole (their cross-field checks then hold by construction).
 */
export function mergeSettings(base: Settings | undefined, master: Settings, local: Settings): Settings {
  return mergeDocuments(base, master, local, SETTINGS_MERGE_FIELDS);
}
