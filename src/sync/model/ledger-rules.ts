import { TIERS, type Role } from './common.ts';
import { DAY_MS } from './dates.ts';
import { earnEntryId, redeemEntryId, reversalEntryId } from './ids.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import { pointsForVisit } from './loyalty.ts';
import { rewardBlock, type RewardUsage } from './redemption.ts';
import type { Reward } from './reward.ts';
import { applyReward } from './reward-rules.ts';
import type { Program } from './settings.ts';
import type { Visit } from './visit.ts';

// The rules every ledger line is checked against, once, for the terminal's commands and the server's push
// (docs/architecture.md#roles): who may write which kind, an earn against its visit and a programme, a reversal against the line
// it reverses, a redemption against its reward, an adjustment against the role's limit. Each check answers
// null (allowed) or a short reason for the quarantine (never personal data).

/** The programme fields the adjustment limits come from. */
export type AdjustLimits = Pick<Program, 'cashierAdjustLimit' | 'managerAdjustLimit'>;

/** Largest manual adjustment (absolute points) a role may make: cashier small, manager larger, owner any (settings). */
export function adjustLimitFor(role: Role, program: AdjustLimits): number {
  if (role === 'owner') return Number.POSITIVE_INFINITY;
  // The larger of the two: a manager may always do what a cashier may.
  if (role === 'manager') return Math.max(program.managerAdjustLimit, program.cashierAdjustLimit);
  return program.cashierAdjustLimit;
}

/** The least role whose limit covers an adjustment of `points`. */
export function roleForAdjustment(points: number, program: AdjustLimits): Role {
  const size = Math.abs(points);
  if (size <= adjustLimitFor('cashier', program)) return 'cashier';
  return size <= adjustLimitFor('manager', program) ? 'manager' : 'owner';
}

/** Why an adjustment by `role` is refused, or null. */
export function adjustmentProblem(entry: Pick<LoyaltyEntry, 'points' | 'note'>, role: Role, program: AdjustLimits): string | null {
  if (Math.abs(entry.points) > adjustLimitFor(role, program)) return `adjustment above the ${role} limit`;
  return null;
}

/** Kinds a reversal may take back: a visit's earning (void, refund), a redemption (undo), an adjustment. */
const REVERSIBLE = new Set<LoyaltyEntry['kind']>(['earn', 'redeem', 'adjust']);

/**
 * Why a reversal is refused, or null: it must name an existing line of the same customer (`target`, null when
 * unknown) of a reversible kind, carry the id derived from it (so it exists at most once), take back at most
 * that line's points, with the opposite sign.
 */
export function reversalProblem(entry: LoyaltyEntry, target: Pick<LoyaltyEntry, 'id' | 'customerId' | 'kind' | 'points'> | null): string | null {
  if (entry.reversesId === null || target === null) return 'a reversal names an existing ledger line';
  if (entry.id !== reversalEntryId(entry.reversesId)) return 'a reversal has the id derived from the line it reverses';
  if (target.customerId !== entry.customerId) return 'a reversal is written on the customer of the line it reverses';
  if (!REVERSIBLE.has(target.kind)) return `a ${target.kind} line cannot be reversed`;
  if (Math.sign(entry.points) === Math.sign(target.points)) return 'a reversal has the opposite sign of its line';
  if (Math.abs(entry.points) > Math.abs(target.points)) return 'a reversal takes back at most the points of its line';
  return null;
}

/**
 * Why an earn is refused, or null (`visit` null: not known, the caller holds the line until it is). It must name
 * its visit, carry the id derived from it, be on the visit's customer, equal the visit's `pointsEarned`, and
 * equal the model's points for the visit's total under one of `programs` (the revisions the merchant has had)
 * at some tier. The tier is not pinned: a terminal may count a merge the server has not received yet, and the
 * tier's multiplier bounds the difference.
 */
export function earnProblem(entry: LoyaltyEntry, visit: Pick<Visit, 'customerId' | 'total' | 'pointsEarned'> | null, programs: readonly Program[]): string | null {
  if (entry.visitId === null) return 'an earn names its visit';
  if (entry.id !== earnEntryId(entry.visitId)) return "a visit's earning has the id derived from the visit";
  if (visit === null) return null;
  if (visit.customerId !== entry.customerId) return 'an earn is written on the customer of its visit';
  if (visit.pointsEarned !== entry.points) return "an earn equals its visit's points";
  const matches = programs.some((program) => TIERS.some((tier) => safePoints(visit.total, tier, program) === entry.points));
  return matches ? null : "an earn equals the programme's points for its visit";
}

function safePoints(total: number, tier: (typeof TIERS)[number], program: Program): number | null {
  try {
    return pointsForVisit({ total, tier }, program);
  } catch {
    return null;
  }
}

/**
 * Why a redemption is refused, or null. A reward's redemption costs exactly its points — unless the reward was
 * edited after the redemption happened (an offline till saw the old cost) — and names a reward that exists.
 * A redemption of plain points has no reward to match; its balance is the overdraft check's business.
 */
export function redemptionProblem(entry: LoyaltyEntry, reward: (Pick<Reward, 'pointsCost' | 'updatedAt' | '_deleted'> & Partial<Pick<Reward, 'type'>>) | null): string | null {
  if (entry.rewardId === null) return null;
  if (reward === null) return 'a redemption names an existing reward';
  // Points to money: the customer chooses how many; the visit it is applied to ties them to the money (visitRewardsProblem).
  if (-entry.points === reward.pointsCost || reward.type === 'pointsToMoney') return null;
  return reward.updatedAt > entry.occurredAt ? null : "a redemption costs its reward's points";
}

/** Why a redemption of a reward is refused by the reward's own terms at its time, 'overCap' over a limit, or null. */
export type RewardUseVerdict = string | 'overCap' | null;

const USE_PROBLEMS: Record<string, string> = {
  inactive: 'a redemption of an inactive reward',
  notYet: 'a redemption before the reward is valid',
  expired: 'a redemption after the reward ended',
  tier: "a redemption of a reward above the customer's tier",
  birthday: "a birthday reward outside the customer's birthday week",
};

/**
 * The reward's terms checked against a redemption at its own time (`today` its merchant date): active, in its
 * dates, the tier, the birthday week, and the per-customer cap (and the birthday reward once a year), which
 * answers 'overCap' — the caller decides between keeping it with an inbox item (written offline) and refusing
 * it. A reward edited after the redemption is not judged by its new terms (an offline till saw the old ones);
 * an oversold stock is kept, as the stock rule says.
 */
export function rewardUseProblem(entry: LoyaltyEntry, reward: Reward, ctx: { tier: (typeof TIERS)[number]; today: string; usage: RewardUsage }): RewardUseVerdict {
  if (reward.updatedAt > entry.occurredAt) return null;
  const block = rewardBlock(reward, { tier: ctx.tier, balance: Number.MAX_SAFE_INTEGER, today: ctx.today, usage: { ...ctx.usage, exceptId: entry.id } });
  if (block === null || block === 'outOfStock' || block === 'points') return null;
  return block === 'cap' ? 'overCap' : (USE_PROBLEMS[block] ?? 'a redemption the reward does not allow');
}

/**
 * Why the rewards a visit says were applied do not add up, or null. Each names an existing reward once, with the
 * redemption id derived from the visit; together they take at most the visit's discount; replayed in order on
 * the sale (after the cashier's own discount) each gives exactly its recorded points and discount, and the
 * total is what is left. A reward edited after the visit is held only to "at most what was left to pay".
 */
export function visitRewardsProblem(visit: Visit, rewards: ReadonlyMap<string, Reward>): string | null {
  const applied = visit.rewards ?? [];
  if (applied.length === 0) return null;
  if (new Set(applied.map((a) => a.rewardId)).size !== applied.length) return 'a reward is applied once per visit';
  const rewardsOff = applied.reduce((sum, a) => sum + a.discount, 0);
  if (rewardsOff > visit.discount) return "a visit's rewards take off more than its discount";
  if (visit.total !== visit.subtotal - visit.discount) return "a visit's total is its subtotal less its discount";
  let remaining = visit.subtotal - (visit.discount - rewardsOff);
  for (const line of applied) {
    const reward = rewards.get(line.rewardId);
    if (!reward || reward._deleted) return 'a visit names an existing reward';
    if (line.entryId !== redeemEntryId(visit.id, line.rewardId)) return "a visit's redemption has the id derived from the visit";
    if (reward.updatedAt > visit.occurredAt) {
      if (line.discount > remaining) return 'a reward takes off at most what is left to pay';
    } else {
      const expected = applyReward(reward, { remaining, items: visit.items, points: line.points });
      if (!expected.ok || expected.discount !== line.discount || expected.points !== line.points) return "a visit's discount does not match its reward";
    }
    remaining -= line.discount;
  }
  return null;
}

/**
 * Why a redemption that names a visit is refused, or null: the visit must list it among its applied rewards —
 * same id, reward, points and customer. (A line whose visit has not arrived is checked on its own terms only.)
 */
export function saleRedemptionProblem(entry: LoyaltyEntry, visit: Pick<Visit, 'customerId' | 'rewards'>): string | null {
  const applied = (visit.rewards ?? []).find((a) => a.entryId === entry.id);
  if (!applied || applied.rewardId !== entry.rewardId || applied.points !== -entry.points || visit.customerId !== entry.customerId)
    return 'a redemption on a visit is one the visit applied';
  return null;
}

/** Whether a void or refund of `visit` at `now` needs a manager (older than the programme's approval age). */
export function voidNeedsApprovalByAge(visit: Pick<Visit, 'occurredAt'>, now: Date, program: Pick<Program, 'voidApprovalAgeDays'>): boolean {
  return now.getTime() - Date.parse(visit.occurredAt) > program.voidApprovalAgeDays * DAY_MS;
}

/** What voiding or refunding a visit does to the balance, shown before it is confirmed. */
export interface VoidImpact {
  /** Points the reversal takes back (≤ 0). */
  readonly points: number;
  readonly balanceBefore: number;
  readonly balanceAfter: number;
  /** Why a manager must approve: the balance would go negative, or the visit is old; null when not needed. */
  readonly approval: 'negative' | 'age' | null;
}

/** The impact of voiding `visit` whose earning is `earned` points, for a group whose available balance is `balance`. */
export function voidImpact(visit: Pick<Visit, 'occurredAt'>, earned: number, balance: number, now: Date, program: Pick<Program, 'voidApprovalAgeDays'>): VoidImpact {
  const points = -Math.max(0, earned);
  const balanceAfter = balance + points;
  const approval = points < 0 && balanceAfter < 0 ? 'negative' : voidNeedsApprovalByAge(visit, now, program) ? 'age' : null;
  return { points, balanceBefore: balance, balanceAfter, approval };
}

/**
 * A refund is a void whose reason carries this mark (the visit schema has no refund field; adding one is a
 * protocol bump): the visit stays marked refunded and its earning is reversed exactly as a void's is.
 */
export const REFUND_MARK = '[refund] ';

/** Whether a voided visit was refunded rather than voided. */
export function isRefund(visit: Pick<Visit, 'voided' | 'voidReason'>): boolean {
  return visit.voided && (visit.voidReason ?? '').startsWith(REFUND_MARK);
}
