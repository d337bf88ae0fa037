import { TIERS, type Tier } from './common.ts';
import { zonedDate } from './dates.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { Reward } from './reward.ts';
import { birthdayOccurrence, birthdayRewardUsed, withinCap } from './reward-rules.ts';

// What a cashier may redeem: the catalog filtered for this customer today, and the inputs of checkRedeem
// that come from this terminal's own history.

/** Why a reward is not offered to this customer now (shown beside it), or null when it is. */
export type RewardBlock = 'inactive' | 'notYet' | 'expired' | 'tier' | 'outOfStock' | 'birthday' | 'cap' | 'points' | null;

/** What the per-customer limits are checked against: the group's ledger, the moment, the birthday programme. */
export interface RewardUsage {
  readonly entries: readonly LoyaltyEntry[];
  readonly now: Date;
  /** The merchant's calendar date of an instant. */
  readonly dateOf: (instant: Date) => string;
  readonly birthday: string | null;
  /** The programme's birthday reward (`program.birthdayRewardId`). */
  readonly birthdayRewardId: string | null;
  /** A line to leave out of the counts (the redemption being checked, on the server). */
  readonly exceptId?: string;
}

/**
 * Why a reward cannot be redeemed now, or null: active, inside its validity window (dates in the merchant's zone,
 * both ends inclusive), the customer's tier at least the reward's minimum, in stock, and affordable; with `usage`,
 * the birthday reward only in the customer's birthday week and once in it, and the per-customer cap.
 */
export function rewardBlock(reward: Reward, ctx: { tier: Tier; balance: number; today: string; usage?: RewardUsage }): RewardBlock {
  if (!reward.active) return 'inactive';
  if (reward.validFrom !== null && ctx.today < reward.validFrom) return 'notYet';
  if (reward.validUntil !== null && ctx.today > reward.validUntil) return 'expired';
  if (reward.minTier !== null && TIERS.indexOf(ctx.tier) < TIERS.indexOf(reward.minTier)) return 'tier';
  if (reward.stock !== null && reward.stock <= 0) return 'outOfStock';
  const usage = ctx.usage;
  if (usage) {
    const limit = usageBlock(reward, ctx.today, usage);
    if (limit) return limit;
  }
  if (reward.pointsCost > ctx.balance) return 'points';
  return null;
}

/** The birthday and cap part of `rewardBlock`. */
export function usageBlock(reward: Reward, today: string, usage: RewardUsage): 'birthday' | 'cap' | null {
  if (reward.id === usage.birthdayRewardId) {
    const occurrence = birthdayOccurrence(usage.birthday, today);
    if (occurrence === null) return 'birthday';
    if (birthdayRewardUsed(usage.entries, reward.id, occurrence, usage.dateOf, usage.exceptId)) return 'cap';
  }
  return withinCap(reward, usage.entries, usage.now, usage.exceptId) ? null : 'cap';
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
