import type { CollectionName } from '../../model/wire-protocol.ts';

/** The Postgres table holding each replicated collection. */
export const TABLES: Record<CollectionName, string> = {
  customers: 'customers',
  visits: 'visits',
  loyaltyEntries: 'loyalty_entries',
  rewards: 'rewards',
  settings: 'settings',
  staff: 'staff',
  inbox: 'inbox',
  customerGroups: 'customer_groups',
};

/** A stored document: the JSON as pushed (or written by the server), `_deleted` included. */
export type Doc = Record<string, unknown> & { id: string };

/** Structural deep equality of JSON values (key order does not matter, as in jsonb). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, i) => jsonEqual(value, b[i]));
  }
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
