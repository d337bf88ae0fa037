import { DEFAULT_PROGRAM, upgradeProgram, type Program, type Settings } from '../../model/settings.ts';
import type { Reward } from '../../model/reward.ts';
import type { Staff } from '../../model/staff.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { LedgerState } from './ledger-checks.ts';
import { TABLES, type Doc } from './tables.ts';

/**
 * What a batch is decided against: the stored documents it names, the staff it says acted (for a batch of
 * staff, every member: a change must leave an active owner), the programme.
 */
export interface BatchState {
  stored: Map<string, Doc>;
  staff: Map<string, Staff>;
  program: Program;
  /** Live, unmerged customers stored with a phone some row of the batch carries (the duplicate check's input). */
  samePhone: Doc[];
  /** For ledger lines: what their rules are checked against (ledger-checks.ts). */
  ledger?: LedgerState;
  /** For visits: the rewards they say were applied (reward-checks.ts). */
  visitRewards?: Map<string, Reward>;
}

/** The keys a batch's state is read by. */
export interface BatchKeys {
  ids: readonly string[];
  staffIds: readonly string[];
  /** Phones of the batch's customers (empty for other collections). */
  phones: readonly string[];
}

/**
 * Reads a batch's state in one statement, after the clock row lock: the stored documents with the batch's ids,
 * the acting staff members, (for ledger lines, whose rules depend on it) the merchant's programme, and (for
 * customers) the live customers that share a phone with the batch.
 */
export async function readBatchState(tx: Queryable, merchantId: string, collection: CollectionName, keys: BatchKeys): Promise<BatchState> {
  const { rows } = await tx.query<{ part: number; id: string; doc: Doc }>(
    `SELECT 0 AS part, id, doc FROM ${TABLES[collection]} WHERE merchant_id = $1 AND id = ANY($2::text[])
     UNION ALL SELECT 1, id, doc FROM staff WHERE merchant_id = $1 AND (id = ANY($3::text[]) OR $7)
     UNION ALL SELECT 2, id, doc FROM settings WHERE merchant_id = $1 AND id = $4 AND $5
     UNION ALL SELECT 3, id, doc FROM customers
                WHERE merchant_id = $1 AND phone = ANY($6::text[]) AND NOT deleted AND doc->>'mergedInto' IS NULL`,
    [merchantId, keys.ids, keys.staffIds, merchantId, collection === 'loyaltyEntries', keys.phones, collection === 'staff'],
  );
  const state: BatchState = { stored: new Map(), staff: new Map(), program: DEFAULT_PROGRAM, samePhone: [] };
  for (const row of rows) {
    if (row.part === 0) state.stored.set(row.id, row.doc);
    else if (row.part === 1) state.staff.set(row.id, row.doc as unknown as Staff);
    else if (row.part === 2) state.program = upgradeProgram((row.doc as unknown as Settings).program ?? DEFAULT_PROGRAM);
    else state.samePhone.push(row.doc);
  }
  return state;
}
