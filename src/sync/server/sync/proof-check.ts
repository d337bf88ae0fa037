import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { Refusal } from './rules.ts';

// The push side of the staff proof (docs/security.md#staff-proof). A new document, a ledger line, a visit
// and a void are the pushing terminal's own writes: a session the attributed member signed on that terminal
// must cover their business time. An edit of a mutable document (customer, reward, settings, inbox item)
// may carry a time this terminal did not write: a three-way merge stamps the merged document with the local
// author and the later side's time (client/database.ts, model/merge.ts), and another terminal's clock may be
// hours off. So an edit is accepted when its member signed a session on this terminal (at any time), or when
// one of their sessions on any terminal covers its time. The sessions were verified when they were recorded
// (repositories/staff-proof.ts), so a batch costs one indexed read, before the clock lock.

/** A recorded session: [start, end] in epoch ms, and whether it was signed on the pushing terminal. */
type Window = { start: number; end: number; here: boolean };
/** The recorded sessions of the batch's members, by member. */
export type SessionWindows = Map<string, Window[]>;

/** Reads the sessions of `staffIds` that may cover a batch's writes: those overlapping its times, and all of this terminal's. */
export async function readSessionWindows(db: Queryable, ctx: { merchantId: string; terminalId: string }, staffIds: readonly string[], times: readonly number[]): Promise<SessionWindows> {
  const windows: SessionWindows = new Map();
  if (staffIds.length === 0 || times.length === 0) return windows;
  const { rows } = await db.query<{ staff_id: string; starts_at: Date | string; ends_at: Date | string; here: boolean }>(
    `SELECT staff_id, starts_at, ends_at, terminal_id = $2 AS here FROM staff_sessions
      WHERE merchant_id = $1 AND staff_id = ANY($3::text[]) AND ((ends_at >= $4 AND starts_at <= $5) OR terminal_id = $2)`,
    [ctx.merchantId, ctx.terminalId, staffIds, new Date(Math.min(...times)).toISOString(), new Date(Math.max(...times)).toISOString()],
  );
  for (const row of rows) {
    const list = windows.get(row.staff_id) ?? [];
    list.push({ start: new Date(row.starts_at).getTime(), end: new Date(row.ends_at).getTime(), here: row.here });
    windows.set(row.staff_id, list);
  }
  return windows;
}

/** Who a pushed document may be attributed to, and when (before its stored version is known). */
export function proofCandidates(collection: CollectionName, doc: Record<string, unknown>): Array<{ staffId: unknown; at: unknown }> {
  switch (collection) {
    case 'visits':
      return [
        { staffId: doc.staffId, at: doc.updatedAt },
        { staffId: doc.voidedBy, at: doc.voidedAt },
      ];
    case 'loyaltyEntries':
      return [{ staffId: doc.staffId, at: doc.updatedAt }];
    case 'inbox':
      return [{ staffId: doc.resolvedBy, at: doc.updatedAt }];
    default:
      return [{ staffId: doc.updatedBy, at: doc.updatedAt }];
  }
}

/** What the write claims: who made it, when, and whether only a session on the pushing terminal counts. */
type Claim = { staffId: unknown; at: unknown; here: boolean };

/**
 * The claim a write makes, or null when it needs no proof. A void is the voider's write, at its void time; a
 * visit's late feedback names no one (it changes no balance; the role rules still apply); an edit that keeps
 * the stored author and time claims nothing new.
 */
function claimOf(collection: CollectionName, doc: Record<string, unknown>, master: Record<string, unknown> | undefined): Claim | null {
  if (collection === 'visits' && master) return doc.voided === true && master.voided !== true ? { staffId: doc.voidedBy, at: doc.voidedAt, here: true } : null;
  if (collection === 'visits' || collection === 'loyaltyEntries') return { staffId: doc.staffId, at: doc.updatedAt, here: true };
  const [claim] = proofCandidates(collection, doc) as [Claim];
  const [stored] = master ? (proofCandidates(collection, master) as [Claim]) : [];
  if (stored && stored.staffId === claim.staffId && stored.at === claim.at) return null;
  return { ...claim, here: !master };
}

/** The refusal of a write no signed session covers (null when one does, or none is needed). */
export function proofRefusal(collection: CollectionName, doc: Record<string, unknown>, master: Record<string, unknown> | undefined, windows: SessionWindows): Refusal | null {
  const claim = claimOf(collection, doc, master);
  if (!claim) return null;
  const time = typeof claim.at === 'string' ? Date.parse(claim.at) : Number.NaN;
  const sessions = typeof claim.staffId === 'string' ? (windows.get(claim.staffId) ?? []) : [];
  const covers = (w: Window) => w.start <= time && time <= w.end;
  // New documents, ledger lines, visits and voids: a session here covering the time. Edits: a session here, or one anywhere covering the time.
  if (claim.here ? sessions.some((w) => w.here && covers(w)) : sessions.some((w) => w.here || covers(w))) return null;
  return {
    code: 'FORBIDDEN',
    reason: claim.here ? 'no session signed by the member on this terminal covers this write' : 'no session signed by the member covers this edit',
  };
}

/** The business times of a batch's claims (the sessions worth reading overlap them). */
export function claimTimes(collection: CollectionName, docs: readonly Record<string, unknown>[]): number[] {
  return docs.flatMap((doc) => proofCandidates(collection, doc).map((c) => (typeof c.at === 'string' ? Date.parse(c.at) : Number.NaN))).filter(Number.isFinite);
}
