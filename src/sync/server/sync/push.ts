import type { z } from 'zod';
import type { CollectionName, PushResponse, PushRow } from '../../model/wire-protocol.ts';
import { COLLECTION_SCHEMAS } from '../../model/wire-protocol.ts';
import { DEFAULT_PROGRAM, type Program, type Settings } from '../../model/settings.ts';
import type { Staff } from '../../model/staff.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { applyConsequences } from './consequences.ts';
import { actingStaffId, checkWrite, type Refusal } from './rules.ts';
import { TABLES, jsonEqual, type Doc } from './tables.ts';
import { hasUnstorableText } from './text-safety.ts';

/** What a push did, for the answer, metrics and pokes. */
export interface PushOutcome extends PushResponse {
  written: number;
  /** Collections that received new versions (pushed rows and server-made changes). */
  changed: Set<CollectionName>;
}

type Verdict =
  | { kind: 'noop' }
  | { kind: 'write'; doc: Doc; master: Doc | undefined }
  | { kind: 'conflict'; master: Doc }
  | { kind: 'reject'; refusal: Refusal; doc: Record<string, unknown> };

/**
 * Applies one push batch inside the caller's transaction, mirroring RxDB's master write (DESIGN §6):
 * no row → insert; stored == new → success (a replay); stored == assumed → update; else → conflict.
 * Rows that can never be accepted are quarantined and answered as conflicts, never thrown.
 */
export async function applyPush(
  tx: Queryable,
  ctx: PushContext,
  collection: CollectionName,
  rows: readonly PushRow[],
  options: { brokenClockForTests?: boolean } = {},
): Promise<PushOutcome> {
  const table = TABLES[collection];
  // MUST: lock the merchant's clock row before reading anything, so writers of one merchant are serialised
  // and a replay running concurrently with its original sees the original's row.
  if (!options.brokenClockForTests) {
    const clock = await tx.query(`SELECT version FROM merchant_clock WHERE merchant_id = $1 FOR UPDATE`, [ctx.merchantId]);
    if (clock.rows.length === 0) throw new Error('merchant has no clock row');
  }

  const ids = [...new Set(rows.map((row) => row.newDocumentState.id).filter((id): id is string => typeof id === 'string' && id.length <= 64 && !hasUnstorableText(id)))];
  const stored = new Map<string, Doc>();
  if (ids.length > 0) {
    const { rows: found } = await tx.query<{ id: string; doc: Doc }>(
      `SELECT id, doc FROM ${table} WHERE merchant_id = $1 AND id = ANY($2::text[])`,
      [ctx.merchantId, ids],
    );
    for (const row of found) stored.set(row.id, row.doc);
  }
  const staff = await loadStaff(tx, ctx.merchantId, collection, rows);
  const program = await loadProgram(tx, ctx.merchantId, collection);
  const schema: z.ZodType = COLLECTION_SCHEMAS[collection];

  const outcome: PushOutcome = { conflicts: [], rejected: [], written: 0, changed: new Set() };
  const inserts: Doc[] = [];
  const updates: Doc[] = [];
  const batch: BatchWrites = { written: [], rejected: [] };

  for (const row of rows) {
    const verdict = decide(row, stored, { ctx, collection, schema, staff, program });
    switch (verdict.kind) {
      case 'noop':
        break;
      case 'conflict':
        outcome.conflicts.push(verdict.master);
        break;
      case 'reject': {
        const id = typeof verdict.doc.id === 'string' && verdict.doc.id.length <= 64 ? verdict.doc.id : null;
        batch.rejected.push({ id, refusal: verdict.refusal, doc: verdict.doc });
        if (id !== null) {
          // The current master state, or — when there is none — the pushed document as a tombstone, so the
          // terminal's replica stops offering a row the server will never hold (the quarantine keeps it).
          outcome.conflicts.push(stored.get(id) ?? { ...verdict.doc, id, _deleted: true });
          outcome.rejected.push({ id, code: verdict.refusal.code });
        }
        break;
      }
      case 'write':
        (verdict.master ? updates : inserts).push(verdict.doc);
        // A later row of the same batch for the same id builds on this one.
        stored.set(verdict.doc.id, verdict.doc);
        batch.written.push({ doc: verdict.doc, previous: verdict.master, inserted: !verdict.master });
        break;
    }
  }

  await writeDocs(tx, table, ctx.merchantId, ctx.terminalId, inserts, updates);
  outcome.written = inserts.length + updates.length;
  if (outcome.written > 0) outcome.changed.add(collection);
  await applyConsequences(tx, ctx, collection, batch, outcome.changed);
  return outcome;
}

function decide(
  row: PushRow,
  stored: Map<string, Doc>,
  env: { ctx: PushContext; collection: CollectionName; schema: z.ZodType; staff: Map<string, Staff>; program: Program },
): Verdict {
  const doc = row.newDocumentState;
  if (hasUnstorableText(doc)) return { kind: 'reject', refusal: { code: 'VALIDATION_FAILED', reason: 'text contains NUL or a lone surrogate' }, doc };
  const parsed = env.schema.safeParse(doc);
  if (!parsed.success) {
    const paths = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
    return { kind: 'reject', refusal: { code: 'VALIDATION_FAILED', reason: paths.join('; ') }, doc };
  }
  const id = doc.id as string;
  const master = stored.get(id);
  if (master && jsonEqual(master, doc)) return { kind: 'noop' };
  if (master && (row.assumedMasterState === undefined || !jsonEqual(master, row.assumedMasterState))) {
    return { kind: 'conflict', master };
  }
  const staffId = actingStaffId(env.collection, doc);
  const refusal = checkWrite({
    collection: env.collection,
    merchantId: env.ctx.merchantId,
    doc,
    master,
    staff: typeof staffId === 'string' ? env.staff.get(staffId) : undefined,
    program: env.program,
  });
  if (refusal) return { kind: 'reject', refusal, doc };
  return { kind: 'write', doc: doc as Doc, master };
}

async function loadStaff(tx: Queryable, merchantId: string, collection: CollectionName, rows: readonly PushRow[]): Promise<Map<string, Staff>> {
  const ids = [...new Set(rows.map((row) => actingStaffId(collection, row.newDocumentState)).filter((id): id is string => typeof id === 'string' && id.length <= 64 && !hasUnstorableText(id)))];
  const staff = new Map<string, Staff>();
  if (ids.length === 0) return staff;
  const { rows: found } = await tx.query<{ doc: Staff }>(`SELECT doc FROM staff WHERE merchant_id = $1 AND id = ANY($2::text[])`, [merchantId, ids]);
  for (const row of found) staff.set(row.doc.id, row.doc);
  return staff;
}

async function loadProgram(tx: Queryable, merchantId: string, collection: CollectionName): Promise<Program> {
  if (collection !== 'loyaltyEntries') return DEFAULT_PROGRAM;
  const { rows } = await tx.query<{ doc: Settings }>(`SELECT doc FROM settings WHERE merchant_id = $1 AND id = $2`, [merchantId, merchantId]);
  return rows[0]?.doc.program ?? DEFAULT_PROGRAM;
}

/** Writes documents in row order; the trigger stamps each with the merchant's next version. */
export async function writeDocs(tx: Queryable, table: string, merchantId: string, writtenBy: string, inserts: readonly Doc[], updates: readonly Doc[]): Promise<void> {
  if (inserts.length > 0) {
    await tx.query(
      `INSERT INTO ${table} (merchant_id, id, doc, deleted, written_by)
       SELECT $1, u.id, u.doc::jsonb, u.deleted, $5
         FROM unnest($2::text[], $3::text[], $4::boolean[]) WITH ORDINALITY AS u(id, doc, deleted, n)
        ORDER BY u.n`,
      [merchantId, inserts.map((d) => d.id), inserts.map((d) => JSON.stringify(d)), inserts.map((d) => d._deleted === true), writtenBy],
    );
  }
  // Updates one by one keep the version order equal to the row order (an UPDATE ... FROM has no order).
  for (const doc of updates) {
    await tx.query(`UPDATE ${table} SET doc = $3::jsonb, deleted = $4, written_by = $5 WHERE merchant_id = $1 AND id = $2`, [
      merchantId,
      doc.id,
      JSON.stringify(doc),
      doc._deleted === true,
      writtenBy,
    ]);
  }
}
