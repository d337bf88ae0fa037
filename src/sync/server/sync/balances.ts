import type { Queryable } from '../db/database.ts';

/** A customer's merge group (the root it was merged into and every customer merged into that root) and its balance. */
export interface GroupBalance {
  root: string;
  balance: number;
}

// For each customer: walk `mergedInto` up to the root (at most 10 hops), collect everyone merged into that root
// (customers_by_merged_into serves the walk down), and sum the group's ledger — one statement for a whole batch.
const GROUP_BALANCES_SQL = `
  WITH RECURSIVE up(start, id, hops) AS (
    SELECT s, s, 0 FROM unnest($2::text[]) AS s
    UNION ALL
    SELECT up.start, c.doc->>'mergedInto', up.hops + 1
      FROM up JOIN customers c ON c.merchant_id = $1 AND c.id = up.id
     WHERE c.doc->>'mergedInto' IS NOT NULL AND up.hops < 10
  ), roots AS (
    SELECT DISTINCT ON (start) start, id AS root FROM up ORDER BY start, hops DESC
  ), members(root, id) AS (
    SELECT DISTINCT root, root FROM roots
    UNION
    SELECT m.root, c.id FROM members m JOIN customers c ON c.merchant_id = $1 AND c.doc->>'mergedInto' = m.id
  ), sums AS (
    SELECT m.root, COALESCE(SUM((l.doc->>'points')::bigint), 0) AS balance
      FROM members m LEFT JOIN loyalty_entries l ON l.merchant_id = $1 AND l.customer_id = m.id
     GROUP BY m.root
  )
  SELECT r.start, r.root, s.balance::text AS balance FROM roots r JOIN sums s USING (root)`;

/** The merge group root and the ledger balance (reads follow `mergedInto`) of each customer, in one statement. */
export async function groupBalances(tx: Queryable, merchantId: string, customerIds: readonly string[]): Promise<Map<string, GroupBalance>> {
  const result = new Map<string, GroupBalance>();
  if (customerIds.length === 0) return result;
  const { rows } = await tx.query<{ start: string; root: string; balance: string }>(GROUP_BALANCES_SQL, [merchantId, [...new Set(customerIds)]]);
  for (const row of rows) result.set(row.start, { root: row.root, balance: Number(row.balance) });
  return result;
}

/** A customer's balance: the ledger sum over the customer's merge group. */
export async function customerBalance(tx: Queryable, merchantId: string, customerId: string): Promise<number> {
  return (await groupBalances(tx, merchantId, [customerId])).get(customerId)?.balance ?? 0;
}
