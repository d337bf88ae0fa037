import type { CollectionName, PushRow } from '../../model/wire-protocol.ts';
import type { Database, Queryable } from '../db/database.ts';
import { databaseFailure, HttpError } from '../http-errors.ts';
import type { PushContext } from './batch.ts';
import { CheckpointTooOldError } from './horizons.ts';
import { prunedCopy } from './doc-shape.ts';
import { raiseFindings } from './inbox-findings.ts';
import type { PushOutcome } from './push.ts';
import { quarantine } from './quarantine.ts';

/** What a push does with its rows inside one transaction (the push and its poke). */
export type PushRun = (tx: Queryable, rows: readonly PushRow[]) => Promise<PushOutcome>;

interface IsolateDeps {
  db: Database;
  ctx: PushContext;
  collection: CollectionName;
  /** Sends the poke for what a quarantine changed, inside its transaction. */
  notify: (tx: Queryable, changed: readonly CollectionName[]) => Promise<void>;
  /** Reports a failure a row caused (the operator's log). */
  onFailure: (error: unknown) => void;
}

/**
 * Runs a push batch in one transaction. When it fails for a reason that is neither the database's (a 503 the
 * client retries) nor the request's, some row triggers a server bug: each row is then retried alone, and a
 * row that still fails is quarantined with an inbox item — so no row can answer 500 for a batch forever and
 * block the terminal's queue (docs/architecture.md#no-poison-pills).
 */
export async function pushIsolatingFailures(deps: IsolateDeps, rows: readonly PushRow[], run: PushRun): Promise<PushOutcome> {
  try {
    return await deps.db.transaction((tx) => run(tx, rows));
  } catch (error) {
    // The request's answer (a 4xx, or a 410 for a replication older than a restore), or the database's.
    if (error instanceof HttpError || error instanceof CheckpointTooOldError || databaseFailure(error) !== null) throw error;
    deps.onFailure(error);
    if (rows.length === 1) return quarantineAlone(deps, rows[0]!);
  }
  const outcome: PushOutcome = { conflicts: [], rejected: [], written: 0, changed: new Set() };
  for (const row of rows) {
    const one = await pushIsolatingFailures(deps, [row], run);
    outcome.conflicts.push(...one.conflicts);
    outcome.rejected.push(...one.rejected);
    outcome.written += one.written;
    for (const name of one.changed) outcome.changed.add(name);
  }
  return outcome;
}

/** Quarantines a row the server failed on, answered like any refused row: a tombstone and `INTERNAL`. */
async function quarantineAlone(deps: IsolateDeps, row: PushRow): Promise<PushOutcome> {
  const { ctx, collection } = deps;
  const doc = prunedCopy(row.newDocumentState);
  const id = typeof doc.id === 'string' && doc.id.length <= 64 ? doc.id : null;
  const refusal = { code: 'INTERNAL' as const, reason: 'the server failed on this row' };
  const outcome: PushOutcome = { conflicts: [], rejected: [], written: 0, changed: new Set() };
  await deps.db.transaction(async (tx) => {
    await tx.query(`SELECT version FROM merchant_clock WHERE merchant_id = $1 FOR UPDATE`, [ctx.merchantId]);
    const findings = await quarantine(tx, ctx, collection, [{ id, refusal, doc }], new Date().toISOString());
    if ((await raiseFindings(tx, ctx, findings)) > 0) {
      outcome.changed.add('inbox');
      await deps.notify(tx, ['inbox']);
    }
  });
  if (id !== null) {
    outcome.conflicts.push({ ...doc, id, _deleted: true });
    outcome.rejected.push({ id, code: refusal.code });
  }
  return outcome;
}
