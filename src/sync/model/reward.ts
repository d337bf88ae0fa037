import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IsoDateSchema, NonNegativeIntSchema, TierSchema } from './common.ts';

/**
 * What a reward does to the sale it is redeemed on: a named item for free, an amount off, a percentage off, or
 * points turned into money at a rate (`value` minor units for every `pointsCost` points; the cashier picks how many).
 */
export const REWARD_TYPES = ['freeItem', 'amountOff', 'percentOff', 'pointsToMoney'] as const;
/** What a reward does to the sale. */
export const RewardTypeSchema = z.enum(REWARD_TYPES);
/** What a reward does to the sale. */
export type RewardType = z.infer<typeof RewardTypeSchema>;

/** Lengths of the rolling windows a per-customer cap counts in (reward-rules.ts `CAP_PERIOD_DAYS`). */
export const CAP_PERIODS = ['day', 'week', 'month', 'year'] as const;
/** A cap's window. */
export type CapPeriod = (typeof CAP_PERIODS)[number];

/** At most `count` redemptions of a reward per customer (merge group) in any window of `period`. */
export const RewardCapSchema = z.strictObject({
  count: z.int().min(1).max(1000),
  period: z.enum(CAP_PERIODS),
});
/** A per-customer cap. */
export type RewardCap = z.infer<typeof RewardCapSchema>;

/** The fields of a reward (the document without its type-dependent checks, so inputs can pick from it). */
export const RewardFieldsSchema = z.strictObject({
  ...DocumentBaseShape,
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  type: RewardTypeSchema,
  /** Points the reward costs; for `pointsToMoney`, the points of one step of the rate. */
  pointsCost: z.int().min(1).max(10_000_000),
  /**
   * Minor units of the merchant currency: the amount off (`amountOff`), the money one step of the rate is worth
   * (`pointsToMoney`), the item's price when it is not on the sale (`freeItem`); unused for `percentOff`.
   */
  value: NonNegativeIntSchema,
  /** The free item, as it is named on the sale's lines (`freeItem`; empty otherwise). */
  itemName: z.string().max(120),
  /** Percentage off the sale (`percentOff`, 1–100; 0 otherwise). */
  percent: z.int().min(0).max(100),
  /** Remaining stock; null means unlimited. */
  stock: NonNegativeIntSchema.nullable(),
  minTier: TierSchema.nullable(),
  validFrom: IsoDateSchema.nullable(),
  validUntil: IsoDateSchema.nullable(),
  /** Per-customer limit; null means none. */
  cap: RewardCapSchema.nullable(),
  active: z.boolean(),
  updatedBy: IdSchema,
});

/** Why a reward's type-dependent fields do not fit its type (an i18n-ready code and the field), or null. */
export function rewardTypeProblem(reward: Pick<Reward, 'type' | 'value' | 'itemName' | 'percent'>): { field: 'value' | 'itemName' | 'percent'; code: string } | null {
  switch (reward.type) {
    case 'freeItem':
      return reward.itemName.trim() === '' ? { field: 'itemName', code: 'REQUIRED' } : null;
    case 'percentOff':
      return reward.percent < 1 ? { field: 'percent', code: 'PERCENT_RANGE' } : null;
    case 'amountOff':
    case 'pointsToMoney':
      return reward.value < 1 ? { field: 'value', code: 'REQUIRED' } : null;
  }
}

/** A catalog item bought with points; managers edit it, cashiers only read it. */
export const RewardSchema = RewardFieldsSchema.check((ctx) => {
  const problem = rewardTypeProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem.code, input: ctx.value[problem.field], path: [problem.field] });
});
/** A reward document. */
export type Reward = z.infer<typeof RewardFieldsSchema>;

/**
 * A version-0 reward (no type) in the current shape: one with a face value is money off, one without a thing
 * handed over, named by the reward. Server migration 013 writes the same.
 */
export function upgradeRewardV0<T extends Record<string, unknown>>(doc: T): T & Pick<Reward, 'type' | 'itemName' | 'percent' | 'cap'> {
  const value = typeof doc.value === 'number' ? doc.value : 0;
  const name = typeof doc.name === 'string' ? doc.name : '';
  return { ...doc, type: value > 0 ? 'amountOff' : 'freeItem', itemName: value > 0 ? '' : name.slice(0, 120), percent: 0, cap: null };
}
