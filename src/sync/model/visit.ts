import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IntSchema, IsoDateTimeSchema, NonNegativeIntSchema } from './common.ts';

/** How a visit was paid. */
export const PaymentMethodSchema = z.enum(['cash', 'card', 'mobile', 'voucher', 'other']);
/** How a visit was paid. */
export type PaymentMethod = z.infer<typeof PaymentMethodSchema>;

/** One line of a visit (seed 001 `items_ordered`); prices in minor units. */
export const VisitItemSchema = z.strictObject({
  name: z.string().min(1).max(120),
  quantity: z.int().min(1).max(10_000),
  unitPrice: NonNegativeIntSchema,
});
/** One line of a visit. */
export type VisitItem = z.infer<typeof VisitItemSchema>;

/** Optional feedback left for a visit (1–5 stars). */
export const FeedbackSchema = z.strictObject({
  rating: z.int().min(1).max(5),
  comment: z.string().max(1000),
});

/**
 * A reward redeemed on a visit: the redemption line (id `redeemEntryId(visitId, rewardId)`), the points it took
 * and the money it took off (part of the visit's `discount`).
 */
export const AppliedRewardSchema = z.strictObject({
  rewardId: IdSchema,
  entryId: IdSchema,
  points: z.int().min(1).max(1_000_000_000),
  discount: NonNegativeIntSchema,
});
/** A reward applied to a visit. */
export type AppliedReward = z.infer<typeof AppliedRewardSchema>;

/** At most this many rewards on one visit. */
export const MAX_REWARDS_PER_VISIT = 5;

/**
 * A visit (a purchase at the counter). Append-only: after creation only the void fields may change
 * (false → true), and feedback may be added once — see `visitChangeAllowed`.
 */
export const VisitSchema = z.strictObject({
  ...DocumentBaseShape,
  storeId: IdSchema,
  customerId: IdSchema,
  terminalId: IdSchema,
  staffId: IdSchema,
  occurredAt: IsoDateTimeSchema,
  items: z.array(VisitItemSchema).max(200),
  /** Amount before discount, minor units. */
  subtotal: NonNegativeIntSchema,
  /** Everything taken off: the cashier's own discount plus each applied reward's. */
  discount: NonNegativeIntSchema,
  /**
   * Rewards redeemed on the sale, in the order they were applied (reward-rules.ts applyRewards). Absent on
   * visits without rewards, so no stored visit needs a rewrite.
   */
  rewards: z.array(AppliedRewardSchema).min(1).max(MAX_REWARDS_PER_VISIT).optional(),
  /** Amount paid: subtotal − discount, minor units. */
  total: NonNegativeIntSchema,
  currency: z.string().regex(/^[A-Z]{3}$/),
  paymentMethod: PaymentMethodSchema,
  pointsEarned: IntSchema,
  notes: z.string().max(1000),
  feedback: FeedbackSchema.nullable(),
  voided: z.boolean(),
  voidedAt: IsoDateTimeSchema.nullable(),
  voidedBy: IdSchema.nullable(),
  voidReason: z.string().max(500).nullable(),
});
/** A visit document. */
export type Visit = z.infer<typeof VisitSchema>;

/** The fields a void or a late feedback may change on an existing visit. */
const VISIT_MUTABLE = new Set<keyof Visit>(['voided', 'voidedAt', 'voidedBy', 'voidReason', 'feedback', 'updatedAt']);

/**
 * Whether `next` is an allowed successor of the stored visit `prev`: a void (never undone) and/or
 * feedback added where there was none. Anything else rewrites history and is refused.
 */
export function visitChangeAllowed(prev: Visit, next: Visit): boolean {
  // Both sides' keys: dropping an optional field (a visit's rewards) rewrites history as much as changing it.
  for (const key of new Set([...Object.keys(prev), ...Object.keys(next)]) as Set<keyof Visit>) {
    if (VISIT_MUTABLE.has(key)) continue;
    if (JSON.stringify(prev[key]) !== JSON.stringify(next[key])) return false;
  }
  if (prev.voided && !next.voided) return false;
  if (prev.voided && (prev.voidedAt !== next.voidedAt || prev.voidedBy !== next.voidedBy || prev.voidReason !== next.voidReason)) return false;
  if (!next.voided && (next.voidedAt !== null || next.voidedBy !== null || next.voidReason !== null)) return false;
  if (prev.feedback !== null && JSON.stringify(prev.feedback) !== JSON.stringify(next.feedback)) return false;
  if (next.voided && (next.voidedAt === null || next.voidedBy === null)) return false;
  return true;
}

/** Sum of the item lines, minor units. */
export function itemsSubtotal(items: readonly VisitItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}
