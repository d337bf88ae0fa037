import type { Customer } from '../../../sync/model/customer.ts';
import type { Tier } from '../../../sync/model/common.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import { catalogFor, rewardBlock, type RewardBlock } from '../../../sync/model/redemption.ts';
import type { Reward } from '../../../sync/model/reward.ts';
import { applyRewards, maxPointsFor, type AppliedSale } from '../../../sync/model/reward-rules.ts';
import type { Program } from '../../../sync/model/settings.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';
import type { VisitItem } from '../../../sync/model/visit.ts';

// The rewards a cashier may put on a sale, and the sale with them applied — the same model functions the
// recordVisit command runs, so what the form shows before confirming is what gets recorded.

/** A reward ticked on the sale; `points` as typed for a points-to-money reward. */
export interface ChosenReward {
  rewardId: string;
  points: string;
}

/** A catalog reward as the sale form offers it: why it cannot be ticked (null when it can). */
export interface OfferedReward {
  reward: Reward;
  block: RewardBlock;
}

/** The rewards on offer for this customer now, each with its block (points are checked on the whole sale). */
export function offeredRewards(rewards: readonly Reward[], ctx: { customer: Customer; tier: Tier; entries: readonly LoyaltyEntry[]; now: Date; timeZone: string; program: Program }): OfferedReward[] {
  const dateOf = (instant: Date) => zonedDate(instant, ctx.timeZone);
  const today = dateOf(ctx.now);
  const usage = { entries: ctx.entries, now: ctx.now, dateOf, birthday: ctx.customer.birthday, birthdayRewardId: ctx.program.birthdayRewardId };
  return catalogFor(rewards, today).map((reward) => ({ reward, block: rewardBlock(reward, { tier: ctx.tier, balance: Number.MAX_SAFE_INTEGER, today, usage }) }));
}

/** Points typed for a points-to-money reward, or undefined when they are not a whole positive number. */
export function typedPoints(text: string): number | undefined {
  const ascii = toAsciiDigits(text.trim());
  return /^\d{1,9}$/.test(ascii) && Number(ascii) > 0 ? Number(ascii) : undefined;
}

/** The sale with the chosen rewards applied (null when nothing is chosen), and the points they take together. */
export function previewSale(sale: { subtotal: number; discount: number; items: readonly VisitItem[] }, chosen: readonly ChosenReward[], rewards: readonly Reward[]): { applied: AppliedSale; points: number } | null {
  const byId = new Map(rewards.map((r) => [r.id, r]));
  const choices = chosen.flatMap((c) => {
    const reward = byId.get(c.rewardId);
    if (!reward) return [];
    const points = typedPoints(c.points);
    return [{ reward, ...(points !== undefined ? { points } : {}) }];
  });
  if (choices.length === 0) return null;
  const applied = applyRewards(sale, choices);
  return { applied, points: applied.ok ? applied.lines.reduce((sum, line) => sum + line.points, 0) : 0 };
}

/** The most points a points-to-money reward may take on the sale as it stands before it. */
export function pointsLimit(reward: Reward, remaining: number, balance: number): number {
  return Math.max(0, Math.min(balance, maxPointsFor(remaining, reward)));
}
