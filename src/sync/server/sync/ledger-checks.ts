import { earnProblem, adjustmentProblem, redemptionProblem, reversalProblem, saleRedemptionProblem } from '../../model/ledger-rules.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Reward } from '../../model/reward.ts';
import { DEFAULT_PROGRAM, upgradeProgram, type Program } from '../../model/settings.ts';
import type { Staff } from '../../model/staff.ts';
import { stampProblem, stampRedemptionProblem, stampReversalProblem } from '../../model/stamp-rules.ts';
import type { Visit } from '../../model/visit.ts';
import type { Queryable } from '../db/database.ts';
import { countRedemption, readRewardUse, rewardUseVerdict, type RewardUseState } from './reward-checks.ts';
import type { Refusal } from './rules.ts';
import type { Doc } from './tables.ts';

// The ledger checked on the server (docs/loyalty.md, docs/architecture.md#roles): every new ledger line is checked against
// the rules that produced it (model/ledger-rules.ts), with the stored state those rules need read in one
// statement per batch. A line that fails is quarantined (push.ts), so it never reaches a balance anywhere.

/** What a batch of ledger lines is checked against. */
export interface LedgerState {
  /** Visits named by earns and reversals, by id. */
  visits: Map<string, Visit>;
  /** Lines named by reversals, by id; the batch's accepted lines are added as they are decided. */
  entries: Map<string, LoyaltyEntry>;
  rewards: Map<string, Reward>;
  /** Every programme the merchant has had (the current one first). */
  programs: Program[];
  /** What redemptions of rewards are checked against (reward-checks.ts). */
  rewardUse: RewardUseState;
}

/** A line's verdict: accepted, held until its visit arrives (an earn, a void's reversal), or refused. */
export type LedgerVerdict = { kind: 'ok' } | { kind: 'hold' } | { kind: 'reject'; refusal: Refusal };

const ids = (docs: readonly Record<string, unknown>[], field: string) => [...new Set(docs.map((d) => d[field]).filter((v): v is string => typeof v === 'string' && v.length <= 64))];

/**
 * The current programme of a merchant (the default until settings exist). A stored programme without the
 * adjustment limits and void age (a row migration 009 has not reached) reads as `upgradeProgram` completes it.
 */
export async function currentProgram(tx: Queryable, merchantId: string): Promise<Program> {
  const { rows } = await tx.query<{ program: Program | null }>(`SELECT doc->'program' AS program FROM settings WHERE merchant_id = $1 AND id = $2`, [merchantId, merchantId]);
  return upgradeProgram(rows[0]?.program ?? DEFAULT_PROGRAM);
}

/** Reads what a batch's lines are checked against, in one statement. */
export async function readLedgerState(tx: Queryable, merchantId: string, docs: readonly Record<string, unknown>[], current: Program): Promise<LedgerState> {
  const { rows } = await tx.query<{ part: number; id: string; doc: Doc }>(
    `SELECT 0 AS part, id, doc FROM visits WHERE merchant_id = $1 AND id = ANY($2::text[])
     UNION ALL SELECT 1, id, doc FROM loyalty_entries WHERE merchant_id = $1 AND id = ANY($3::text[])
     UNION ALL SELECT 2, id, doc FROM rewards WHERE merchant_id = $1 AND id = ANY($4::text[])
     UNION ALL SELECT 3, hash, program FROM program_revisions WHERE merchant_id = $1 AND $5`,
    [merchantId, ids(docs, 'visitId'), ids(docs, 'reversesId'), ids(docs, 'rewardId'), docs.some((d) => NEEDS_PROGRAMS.has(d.kind))],
  );
  const state: LedgerState = { visits: new Map(), entries: new Map(), rewards: new Map(), programs: [current], rewardUse: await readRewardUse(tx, merchantId, docs) };
  for (const row of rows) {
    if (row.part === 0) state.visits.set(row.id, row.doc as unknown as Visit);
    else if (row.part === 1) state.entries.set(row.id, row.doc as unknown as LoyaltyEntry);
    else if (row.part === 2) state.rewards.set(row.id, row.doc as unknown as Reward);
    else state.programs.push(row.doc as unknown as Program);
  }
  return state;
}

/**
 * The target of a reversal: the stored (or earlier in the batch) line it names — or, for a void reversing a
 * visit's earning this server holds or has not received yet, the earning as the visit states it.
 */
function reversalTarget(entry: LoyaltyEntry, state: LedgerState): Pick<LoyaltyEntry, 'id' | 'customerId' | 'kind' | 'points'> | null {
  if (entry.reversesId === null) return null;
  const stored = state.entries.get(entry.reversesId);
  if (stored && !stored._deleted) return stored;
  const visit = entry.visitId !== null ? state.visits.get(entry.visitId) : undefined;
  if (visit && visit.pointsEarned > 0) return { id: entry.reversesId, customerId: visit.customerId, kind: 'earn', points: visit.pointsEarned };
  return null;
}

/** Kinds checked against every programme the merchant has had (program_revisions). */
const NEEDS_PROGRAMS = new Set<unknown>(['earn', 'stamp', 'stamp_redeem']);

/**
 * The verdict on a stamp line (docs/loyalty.md#stamp-cards): a visit's stamps against the visit (held until it
 * arrives, as an earn is), a card's redemption against the card sizes, a void's stamp reversal against the
 * stamp line it takes back (held until its visit arrives, as a void's points reversal is).
 */
function checkStampEntry(entry: LoyaltyEntry, state: LedgerState, reject: (reason: string) => LedgerVerdict): LedgerVerdict {
  const visit = entry.visitId !== null ? (state.visits.get(entry.visitId) ?? null) : null;
  if (entry.kind === 'stamp') {
    const problem = stampProblem(entry, visit, state.programs);
    if (problem) return reject(problem);
    return visit === null ? { kind: 'hold' } : { kind: 'ok' };
  }
  if (entry.kind === 'stamp_redeem') {
    const problem = stampRedemptionProblem(entry, state.programs);
    return problem ? reject(problem) : { kind: 'ok' };
  }
  const target = entry.reversesId !== null ? state.entries.get(entry.reversesId) : undefined;
  const problem = stampReversalProblem(entry, target && !target._deleted ? target : null);
  if (problem && entry.visitId !== null && visit === null) return { kind: 'hold' };
  return problem ? reject(problem) : { kind: 'ok' };
}

/** The verdict on one new ledger line written by `staff` (whose role check already passed). */
export function checkLedgerEntry(entry: LoyaltyEntry, staff: Staff, state: LedgerState): LedgerVerdict {
  const reject = (reason: string): LedgerVerdict => ({ kind: 'reject', refusal: { code: 'FORBIDDEN', reason } });
  switch (entry.kind) {
    case 'earn': {
      const visit = entry.visitId !== null ? (state.visits.get(entry.visitId) ?? null) : null;
      const problem = earnProblem(entry, visit, state.programs);
      if (problem) return reject(problem);
      return visit === null ? { kind: 'hold' } : { kind: 'ok' };
    }
    case 'reversal': {
      const problem = reversalProblem(entry, reversalTarget(entry, state));
      // A void's reversal whose visit has not arrived yet (pushed by another queue, or held with its earn) waits
      // for it, like the earn does.
      if (problem && entry.visitId !== null && !state.visits.has(entry.visitId)) return { kind: 'hold' };
      return problem ? reject(problem) : { kind: 'ok' };
    }
    case 'redeem': {
      const stored = entry.rewardId !== null ? (state.rewards.get(entry.rewardId) ?? null) : null;
      const reward = stored && !stored._deleted ? stored : null;
      const problem = redemptionProblem(entry, reward);
      if (problem) return reject(problem);
      const visit = entry.visitId !== null ? state.visits.get(entry.visitId) : undefined;
      const onSale = visit ? saleRedemptionProblem(entry, visit) : null;
      if (onSale) return reject(onSale);
      if (reward === null) return { kind: 'ok' };
      const use = rewardUseVerdict(entry, reward, state.rewardUse, state.programs[0]!);
      if (use === 'overCap' && !entry.offline) return reject("a redemption above the reward's per-customer limit");
      if (use !== null && use !== 'overCap') return reject(use);
      if (use === 'overCap') state.rewardUse.overCap.push(entry);
      countRedemption(entry, state.rewardUse);
      return { kind: 'ok' };
    }
    case 'adjust': {
      const problem = adjustmentProblem(entry, staff.role, state.programs[0]!);
      return problem ? reject(problem) : { kind: 'ok' };
    }
    case 'expire':
      // Expiry is derived from the ledger by every replica and the server alike (loyalty-expiry.ts); a written
      // expiry line would expire the same points twice.
      return reject('expiry is derived, never written');
    case 'stamp':
    case 'stamp_redeem':
    case 'stamp_reversal':
      return checkStampEntry(entry, state, reject);
  }
}
