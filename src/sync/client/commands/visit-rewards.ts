import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import { zonedDate } from '../../model/dates.ts';
import { ledgerEntry, type WriteContext } from '../../model/document-builders.ts';
import { redeemEntryId } from '../../model/ids.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { checkRedeem } from '../../model/loyalty.ts';
import { rewardBlock } from '../../model/redemption.ts';
import type { Reward } from '../../model/reward.ts';
import { applyRewards } from '../../model/reward-rules.ts';
import { MAX_REWARDS_PER_VISIT, type AppliedReward, type VisitItem } from '../../model/visit.ts';
import { fromReplica } from '../documents.ts';
import { dataAgeHours } from '../last-sync.ts';
import { refuse } from './command.ts';
import type { CommandEnv } from './env.ts';
import { confirmedOnline, redeemStanding } from './redeem.ts';

// Rewards redeemed on a sale (docs/loyalty.md#rewards-on-the-sale): each chosen reward is checked as a
// redemption is (active, dates, tier, stock, birthday week, per-customer cap, points, offline cap), applied to
// the sale in order (reward-rules.ts applyRewards), and becomes a redemption line linked to the visit, whose id
// derives from the visit and the reward so that a retried recording writes the same line.

/** A reward chosen for a sale: the points only for a points-to-money reward (how many the customer spends). */
export const VisitRewardInputSchema = z.strictObject({
  rewardId: IdSchema,
  points: z.int().min(1).max(1_000_000_000).optional(),
});

/** The rewards input of a visit: each reward at most once. */
export const VisitRewardsInputSchema = z
  .array(VisitRewardInputSchema)
  .max(MAX_REWARDS_PER_VISIT)
  .default([])
  .check((ctx) => {
    if (new Set(ctx.value.map((choice) => choice.rewardId)).size !== ctx.value.length)
      ctx.issues.push({ code: 'custom', message: 'DUPLICATE', input: ctx.value, path: [] });
  });

/** What a sale's rewards add to the visit: its rewards, its whole discount and total, and the redemption lines. */
export interface SaleRewards {
  applied: AppliedReward[];
  discount: number;
  total: number;
  entries: LoyaltyEntry[];
}

async function rewardsById(env: CommandEnv, ids: readonly string[]): Promise<Map<string, Reward>> {
  const docs = await env.db.rewards.findByIds([...ids]).exec();
  return new Map([...docs.values()].map((doc) => [doc.id, fromReplica<Reward>(doc)]));
}

/**
 * Checks and applies the chosen rewards to a sale of `subtotal` with the cashier's own `discount`, for the
 * customer (and their merge group) of `visitId`. Refuses with REWARD_UNAVAILABLE (and the reason), with
 * REWARD_NOT_APPLICABLE when a reward does not fit the sale, or with a redemption refusal for the points.
 */
export async function saleRewards(
  env: CommandEnv,
  sale: { visitId: string; customer: Customer; subtotal: number; discount: number; items: readonly VisitItem[]; choices: readonly z.output<typeof VisitRewardInputSchema>[] },
  ctx: WriteContext,
): Promise<SaleRewards> {
  const { customer, choices } = sale;
  if (choices.length === 0) return { applied: [], discount: sale.discount, total: sale.subtotal - sale.discount, entries: [] };
  if (customer.status === 'blocked') refuse('CUSTOMER_BLOCKED');
  const settings = env.settings();
  const group = env.merges.groupOf(env.merges.rootOf(customer.id));
  const [standing, summary, rewards] = await Promise.all([redeemStanding(env, group), env.ledger.groupStanding(group, env.now()), rewardsById(env, choices.map((c) => c.rewardId))]);
  const today = zonedDate(env.now(), settings.timeZone);
  const usage = { entries: standing.entries, now: env.now(), dateOf: (d: Date) => zonedDate(d, settings.timeZone), birthday: customer.birthday, birthdayRewardId: settings.program.birthdayRewardId };
  const chosen = choices.map((choice) => {
    const reward = rewards.get(choice.rewardId);
    if (!reward) refuse('NOT_FOUND');
    const block = rewardBlock(reward, { tier: summary.tier, balance: Number.MAX_SAFE_INTEGER, today, usage });
    if (block !== null) refuse('REWARD_UNAVAILABLE', undefined, { reason: block, reward: reward.name });
    return { reward, ...(reward.type === 'pointsToMoney' && choice.points !== undefined ? { points: choice.points } : {}) };
  });
  const result = applyRewards({ subtotal: sale.subtotal, discount: sale.discount, items: sale.items }, chosen);
  if (!result.ok) refuse('REWARD_NOT_APPLICABLE', undefined, { reason: result.reason, reward: rewards.get(result.rewardId)?.name ?? '' });
  const points = result.lines.reduce((sum, line) => sum + line.points, 0);
  const online = await confirmedOnline(env, standing, points);
  const check = checkRedeem(
    { entries: standing.entries, points, online, dataAgeHours: dataAgeHours(env.status().lastSyncAt, env.now().getTime()), offlineRedeemedToday: standing.usedToday, now: env.now() },
    settings.program,
  );
  if (!check.ok) refuse(check.code, undefined, { cap: String(settings.program.offlineRedeemCap), used: String(standing.usedToday) });
  const lineCtx = { ...ctx, offline: !online };
  const applied = result.lines.map((line) => ({ ...line, entryId: redeemEntryId(sale.visitId, line.rewardId) }));
  const entries = applied.map((line) =>
    ledgerEntry({ id: line.entryId, kind: 'redeem', points: -line.points, customerId: customer.id, visitId: sale.visitId, rewardId: line.rewardId, note: rewards.get(line.rewardId)?.name ?? '' }, lineCtx),
  );
  return { applied, discount: result.discount, total: result.total, entries };
}
