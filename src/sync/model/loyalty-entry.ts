import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IntSchema, IsoDateTimeSchema } from './common.ts';

/** Kinds of ledger line. `earn`/`redeem` come from the counter, the others from managers or the program. */
export const LOYALTY_KINDS = ['earn', 'redeem', 'adjust', 'reversal', 'expire'] as const;
/** Kind of ledger line. */
export const LoyaltyKindSchema = z.enum(LOYALTY_KINDS);
/** Kind of ledger line. */
export type LoyaltyKind = z.infer<typeof LoyaltyKindSchema>;

/**
 * One line of the append-only points ledger. A balance is always the sum of `points` over a customer's
 * entries (docs/architecture.md#balance-never-stored, a MUST rule); no document stores a balance.
 */
export const LoyaltyEntrySchema = z
  .strictObject({
    ...DocumentBaseShape,
    customerId: IdSchema,
    kind: LoyaltyKindSchema,
    /** Signed: earn > 0, redeem < 0, expire < 0, adjust and reversal either way. */
    points: IntSchema,
    visitId: IdSchema.nullable(),
    rewardId: IdSchema.nullable(),
    /** For a reversal: the entry it cancels. */
    reversesId: IdSchema.nullable(),
    storeId: IdSchema,
    terminalId: IdSchema,
    staffId: IdSchema,
    /** Written while the terminal had no connection (redemptions then fall under the offline cap). */
    offline: z.boolean(),
    note: z.string().max(500),
    occurredAt: IsoDateTimeSchema,
  })
  .check((ctx) => {
    const e = ctx.value;
    const sign =
      e.kind === 'earn' ? e.points > 0 : e.kind === 'redeem' || e.kind === 'expire' ? e.points < 0 : e.points !== 0;
    if (!sign) ctx.issues.push({ code: 'custom', message: `points have the wrong sign for ${e.kind}`, input: e.points, path: ['points'] });
    if (e.kind === 'reversal' && e.reversesId === null)
      ctx.issues.push({ code: 'custom', message: 'a reversal names the entry it reverses', input: e.reversesId, path: ['reversesId'] });
  });
/** One ledger line. */
export type LoyaltyEntry = z.infer<typeof LoyaltyEntrySchema>;
