import type { z } from 'zod';
import type { Customer } from '../../model/customer.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { isErased } from '../../model/privacy.ts';
import type { Staff } from '../../model/staff.ts';
import type { CollectionName, PushResponse, PushRow } from '../../model/wire-protocol.ts';
import { COLLECTION_SCHEMAS } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { readBatchState, type BatchState } from './batch-state.ts';
import { applyConsequences } from './consequences.ts';
import { refusePushBeforeRestore } from './horizons.ts';
import { checkLedgerEntry, readLedgerState } from './ledger-checks.ts';
import { readVisitRewards } from './reward-checks.ts';
import { visitRewardsProblem } from '../../model/ledger-rules.ts';
import type { Visit } from '../../model/visit.ts';
import { claimTimes, proofCandidates, proofRefusal, readSessionWindows, type SessionWindows } from './proof-check.ts';
import { actingStaffId, checkWrite, type Refusal } from './rules.ts';
import { oneOfEachId } from './server-writes.ts';
import { jsonEqual, type Doc } from './tables.ts';
import { prunedCopy, shapeProblem } from './doc-shape.ts';
import { hasUnstorableJson, hasUnstorableText } from './text-safety.ts';
import { writeVersioned } from './versioned-writes.ts';

/** What a push did, for the answer, metrics and pokes. */
export interface PushOutcome extends PushResponse {
  written: number;
  /** Collections that received new versions (pushed rows and server-made changes). */
  changed: Set<CollectionName>;
}

type Verdict =
  | { kind: 'noop' }
  | { kind: 'write'; doc: Doc; master: Doc | undefined }
  | { kind: 'hold'; doc: Doc }
  | { kind: 'conflict'; master: Doc }
  | { kind: 'reject'; refusal: Refusal; doc: Record<string, unknown> };

/** A pushed row after the checks that need no stored state: its schema and the text Postgres can store. */
type CheckedRow = { row: PushRow; refusal: Refusal | null };

/**
 * Applies one push batch inside the caller's transaction, mirroring RxDB's master write (docs/architecture.md#push-semantics):
 * no row → insert; stored == new → success (a replay); stored == assumed → update; else → conflict.
 * Rows that can never be accepted are quarantined and answered as conflicts, never thrown.
 *
 * The checks that need no stored state run before the clock row lock; under the lock the batch costs one
 * read, one write (which reserves the batch's versions with one clock update) and the consequences.
 */
export async function applyPush(
  tx: Queryable,
  ctx: PushContext,
  collection: CollectionName,
  rows: readonly PushRow[],
  options: { brokenClockForTests?: boolean } = {},
): Promise<PushOutcome> {
  const schema: z.ZodType = COLLECTION_SCHEMAS[collection];
  const json = new WeakMap<Doc, string>();
  const checked = rows.map((row) => precheck(schema, row, json));
  // The members' signed sessions: pushes never change them, so they are read before the lock.
  const pushed = checked.filter((c) => !c.refusal).map((c) => c.row.newDocumentState);
  const claimed = storableIds(pushed.flatMap((doc) => proofCandidates(collection, doc).map((c) => c.staffId)));
  const sessions = await readSessionWindows(tx, ctx, claimed, claimTimes(collection, pushed));
  // MUST: lock the merchant's clock row before reading anything, so writers of one merchant are serialised
  // and a replay running concurrently with its original sees the original's row.
  if (!options.brokenClockForTests) {
    const clock = await tx.query(`SELECT version FROM merchant_clock WHERE merchant_id = $1 FOR UPDATE`, [ctx.merchantId]);
    if (clock.rows.length === 0) throw new Error('merchant has no clock row');
  }
  const state = await readBatchState(tx, ctx.merchantId, collection, {
    ids: storableIds(checked.map(({ row }) => row.newDocumentState.id)),
    staffIds: storableIds(checked.map(({ row }) => actingStaffId(collection, row.newDocumentState))),
    phones: collection === 'customers' ? storableIds(checked.map(({ row }) => row.newDocumentState.phone)) : [],
  });
  await refusePushBeforeRestore(tx, ctx.merchantId, collection, checked.filter((c) => !c.refusal).map((c) => c.row), state.stored);
  const accepted = checked.filter((c) => !c.refusal).map((c) => c.row.newDocumentState);
  if (collection === 'loyaltyEntries') state.ledger = await readLedgerState(tx, ctx.merchantId, accepted, state.program);
  if (collection === 'visits') state.visitRewards = await readVisitRewards(tx, ctx.merchantId, accepted);

  const outcome: PushOutcome = { conflicts: [], rejected: [], written: 0, changed: new Set() };
  const batch: BatchWrites = { written: [], rejected: [], held: [], samePhone: state.samePhone, overCap: [] };
  for (const { row, refusal } of checked) {
    const verdict: Verdict = refusal ? { kind: 'reject', refusal, doc: row.newDocumentState } : decide(row, state, ctx, collection, sessions);
    record(verdict, state.stored, outcome, batch, collection);
  }

  batch.overCap = state.ledger?.rewardUse.overCap ?? [];
  // Versions follow the row order; an id written twice in the batch is written once, in its final state.
  const docs = oneOfEachId(batch.written.map((w) => w.doc), 'last');
  await writeVersioned(tx, collection, ctx.merchantId, ctx.terminalId, docs, { onConflict: 'update', reserveVersions: !options.brokenClockForTests, jsonOf: (doc) => json.get(doc) });
  outcome.written = batch.written.length;
  if (outcome.written > 0) outcome.changed.add(collection);
  await applyConsequences(tx, { ...ctx, ...(options.brokenClockForTests ? { brokenClockForTests: true } : {}) }, collection, batch, outcome.changed);
  return outcome;
}

/**
 * The checks that need no stored state; keeps each document's JSON for the write. The shape comes first:
 * every later step walks the document recursively, so a too-deep one continues only as a pruned copy.
 */
function precheck(schema: z.ZodType, row: PushRow, json: WeakMap<Doc, string>): CheckedRow {
  const shape = shapeProblem(row.newDocumentState) ?? (row.assumedMasterState === undefined ? null : shapeProblem(row.assumedMasterState));
  if (shape !== null) return { row: { newDocumentState: prunedCopy(row.newDocumentState) }, refusal: { code: 'VALIDATION_FAILED', reason: shape } };
  return { row, refusal: checkDocument(schema, row.newDocumentState, json) };
}

function checkDocument(schema: z.ZodType, doc: Record<string, unknown>, json: WeakMap<Doc, string>): Refusal | null {
  const text = JSON.stringify(doc);
  if (hasUnstorableJson(text)) return { code: 'VALIDATION_FAILED', reason: 'text contains NUL or a lone surrogate' };
  json.set(doc as Doc, text);
  const parsed = schema.safeParse(doc);
  if (parsed.success) return null;
  const paths = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
  return { code: 'VALIDATION_FAILED', reason: paths.join('; ') };
}

function decide(row: PushRow, state: BatchState, ctx: PushContext, collection: CollectionName, sessions: SessionWindows): Verdict {
  const doc = row.newDocumentState;
  const id = doc.id as string;
  const master = state.stored.get(id);
  if (master && jsonEqual(master, doc)) return { kind: 'noop' };
  if (master && (row.assumedMasterState === undefined || !jsonEqual(master, row.assumedMasterState))) {
    return { kind: 'conflict', master };
  }
  // An update of a row the server no longer holds: its tombstone was purged (`patron-sync purge-tombstones`),
  // since stored rows are never deleted otherwise. The delete wins, as it would against the stored tombstone:
  // the deleted state a terminal's merge pushes is acknowledged without a write (answering it with a conflict
  // would have the terminal push it forever; nothing is written, so no role rule is needed), and an edit gets
  // a tombstone conflict below, once the role rules have passed.
  const purged = !master && row.assumedMasterState !== undefined;
  if (purged && doc._deleted === true) return { kind: 'noop' };
  const staffId = actingStaffId(collection, doc);
  const refusal = checkWrite({
    collection,
    merchantId: ctx.merchantId,
    terminalId: ctx.terminalId,
    storeId: ctx.storeId,
    doc,
    master,
    staff: typeof staffId === 'string' ? state.staff.get(staffId) : undefined,
    program: state.program,
    ...(collection === 'staff' ? { members: [...state.staff.values()] } : {}),
  });
  const unproven = refusal ?? proofRefusal(collection, doc, master, sessions);
  if (unproven) return { kind: 'reject', refusal: unproven, doc };
  // Writing it would bring the deleted document back.
  if (purged) return { kind: 'conflict', master: { ...row.assumedMasterState, id, _deleted: true } };
  if (state.visitRewards && !master) {
    const problem = visitRewardsProblem(doc as unknown as Visit, state.visitRewards);
    if (problem) return { kind: 'reject', refusal: { code: 'FORBIDDEN', reason: problem }, doc };
  }
  if (state.ledger && !master) {
    const verdict = checkLedgerEntry(doc as unknown as LoyaltyEntry, state.staff.get(staffId as string)!, state.ledger);
    if (verdict.kind === 'reject') return { kind: 'reject', refusal: verdict.refusal, doc };
    if (verdict.kind === 'hold') return { kind: 'hold', doc: doc as Doc };
    // A reversal later in the same batch may name this line.
    state.ledger.entries.set(id, doc as unknown as LoyaltyEntry);
  }
  // A later row of the batch sees this member as written (its role, whether an active owner remains).
  if (collection === 'staff') state.staff.set(id, doc as unknown as Staff);
  return { kind: 'write', doc: doc as Doc, master };
}

/** Adds a verdict to the answer and to what the batch wrote or refused. */
function record(verdict: Verdict, stored: Map<string, Doc>, outcome: PushOutcome, batch: BatchWrites, collection: CollectionName): void {
  switch (verdict.kind) {
    case 'noop':
      return;
    case 'hold':
      // Acknowledged (the terminal's line is right; only its visit is late): kept aside, out of every balance.
      batch.held.push(verdict.doc);
      return;
    case 'conflict':
      outcome.conflicts.push(verdict.master);
      return;
    case 'reject': {
      const id = typeof verdict.doc.id === 'string' && verdict.doc.id.length <= 64 ? verdict.doc.id : null;
      const master = id === null ? undefined : stored.get(id);
      // Whatever its fault, a refused row of an erased customer may carry their personal data: the quarantine
      // keeps its id only (docs/privacy.md).
      const erased = collection === 'customers' && master !== undefined && isErased(master as unknown as Customer);
      batch.rejected.push({ id, refusal: erased ? { ...verdict.refusal, withhold: true } : verdict.refusal, doc: verdict.doc });
      if (id !== null) {
        // The current master state, or — when there is none — the pushed document as a tombstone, so the
        // terminal's replica stops offering a row the server will never hold (the quarantine keeps it).
        outcome.conflicts.push(stored.get(id) ?? { ...verdict.doc, id, _deleted: true });
        outcome.rejected.push({ id, code: verdict.refusal.code });
      }
      return;
    }
    case 'write':
      // A later row of the same batch for the same id builds on this one.
      stored.set(verdict.doc.id, verdict.doc);
      batch.written.push({ doc: verdict.doc, previous: verdict.master, inserted: !verdict.master });
      return;
  }
}

/** Keys that can name a stored row (ids, phones): strings Postgres can hold, at most 64 characters. */
function storableIds(values: readonly unknown[]): string[] {
  return [...new Set(values.filter((id): id is string => typeof id === 'string' && id.length <= 64 && !hasUnstorableText(id)))];
}
