import { DAY_MS, addDays, daysBetween } from './dates.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { CapPeriod, Reward } from './reward.ts';
import { foldName } from './text.ts';
import type { VisitItem } from './visit.ts';

// What a reward does to a sale and how often a customer may have it: the one copy of these rules, used by the
// visit form's preview, the terminal's recordVisit command and the server's checks of visits and ledger lines.
// Money is minor units; every result is an integer and a discount never exceeds what is left to pay.

/** Length of each cap period, in days: rolling windows, the same in every calendar and time zone. */
export const CAP_PERIOD_DAYS: Readonly<Record<CapPeriod, number>> = { day: 1, week: 7, month: 30, year: 365 };

/** The reward fields that decide a discount. */
export type RewardTerms = Pick<Reward, 'type' | 'pointsCost' | 'value' | 'itemName' | 'percent'>;

/** Why a reward cannot be applied to a sale (an error-code-like reason the UI translates). */
export type ApplyRefusal = 'ITEM_NOT_ON_SALE' | 'POINTS_INVALID' | 'POINTS_ABOVE_TOTAL' | 'NOTHING_TO_PAY';

/** A reward applied to a sale: the points it costs and the money it takes off. */
export type Applied = { ok: true; points: number; discount: number } | { ok: false; reason: ApplyRefusal };

/** Money `points` are worth at a points-to-money rate: whole minor units, rounded down (never in the customer's favour beyond the rate). */
export function moneyForPoints(points: number, terms: Pick<RewardTerms, 'pointsCost' | 'value'>): number {
  return Number((BigInt(points) * BigInt(terms.value)) / BigInt(terms.pointsCost));
}

/**
 * The most points a points-to-money reward may take on a sale with `remaining` left to pay: the most whose exact
 * worth fits (more would be worth more than is left, so rounding never spends points for nothing beyond it).
 */
export function maxPointsFor(remaining: number, terms: Pick<RewardTerms, 'pointsCost' | 'value'>): number {
  if (terms.value <= 0) return 0;
  return Number((BigInt(Math.max(0, remaining)) * BigInt(terms.pointsCost)) / BigInt(terms.value));
}

/** The unit price of the cheapest line naming the item (names compared folded), or null. */
function itemPrice(items: readonly VisitItem[], itemName: string): number | null {
  const key = foldName(itemName);
  const prices = items.filter((item) => foldName(item.name) === key).map((item) => item.unitPrice);
  return prices.length > 0 ? Math.min(...prices) : null;
}

/**
 * One reward applied to a sale with `remaining` minor units left to pay. Free item: the price of one such item
 * on the sale's lines (a sale with no lines uses the reward's `value`); amount off: `value`; percent off: that
 * share of what is left, rounded down; points to money: the `points` chosen, worth `moneyForPoints`, no more than
 * is left. Each discount is capped at `remaining`, so a total never goes below zero.
 */
export function applyReward(terms: RewardTerms, sale: { remaining: number; items: readonly VisitItem[]; points?: number }): Applied {
  const remaining = Math.max(0, sale.remaining);
  switch (terms.type) {
    case 'freeItem': {
      const price = sale.items.length > 0 ? itemPrice(sale.items, terms.itemName) : terms.value;
      if (price === null) return { ok: false, reason: 'ITEM_NOT_ON_SALE' };
      return { ok: true, points: terms.pointsCost, discount: Math.min(price, remaining) };
    }
    case 'amountOff':
      return { ok: true, points: terms.pointsCost, discount: Math.min(terms.value, remaining) };
    case 'percentOff':
      return { ok: true, points: terms.pointsCost, discount: Math.min(Math.floor((remaining * terms.percent) / 100), remaining) };
    case 'pointsToMoney': {
      const points = sale.points ?? 0;
      if (!Number.isSafeInteger(points) || points < 1) return { ok: false, reason: 'POINTS_INVALID' };
      if (remaining === 0) return { ok: false, reason: 'NOTHING_TO_PAY' };
      const discount = moneyForPoints(points, terms);
      if (discount > remaining) return { ok: false, reason: 'POINTS_ABOVE_TOTAL' };
      return { ok: true, points, discount };
    }
  }
}

/** One reward chosen for a sale, with the points the cashier picked for a points-to-money reward. */
export interface RewardChoice {
  readonly reward: RewardTerms & Pick<Reward, 'id'>;
  readonly points?: number;
}

/** A sale with its rewards applied, in the order chosen. */
export type AppliedSale =
  | { ok: true; lines: { rewardId: string; points: number; discount: number }[]; discount: number; total: number }
  | { ok: false; rewardId: string; reason: ApplyRefusal };

/**
 * Applies rewards one after another to a sale of `subtotal` with a manual `discount` already off: each works on
 * what the ones before it left. The visit's `discount` is the manual one plus every reward's; `total` ≥ 0.
 */
export function applyRewards(sale: { subtotal: number; discount: number; items: readonly VisitItem[] }, choices: readonly RewardChoice[]): AppliedSale {
  let remaining = Math.max(0, sale.subtotal - sale.discount);
  const lines: { rewardId: string; points: number; discount: number }[] = [];
  for (const choice of choices) {
    const applied = applyReward(choice.reward, { remaining, items: sale.items, ...(choice.points !== undefined ? { points: choice.points } : {}) });
    if (!applied.ok) return { ok: false, rewardId: choice.reward.id, reason: applied.reason };
    lines.push({ rewardId: choice.reward.id, points: applied.points, discount: applied.discount });
    remaining -= applied.discount;
  }
  const rewardsOff = lines.reduce((sum, line) => sum + line.discount, 0);
  return { ok: true, lines, discount: Math.min(sale.subtotal, sale.discount) + rewardsOff, total: remaining };
}

/** Redemption lines of a reward that still stand: not tombstoned, not reversed by another line of the list. */
function standingRedemptions(entries: readonly LoyaltyEntry[], rewardId: string): LoyaltyEntry[] {
  const reversed = new Set(entries.filter((e) => !e._deleted && e.kind === 'reversal' && e.reversesId !== null).map((e) => e.reversesId));
  return entries.filter((e) => !e._deleted && e.kind === 'redeem' && e.rewardId === rewardId && !reversed.has(e.id));
}

/**
 * How many standing redemptions of the reward the group's `entries` hold in the cap's window ending at `at`
 * (the `period`'s days up to and including `at`; lines after `at` are not counted). `exceptId` leaves one out.
 */
export function redemptionsInWindow(entries: readonly LoyaltyEntry[], rewardId: string, period: CapPeriod, at: Date, exceptId?: string): number {
  const end = at.getTime();
  const start = end - CAP_PERIOD_DAYS[period] * DAY_MS;
  return standingRedemptions(entries, rewardId).filter((e) => {
    const t = Date.parse(e.occurredAt);
    return e.id !== exceptId && t > start && t <= end;
  }).length;
}

/** Whether one more redemption at `at` stays within the reward's cap (no cap: always). */
export function withinCap(reward: Pick<Reward, 'id' | 'cap'>, entries: readonly LoyaltyEntry[], at: Date, exceptId?: string): boolean {
  if (reward.cap === null) return true;
  return redemptionsInWindow(entries, reward.id, reward.cap.period, at, exceptId) < reward.cap.count;
}

/** Days either side of the birthday in its week: the birthday week is the seven days centred on it. */
const BIRTHDAY_HALF_WEEK = 3;

/** The birthday's date in `year`; 29 February falls on the 28th in other years. */
function birthdayIn(birthday: string, year: number): string {
  const monthDay = birthday.slice(5);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${String(year).padStart(4, '0')}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`;
}

/**
 * The birthday (this occurrence, `YYYY-MM-DD`) whose week contains `today` (the merchant's calendar date), or
 * null outside every birthday week. The week is the seven days from three before the birthday to three after.
 */
export function birthdayOccurrence(birthday: string | null, today: string): string | null {
  if (birthday === null) return null;
  const year = Number(today.slice(0, 4));
  for (const y of [year - 1, year, year + 1]) {
    const day = birthdayIn(birthday, y);
    if (Math.abs(daysBetween(day, today)) <= BIRTHDAY_HALF_WEEK) return day;
  }
  return null;
}

/** The first and last day of the birthday week around an occurrence. */
export function birthdayWeek(occurrence: string): { from: string; to: string } {
  return { from: addDays(occurrence, -BIRTHDAY_HALF_WEEK), to: addDays(occurrence, BIRTHDAY_HALF_WEEK) };
}

/**
 * Whether the birthday reward was already redeemed in this birthday week (once a year): a standing redemption
 * of it whose merchant date (`dateOf`) falls in the week, other than `exceptId`.
 */
export function birthdayRewardUsed(entries: readonly LoyaltyEntry[], rewardId: string, occurrence: string, dateOf: (instant: Date) => string, exceptId?: string): boolean {
  const { from, to } = birthdayWeek(occurrence);
  return standingRedemptions(entries, rewardId).some((e) => {
    const day = dateOf(new Date(e.occurredAt));
    return e.id !== exceptId && day >= from && day <= to;
  });
}
