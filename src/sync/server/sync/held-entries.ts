import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Program, Settings } from '../../model/settings.ts';
import type { Staff } from '../../model/staff.ts';
import type { Visit } from '../../model/visit.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { checkLedgerEntry, currentProgram, readLedgerState } from './ledger-checks.ts';
import { quarantine } from './quarantine.ts';
import { writeServerDocs } from './server-writes.ts';
import type { Doc } from './tables.ts';

// Earns (and a void's reversals) that reach the server before their visit (visits and ledger lines replicate separately) are held
// aside, out of every balance, and released when the visit arrives: checked against it, then written exactly
// as pushed (a new version the terminals pull) or quarantined with an inbox item.

/** Keeps a batch's held earns (a replay of one already held changes nothing). */
export async function holdEntries(tx: Queryable, ctx: PushContext, held: readonly Doc[]): Promise<void> {
  if (held.length === 0) return;
  await tx.query(
    `INSERT INTO held_entries (merchant_id, id, visit_id, terminal_id, document)
     SELECT $1, h.id, h.document->>'visitId', $2, h.document FROM unnest($3::text[], $4::jsonb[]) AS h(id, document)
     ON CONFLICT DO NOTHING`,
    [ctx.merchantId, ctx.terminalId, held.map((d) => d.id), held.map((d) => JSON.stringify(d))],
  );
}

/** Records the programmes a settings write replaces and introduces, so earns made under either are checked right. */
export async function recordProgramRevisions(tx: Queryable, ctx: PushContext, written: BatchWrites['written']): Promise<void> {
  const programs = written.flatMap((w) => [w.previous, w.doc]).map((doc) => (doc as Settings | undefined)?.program).filter((p): p is Program => p !== undefined);
  if (programs.length === 0) return;
  await tx.query(
    `INSERT INTO program_revisions (merchant_id, hash, program)
     SELECT $1, md5(p::text), p FROM unnest($2::jsonb[]) AS p ON CONFLICT DO NOTHING`,
    [ctx.merchantId, programs.map((p) => JSON.stringify(p))],
  );
}

/**
 * Releases the earns held for `visits` (just written): each accepted one is written, each refused one quarantined.
 * Returns the findings to raise, whether ledger lines were written, and the lines accepted (a released void's
 * reversal is a debit: the caller checks it for an overdraft like any other).
 */
export async function releaseHeldEntries(tx: Queryable, ctx: PushContext, visits: readonly Visit[], now: string): Promise<{ findings: InboxItem[]; written: boolean; accepted: LoyaltyEntry[] }> {
  if (visits.length === 0) return { findings: [], written: false, accepted: [] };
  const { rows } = await tx.query<{ document: Doc }>(
    `DELETE FROM held_entries WHERE merchant_id = $1 AND visit_id = ANY($2::text[]) RETURNING document`,
    [ctx.merchantId, visits.map((v) => v.id)],
  );
  if (rows.length === 0) return { findings: [], written: false, accepted: [] };
  // Earns and stamps first: a void's reversal held with them names them.
  const first = (doc: Doc) => Number(doc.kind !== 'earn' && doc.kind !== 'stamp');
  const docs = rows.map((r) => r.document).sort((a, b) => first(a) - first(b));
  const state = await readLedgerState(tx, ctx.merchantId, docs, await currentProgram(tx, ctx.merchantId));
  for (const visit of visits) state.visits.set(visit.id, visit);
  const accepted: Doc[] = [];
  const rejected: BatchWrites['rejected'] = [];
  for (const doc of docs) {
    // The acting member was checked when the line was pushed; an earn's rules do not depend on the role.
    const verdict = checkLedgerEntry(doc as unknown as LoyaltyEntry, { role: 'cashier' } as Staff, state);
    if (verdict.kind === 'reject') rejected.push({ id: doc.id, refusal: verdict.refusal, doc });
    else {
      accepted.push(doc);
      state.entries.set(doc.id, doc as unknown as LoyaltyEntry);
    }
  }
  const written = accepted.length > 0 && (await writeServerDocs(tx, 'loyaltyEntries', ctx.merchantId, accepted, { onlyNew: true, reserveVersions: !ctx.brokenClockForTests })) > 0;
  return { findings: await quarantine(tx, ctx, 'loyaltyEntries', rejected, now), written, accepted: accepted as unknown as LoyaltyEntry[] };
}
