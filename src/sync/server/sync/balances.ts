import type { Queryable } from '../db/database.ts';

/** The ids of a customer's merge group: the root it was merged into and every customer merged into that root. */
export async function mergeGroup(tx: Queryable, merchantId: string, customerId: string): Promise<string[]> {
  let root = customerId;
  for (let hop = 0; hop < 10; hop++) {
    const { rows } = await tx.query<{ merged: string | null }>(`SELECT doc->>'mergedInto' AS merged FROM customers WHERE merchant_id = $1 AND id = $2`, [merchantId, root]);
    const next = rows[0]?.merged;
    if (!next) break;
    root = next;
  }
  const { rows } = await tx.query<{ id: string }>(
    `WITH RECURSIVE grp(id) AS (
       SELECT $2::text
       UNION
       SELECT c.id FROM customers c JOIN grp ON c.doc->>'mergedInto' = grp.id WHERE c.merchant_id = $1
     ) SELECT id FROM grp`,
    [merchantId, root],
  );
  return rows.map((row) => row.id);
}

/** A customer's balance: the ledger sum over the customer's merge group (reads follow `mergedInto`). */
export async function customerBalance(tx: Queryable, merchantId: string, customerId: string): Promise<number> {
  return sumPoints(tx, merchantId, await mergeGroup(tx, merchantId, customerId));
}

/** The ledger sum of a set of customers. */
export async function sumPoints(tx: Queryable, merchantId: string, group: readonly string[]): Promise<number> {
  const { rows } = await tx.query<{ balance: string | number | null }>(
    `SELECT COALESCE(SUM((doc->>'points')::bigint), 0)::text AS balance FROM loyalty_entries WHERE merchant_id = $1 AND customer_id = ANY($2::text[])`,
    [merchantId, group],
  );
  return Number(rows[0]?.balance ?? 0);
}
