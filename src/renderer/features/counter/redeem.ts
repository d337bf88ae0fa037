import { TIERS, type Tier } from '../../../sync/model/common.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import type { Reward } from '../../../sync/model/reward.ts';
import { zonedDate } from '../../../sync/model/dates.ts';

// What a cashier may redeem: the catalog filtered for this customer today, and the inputs of checkRedeem
// that come from this terminal's own history.

/** A reward as the replica holds it. */
export type LocalReward = Omit<Reward, '_deleted'>;

/** Why a reward is not offered to this customer now (shown beside it), or null when it is. */
export type RewardBlock = 'inactive' | 'notYet' | 'expired' | 'tier' | 'outOfStock' | 'points' | null;

/**
 * Whether a reward can be redeemed now: active, inside its validity window (dates in the merchant's zone,
 * both ends inclusive), the customer's tier at least the reward's minimum, in stock, and affordable.
 */
export function rewardBlock(reward: LocalReward, ctx: { tier: Tier; balance: number; today: string }): RewardBlock {
  if (!reward.active) return 'inactive';
  if (reward.validFrom !== null && ctx.today < reward.validFrom) return 'notYet';
  if (reward.validUntil !== null && ctx.today > reward.validUntil) return 'expired';
  if (reward.minTier !== null && TIERS.indexOf(ctx.tier) < TIERS.indexOf(reward.minTier)) return 'tier';
  if (reward.stock !== null && reward.stock <= 0) return 'outOfStock';
  if (reward.pointsCost > ctx.balance) return 'points';
  return null;
}

/**
 * Rewards worth showing at the counter, cheapest first: active and in their window, whatever the customer's
 * tier or points (those are explained beside each one rather than hidden).
 */
export function catalogFor(rewards: readonly LocalReward[], today: string): LocalReward[] {
  return rewards
    .filter(
      (r) =>
        r.active && (r.validFrom === null || today >= r.validFrom) && (r.validUntil === null || today <= r.validUntil),
    )
    .sort((a, b) => a.pointsCost - b.pointsCost || a.name.localeCompare(b.name));
}

/**
 * Points this terminal redeemed offline for these customers today (merchant's time zone) — the running
 * total that the program's offline cap bounds (checkRedeem's `offlineRedeemedToday`).
 */
export function offlineRedeemedToday(
  entries: readonly Omit<LoyaltyEntry, '_deleted'>[],
  terminalId: string,
  now: Date,
  timeZone: string,
): number {
  const today = zonedDate(now, timeZone);
  let total = 0;
  for (const entry of entries) {
    if (entry.kind !== 'redeem' || !entry.offline || entry.terminalId !== terminalId) continue;
    if (zonedDate(new Date(entry.occurredAt), timeZone) === today) total -= entry.points;
  }
  return total;
}
