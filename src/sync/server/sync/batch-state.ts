import { DEFAULT_PROGRAM, type Program, type Settings } from '../../model/settings.ts';
import type { Staff } from '../../model/staff.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { TABLES, type Doc } from './tables.ts';

/** What a batch is decided against: the stored documents it names, the staff it says acted, the programme. */
export interface BatchState {
  stored: Map<string, Doc>;
  staff: Map<string, Staff>;
  program: Program;
}

/**
 * Reads a batch's state in one statement, after the clock row lock: the stored documents with the batch's ids,
 * the acting staff members and (for ledger lines, whose rules depend on it) the merchant's programme.
 */
export async function readBatchState(tx: Queryable, merchantId: string, collection: CollectionName, ids: readonly string[], staffIds: readonly string[]): Promise<BatchState> {
  const { rows } = await tx.query<{ part: number; id: string; doc: Doc }>(
    `SELECT 0 AS part, id, doc FROM ${TABLES[collection]} WHERE merchant_id = $1 AND id = ANY($2::text[])
     UNION ALL SELECT 1, id, doc FROM staff WHERE merchant_id = $1 AND id = ANY($3::text[])
     UNION ALL SELECT 2, id, doc FROM settings WHERE merchant_id = $1 AND id = $4 AND $5`,
    [merchantId, ids, staffIds, merchantId, collection === 'loyaltyEntries'],
  );
  const state: BatchState = { stored: new Map(), staff: new Map(), program: DEFAULT_PROGRAM };
  for (const row of rows) {
    if (row.part === 0) state.stored.set(row.id, row.doc);
    else if (row.part === 1) state.staff.set(row.id, row.doc as unknown as Staff);
    else state.program = (row.doc as unknown as Settings).program ?? DEFAULT_PROGRAM;
  }
  return state;
}
