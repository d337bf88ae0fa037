import type { Queryable } from '../db/database.ts';
import { AdminError } from './admin.ts';

// Operators know their shop by name ("Café Sol", "Main"), not by UUID. Every admin command that asks for a
// merchant, a store or a terminal takes either: an id is looked up as is, anything else must match exactly
// one name (case-insensitive, surrounding blanks ignored) — an ambiguous name fails and lists the candidates
// with their ids, so the operator can repeat the command with the one they meant.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Candidate {
  id: string;
  name: string;
}

function pick(kind: string, ref: string, rows: Candidate[], where = ''): string {
  const [only, ...others] = rows;
  if (only && others.length === 0) return only.id;
  if (!only) throw new AdminError(`no ${kind} ${UUID.test(ref) ? ref : `named "${ref}"`}${where}`);
  const list = rows.map((r) => `  ${r.id}  ${JSON.stringify(r.name)}`).join('\n');
  throw new AdminError(`${rows.length} ${kind}s are named "${ref}"${where}; give one of these ids instead:\n${list}`);
}

/** The id of the merchant `ref` names (an id or an exact name). */
export async function resolveMerchant(db: Queryable, ref: string): Promise<string> {
  const text = ref.trim();
  const { rows } = UUID.test(text)
    ? await db.query<Candidate>(`SELECT merchant_id::text AS id, name FROM merchants WHERE merchant_id = $1`, [text.toLowerCase()])
    : await db.query<Candidate>(`SELECT merchant_id::text AS id, name FROM merchants WHERE lower(btrim(name)) = lower($1) ORDER BY created_at`, [text]);
  return pick('merchant', text, rows);
}

/** The id of merchant `merchantId`'s store that `ref` names (an id or an exact name). */
export async function resolveStore(db: Queryable, merchantId: string, ref: string): Promise<string> {
  const text = ref.trim();
  const { rows } = UUID.test(text)
    ? await db.query<Candidate>(`SELECT store_id::text AS id, name FROM stores WHERE merchant_id = $1 AND store_id = $2`, [merchantId, text.toLowerCase()])
    : await db.query<Candidate>(`SELECT store_id::text AS id, name FROM stores WHERE merchant_id = $1 AND lower(btrim(name)) = lower($2) ORDER BY created_at`, [merchantId, text]);
  return pick('store', text, rows, ` in merchant ${merchantId}`);
}

/** The id of the terminal `ref` names: an id, or a device name, within one merchant when `merchantId` is given. */
export async function resolveTerminal(db: Queryable, ref: string, merchantId?: string): Promise<string> {
  const text = ref.trim();
  const scope = merchantId === undefined ? '' : ` AND merchant_id = $2`;
  const params = merchantId === undefined ? [] : [merchantId];
  const { rows } = UUID.test(text)
    ? await db.query<Candidate>(`SELECT terminal_id::text AS id, name FROM terminals WHERE terminal_id = $1${scope}`, [text.toLowerCase(), ...params])
    : await db.query<Candidate>(`SELECT terminal_id::text AS id, name FROM terminals WHERE lower(btrim(name)) = lower($1)${scope} ORDER BY created_at`, [text, ...params]);
  return pick('terminal', text, rows, merchantId === undefined ? '' : ` in merchant ${merchantId}`);
}
