import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IsoDateSchema, NonNegativeIntSchema, TierSchema } from './common.ts';

/** A catalog item bought with points; managers edit it, cashiers only read it. */
export const RewardSchema = z.strictObject({
  ...DocumentBaseShape,
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  pointsCost: z.int().min(1).max(10_000_000),
  /** Face value in minor units of the merchant currency (0 when it is not money-like). */
  value: NonNegativeIntSchema,
  /** Remaining stock; null means unlimited. */
  stock: NonNegativeIntSchema.nullable(),
  minTier: TierSchema.nullable(),
  validFrom: IsoDateSchema.nullable(),
  validUntil: IsoDateSchema.nullable(),
  active: z.boolean(),
  updatedBy: IdSchema,
});
/** A reward document. */
export type Reward = z.infer<typeof RewardSchema>;
