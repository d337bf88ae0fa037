import { availableBalance } from '../../model/loyalty-expiry.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Program } from '../../model/settings.ts';
import type { Queryable } from '../db/database.ts';

/** A customer's merge group (the root it was merged into and every customer merged into that root) and its balance. */
export interface GroupBalance {
  root: string;
  balance: number;
}

// For each customer: walk `mergedInto` up to the root (at most 10 hops), collect everyone merged into that root
// (customers_by_merged_into serves the walk down), and sum the group's ledger — one statement for a whole batch.
const GROUPS_CTE = `
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
  )`;

const GROUP_BALANCES_SQL = `${GROUPS_CTE}, sums AS (
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

// With expiry, a balance is the ledger sum minus the expiry derived from the lines (loyalty-expiry.ts): the
// group's lines are read and the one model function computes it, so the server's overdraft check agrees with
// every terminal at the same instant.
const GROUP_LINES_SQL = `${GROUPS_CTE}
  SELECT r.start, r.root, l.doc FROM roots r JOIN members m USING (root)
    JOIN loyalty_entries l ON l.merchant_id = $1 AND l.customer_id = m.id AND NOT l.deleted`;

/**
 * The merge group root and spendable balance at `now` of each customer: the ledger sum, minus derived expiry
 * when the programme has one (then the group's lines are read; a customer has tens).
 */
export async function groupAvailableBalances(tx: Queryable, merchantId: string, customerIds: readonly string[], program: Pick<Program, 'expiryDays'>, now: Date): Promise<Map<string, GroupBalance>> {
  const sums = await groupBalances(tx, merchantId, customerIds);
  if (program.expiryDays === null || sums.size === 0) return sums;
  const { rows } = await tx.query<{ start: string; root: string; doc: LoyaltyEntry }>(GROUP_LINES_SQL, [merchantId, [...sums.keys()]]);
  const lines = new Map<string, LoyaltyEntry[]>();
  for (const row of rows) {
    const list = lines.get(row.start) ?? [];
    list.push(row.doc);
    lines.set(row.start, list);
  }
  for (const [start, group] of sums) sums.set(start, { root: group.root, balance: availableBalance(lines.get(start) ?? [], program, now) });
  return sums;
}

/** A customer's balance: the ledger sum over the customer's merge group. */
export async function customerBalance(tx: Queryable, merchantId: string, customerId: string): Promise<number> {
  return (await groupBalances(tx, merchantId, [customerId])).get(customerId)?.balance ?? 0;
}

const GROUP_STAMPS_SQL = `${GROUPS_CTE}, sums AS (
    SELECT m.root, COALESCE(SUM((l.doc->>'stamps')::bigint), 0) AS stamps
      FROM members m LEFT JOIN loyalty_entries l ON l.merchant_id = $1 AND l.customer_id = m.id AND NOT l.deleted
     GROUP BY m.root
  )
  SELECT r.start, r.root, s.stamps::text AS balance FROM roots r JOIN sums s USING (root)`;

/** The merge group root and stamp count (the sum of the group's stamp lines) of each customer, in one statement. */
export async function groupStampCounts(tx: Queryable, merchantId: string, customerIds: readonly string[]): Promise<Map<string, GroupBalance>> {
  const result = new Map<string, GroupBalance>();
  if (customerIds.length === 0) return result;
  const { rows } = await tx.query<{ start: string; root: string; balance: string }>(GROUP_STAMPS_SQL, [merchantId, [...new Set(customerIds)]]);
  for (const row of rows) result.set(row.start, { root: row.root, balance: Number(row.balance) });
  return result;
}

/** The ledger lines of each customer's merge group (tombstones left out), in one statement. */
export async function groupLines(tx: Queryable, merchantId: string, customerIds: readonly string[]): Promise<Map<string, LoyaltyEntry[]>> {
  const lines = new Map<string, LoyaltyEntry[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return lines;
  const { rows } = await tx.query<{ start: string; doc: LoyaltyEntry }>(GROUP_LINES_SQL, [merchantId, [...new Set(customerIds)]]);
  for (const row of rows) lines.get(row.start)?.push(row.doc);
  return lines;
}
