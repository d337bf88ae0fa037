import { TIERS, type Tier } from './common.ts';
import { zonedDate } from './dates.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { Reward } from './reward.ts';

// What a cashier may redeem: the catalog filtered for this customer today, and the inputs of checkRedeem
// that come from this terminal's own history.

/** Why a reward is not offered to this customer now (shown beside it), or null when it is. */
export type RewardBlock = 'inactive' | 'notYet' | 'expired' | 'tier' | 'outOfStock' | 'points' | null;

/**
 * Whether a reward can be redeemed now: active, inside its validity window (dates in the merchant's zone,
 * both ends inclusive), the customer's tier at least the reward's minimum, in stock, and affordable.
 */
export function rewardBlock(reward: Reward, ctx: { tier: Tier; balance: number; today: string }): RewardBlock {
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
export function catalogFor(rewards: readonly Reward[], today: string): Reward[] {
  return rewards
    .filter(
      (r) =>
        r.active && (r.validFrom === null || today >= r.validFrom) && (r.validUntil === null || today <= r.validUntil),
    )
    .sort((a, b) => a.pointsCost - b.pointsCost || a.name.localeCompare(b.name));
}

/**
 * Points this terminal redeemed for these customers today (merchant's time zone) without the server's word
 * on them: written offline, or not yet acknowledged (`unconfirmed`) — the running total that the program's
 * offline cap bounds (checkRedeem's `offlineRedeemedToday`).
 */
export function offlineRedeemedToday(
  entries: readonly LoyaltyEntry[],
  terminalId: string,
  now: Date,
  timeZone: string,
  unconfirmed: (entry: LoyaltyEntry) => boolean = () => false,
): number {
  const today = zonedDate(now, timeZone);
  let total = 0;
  for (const entry of entries) {
    if (entry.kind !== 'redeem' || entry.terminalId !== terminalId || !(entry.offline || unconfirmed(entry))) continue;
    if (zonedDate(new Date(entry.occurredAt), timeZone) === today) total -= entry.points;
  }
  return total;
}
