import { isCompleteMemberCode, memberCodeOf, memberCodeQuery } from '../../model/member-code.ts';
import { parsePhone } from '../../model/phone.ts';
import type { AuditEntry } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { readCustomerAudit } from '../sync/audit.ts';
import { AdminError } from './admin.ts';

// `patron-sync audit` as an administrative operation (admin-operations.ts), so it runs in the CLI's process or
// inside a running server alike: the customer named by id, member code or phone, and their trail.

/** What the command asks for. */
export interface TrailQuery {
  customer: string;
  merchant?: string | undefined;
  since?: string | undefined;
  limit: number;
}

/** What `patron-sync audit` prints. */
export interface Trail {
  merchantId: string;
  customerIds: string[];
  entries: (AuditEntry & { staffName: string | null })[];
}

/** A customer's trail as `patron-sync audit` prints it: the customers the text names and their entries, with staff names. */
export async function readTrail(db: Queryable, options: TrailQuery): Promise<Trail> {
  const merchantId = await merchantOf(db, options.merchant);
  const customerIds = await resolveCustomer(db, merchantId, options.customer.trim());
  const entries = await readCustomerAudit(db, merchantId, { customerIds, limit: options.limit, ...(options.since ? { since: options.since } : {}) });
  const staffIds = [...new Set(entries.map((e) => e.staffId).filter((id): id is string => id !== null))];
  const { rows } = await db.query<{ id: string; name: string }>(`SELECT id, doc->>'name' AS name FROM staff WHERE merchant_id = $1 AND id = ANY($2::text[])`, [merchantId, staffIds]);
  const names = new Map(rows.map((row) => [row.id, row.name]));
  return { merchantId, customerIds, entries: entries.map((e) => ({ ...e, staffName: e.staffId === null ? null : (names.get(e.staffId) ?? null) })) };
}

async function merchantOf(db: Queryable, given: string | undefined): Promise<string> {
  const { rows } = await db.query<{ merchant_id: string }>(given ? `SELECT merchant_id FROM merchants WHERE merchant_id = $1` : `SELECT merchant_id FROM merchants ORDER BY created_at LIMIT 2`, given ? [given] : []);
  if (given && rows.length === 0) throw new AdminError(`no merchant ${given}`);
  if (rows.length === 0) throw new AdminError('the database holds no merchant yet');
  if (rows.length > 1) throw new AdminError('the database holds several merchants: name one with --merchant <id>');
  return rows[0]!.merchant_id;
}

/** The customers the text names: an id as is, a member code's holders, or every customer with that phone. */
async function resolveCustomer(db: Queryable, merchantId: string, text: string): Promise<string[]> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return [text.toLowerCase()];
  const code = memberCodeQuery(text);
  if (code !== null && isCompleteMemberCode(code)) {
    // A code is written into the id (model/member-code.ts); reading every id of the merchant is the one rule, applied.
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM customers WHERE merchant_id = $1`, [merchantId]);
    const ids = rows.filter((row) => memberCodeOf(row.id) === code).map((row) => row.id);
    if (ids.length === 0) throw new AdminError(`no customer has member code ${code}`);
    return ids;
  }
  const { rows: settings } = await db.query<{ region: string }>(`SELECT doc->>'defaultRegion' AS region FROM settings WHERE merchant_id = $1`, [merchantId]);
  const phone = parsePhone(text, settings[0]?.region ?? 'IR');
  if (!phone.ok) throw new AdminError('--customer: expected a customer id, a member code (e.g. 7-00012) or a phone number');
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM customers WHERE merchant_id = $1 AND phone = $2 ORDER BY id`, [merchantId, phone.e164]);
  if (rows.length === 0) throw new AdminError(`no customer has phone ${phone.e164}`);
  return rows.map((row) => row.id);
}

