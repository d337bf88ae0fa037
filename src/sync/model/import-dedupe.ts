import type { ImportRow } from './import-rows.ts';

// Duplicates of an import: a row that names a customer who exists already (by member code, phone — their own
// or their second phone — or e-mail, in that order), or a row that repeats an earlier row of the same file. Each is a conflict a person decides
// (skip, merge, create); what a merge writes is `fillBlanks`, the one rule for both kinds.

/** The key a row matched by. */
export type MatchKey = 'memberCode' | 'phone' | 'email';

/** Finds live customers (not merged away, not deleted) by their keys: the replica's index, or the server's rows. */
export interface ExistingCustomers {
  byMemberCode(code: string): string | null;
  byPhone(e164: string): string | null;
  /** A customer whose second phone is `e164` (a shared family phone, or the same person). */
  bySecondPhone(e164: string): string | null;
  /** `email` is lower-cased. */
  byEmail(email: string): string | null;
}

/**
 * A row that repeats an existing customer or an earlier row. `phoneTaken`: the row's phone is an existing
 * customer's or an earlier row's phone (whatever it matched by), so it cannot be created as another customer.
 * Someone's second phone does not take it: a family may share one number, and the server does not merge those.
 */
export type ImportConflict =
  | { line: number; by: MatchKey; phoneTaken: boolean; existing: string }
  | { line: number; by: MatchKey; phoneTaken: boolean; earlierLine: number };

/** What a person chose for a conflict. A phone duplicate cannot be created: the server merges equal phones. */
export type ConflictChoice = 'skip' | 'merge' | 'create';

/** The choices a conflict offers. */
export function choicesFor(conflict: Pick<ImportConflict, 'phoneTaken'>): readonly ConflictChoice[] {
  return conflict.phoneTaken ? ['skip', 'merge'] : ['skip', 'merge', 'create'];
}

const keysOf = (row: ImportRow): [MatchKey, string | null][] => [
  ['memberCode', row.memberCode],
  ['phone', row.phone],
  ['email', row.email?.toLowerCase() ?? null],
];

/**
 * The conflicts of checked rows, in file order: an existing customer first (member code, phone then second
 * phone, e-mail), else
 * the first earlier row with an equal key. A row that names a member code nobody holds is new.
 */
export function findConflicts(rows: readonly ImportRow[], existing: ExistingCustomers): ImportConflict[] {
  const seen: Record<MatchKey, Map<string, number>> = { memberCode: new Map(), phone: new Map(), email: new Map() };
  const lookup: Record<MatchKey, (key: string) => string | null> = {
    memberCode: (key) => existing.byMemberCode(key),
    phone: (key) => existing.byPhone(key) ?? existing.bySecondPhone(key),
    email: (key) => existing.byEmail(key),
  };
  const conflicts: ImportConflict[] = [];
  for (const row of rows) {
    const keys = keysOf(row).filter((entry): entry is [MatchKey, string] => entry[1] !== null);
    const hit = keys.map(([by, key]) => ({ by, existing: lookup[by](key) })).find((match) => match.existing !== null);
    const earlier = hit ? undefined : keys.map(([by, key]) => ({ by, earlierLine: seen[by].get(key) })).find((match) => match.earlierLine !== undefined);
    const phoneTaken = seen.phone.has(row.phone) || existing.byPhone(row.phone) !== null;
    if (hit) conflicts.push({ line: row.line, by: hit.by, phoneTaken, existing: hit.existing! });
    else if (earlier) conflicts.push({ line: row.line, by: earlier.by, phoneTaken, earlierLine: earlier.earlierLine! });
    for (const [by, key] of keys) if (!seen[by].has(key)) seen[by].set(key, row.line);
  }
  return conflicts;
}

/** The fields a merge may fill on a customer. */
export interface MergeableFields {
  email: string | null;
  birthday: string | null;
  anniversary: string | null;
  tags: string[];
}

/** Most tags a customer holds (customer.ts). */
const TAGS_MAX = 30;

/**
 * What merging `row` into a customer changes, never overwriting what the customer has: an empty e-mail,
 * birthday or anniversary is filled, tags are added (up to the schema's 30). Name and phone stay. The row's note
 * and consent go only to customers the import creates: a timeline and a consent history are append-only, so an
 * undo could not take them back out of an existing customer. Returns only the changed fields.
 */
export function fillBlanks(current: MergeableFields, row: ImportRow): Partial<MergeableFields> {
  const changes: Partial<MergeableFields> = {};
  if (current.email === null && row.email !== null) changes.email = row.email;
  if (current.birthday === null && row.birthday !== null) changes.birthday = row.birthday;
  if (current.anniversary === null && row.anniversary !== null) changes.anniversary = row.anniversary;
  const tags = [...new Set([...current.tags, ...row.tags])].slice(0, TAGS_MAX);
  if (tags.length !== current.tags.length) changes.tags = tags;
  return changes;
}

/** What an import writes once every conflict is decided. */
export interface ImportPlan {
  /** New customers (a row merged into an earlier row of the file is folded into it first). */
  creates: ImportRow[];
  /** Rows merged into existing customers, by customer id (several rows into one customer: in file order). */
  merges: { customerId: string; rows: ImportRow[] }[];
  skipped: number[];
}

/**
 * Applies the choices (`choose(conflict)`; a choice the conflict does not offer is a skip). A row merged into an
 * earlier row joins wherever that row goes: its new customer, or the existing customer it merges into. A merge
 * never carries points: an opening balance belongs only to a customer the import creates from that row.
 */
export function planImport(rows: readonly ImportRow[], conflicts: readonly ImportConflict[], choose: (conflict: ImportConflict) => ConflictChoice): ImportPlan {
  const byLine = new Map(conflicts.map((conflict) => [conflict.line, conflict]));
  const created = new Map<number, ImportRow>();
  // Where each merged row went: an existing customer's id, or the line of the new customer it is folded into.
  const went = new Map<number, { customerId: string } | { line: number }>();
  const merges = new Map<string, ImportRow[]>();
  const skipped: number[] = [];
  for (const row of rows) {
    const conflict = byLine.get(row.line);
    const chosen = conflict ? choose(conflict) : 'create';
    const choice = conflict && !choicesFor(conflict).includes(chosen) ? 'skip' : chosen;
    if (!conflict || choice === 'create') {
      created.set(row.line, row);
      continue;
    }
    const target = choice === 'skip' ? undefined : 'existing' in conflict ? { customerId: conflict.existing } : (went.get(conflict.earlierLine) ?? (created.has(conflict.earlierLine) ? { line: conflict.earlierLine } : undefined));
    if (target === undefined) skipped.push(row.line);
    else if ('customerId' in target) merges.set(target.customerId, [...(merges.get(target.customerId) ?? []), row]);
    else {
      const earlier = created.get(target.line)!;
      created.set(target.line, { ...earlier, ...fillBlanks(earlier, row) });
    }
    if (target !== undefined) went.set(row.line, target);
  }
  return { creates: [...created.values()], merges: [...merges].map(([customerId, merged]) => ({ customerId, rows: merged })), skipped };
}
