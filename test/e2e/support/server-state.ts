import { randomInt } from 'node:crypto';
import { parsePhone } from '../../../src/sync/model/phone.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';

// What the server holds, read straight from its database: the end-to-end tests check that what the browser
// did arrived, not just that the browser says so.

/** A demo customer the lookup can find by their last four digits alone. */
export interface DemoCustomer {
  id: string;
  name: string;
  phone: string;
  lastFour: string;
  /** Their ledger balance on the server (nobody is merged into them, so it is the card's balance). */
  balance: number;
}

/**
 * An active Iranian demo customer whose last four digits are unique in the merchant and do not start with 0
 * (so "last four" is read as last digits only), with nobody merged into them.
 */
export async function demoCustomer(db: Database, merchantId: string): Promise<DemoCustomer> {
  const { rows } = await db.query<{ id: string; name: string; phone: string; balance: number }>(
    `SELECT c.id, c.doc->>'name' AS name, c.phone,
            COALESCE((SELECT sum((e.doc->>'points')::int) FROM loyalty_entries e
                       WHERE e.merchant_id = c.merchant_id AND e.customer_id = c.id AND NOT e.deleted), 0)::int AS balance
       FROM customers c
      WHERE c.merchant_id = $1 AND NOT c.deleted AND c.doc->>'mergedInto' IS NULL AND c.doc->>'status' = 'active'
        AND c.phone LIKE '+989%' AND right(c.phone, 4) !~ '^0'
        AND NOT EXISTS (SELECT 1 FROM customers m WHERE m.merchant_id = c.merchant_id AND m.doc->>'mergedInto' = c.id)
        AND (SELECT count(*) FROM customers o WHERE o.merchant_id = c.merchant_id AND right(o.phone, 4) = right(c.phone, 4)) = 1
        AND EXISTS (SELECT 1 FROM visits v WHERE v.merchant_id = c.merchant_id AND v.customer_id = c.id)
      ORDER BY c.id LIMIT 1`,
    [merchantId],
  );
  const row = rows[0];
  if (!row) throw new Error('no suitable demo customer');
  return { ...row, balance: Number(row.balance), lastFour: row.phone.slice(-4) };
}

/** A valid mobile number with `prefix` (e.g. 0912) that no customer of the merchant has. */
export async function freshPhone(db: Database, merchantId: string, prefix: string): Promise<{ typed: string; e164: string }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const typed = `${prefix}${String(randomInt(1_000_000, 9_999_999))}`;
    const parsed = parsePhone(typed, 'IR');
    if (!parsed.ok) continue;
    const { rows } = await db.query(`SELECT 1 FROM customers WHERE merchant_id = $1 AND phone = $2`, [merchantId, parsed.e164]);
    if (rows.length === 0) return { typed, e164: parsed.e164 };
  }
  throw new Error(`no free phone number with prefix ${prefix}`);
}

/** A customer document as the server stores it, or null. */
export async function customerOnServer(db: Database, merchantId: string, id: string): Promise<{ phone: string; name: string; mergedInto: string | null } | null> {
  const { rows } = await db.query<{ doc: { phone: string; name: string; mergedInto: string | null } }>(`SELECT doc FROM customers WHERE merchant_id = $1 AND id = $2`, [merchantId, id]);
  return rows[0]?.doc ?? null;
}

/** A customer's visits on the server. */
export async function visitsOnServer(db: Database, merchantId: string, customerId: string): Promise<{ id: string; total: number; terminalId: string }[]> {
  const { rows } = await db.query<{ doc: { id: string; total: number; terminalId: string } }>(
    `SELECT doc FROM visits WHERE merchant_id = $1 AND customer_id = $2 AND NOT deleted ORDER BY doc->>'occurredAt'`,
    [merchantId, customerId],
  );
  return rows.map((r) => r.doc);
}

/** The merchant's inbox items of a kind. */
export async function inboxItems(db: Database, merchantId: string, kind: string): Promise<{ id: string; customerId: string | null; relatedId: string | null; code: string; status: string }[]> {
  const { rows } = await db.query<{ doc: { id: string; customerId: string | null; relatedId: string | null; code: string; status: string } }>(
    `SELECT doc FROM inbox WHERE merchant_id = $1 AND doc->>'kind' = $2`,
    [merchantId, kind],
  );
  return rows.map((r) => r.doc);
}
