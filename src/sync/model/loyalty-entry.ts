import { z } from 'zod';
import { DocumentBaseShape, IdSchema, IntSchema, IsoDateTimeSchema } from './common.ts';

/** Kinds of points line. `earn`/`redeem` come from the counter, the others from managers or the program. */
export const POINT_KINDS = ['earn', 'redeem', 'adjust', 'reversal', 'expire'] as const;
/**
 * Kinds of stamp line (docs/loyalty.md#stamp-cards): a visit's stamps, a full card redeemed, a void taking a
 * visit's stamps back. They carry `stamps` and zero points, so no points sum anywhere counts them.
 */
export const STAMP_KINDS = ['stamp', 'stamp_redeem', 'stamp_reversal'] as const;
/** Kinds of ledger line. */
export const LOYALTY_KINDS = [...POINT_KINDS, ...STAMP_KINDS] as const;
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
    /**
     * Stamp lines only, signed: stamp > 0, stamp_redeem and stamp_reversal < 0. Absent on points lines, so every
     * line written before stamp cards existed is valid as stored (no ledger rewrite on any replica).
     */
    stamps: IntSchema.optional(),
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
    if (isStampKind(e.kind)) {
      if (e.points !== 0) ctx.issues.push({ code: 'custom', message: 'a stamp line carries no points', input: e.points, path: ['points'] });
      const stamps = e.stamps ?? 0;
      if (e.kind === 'stamp' ? stamps <= 0 : stamps >= 0)
        ctx.issues.push({ code: 'custom', message: `stamps have the wrong sign for ${e.kind}`, input: e.stamps, path: ['stamps'] });
      if (e.kind === 'stamp_reversal' && e.reversesId === null)
        ctx.issues.push({ code: 'custom', message: 'a reversal names the entry it reverses', input: e.reversesId, path: ['reversesId'] });
      return;
    }
    if (e.stamps !== undefined) ctx.issues.push({ code: 'custom', message: 'a points line carries no stamps', input: e.stamps, path: ['stamps'] });
    const sign =
      e.kind === 'earn' ? e.points > 0 : e.kind === 'redeem' || e.kind === 'expire' ? e.points < 0 : e.points !== 0;
    if (!sign) ctx.issues.push({ code: 'custom', message: `points have the wrong sign for ${e.kind}`, input: e.points, path: ['points'] });
    if (e.kind === 'reversal' && e.reversesId === null)
      ctx.issues.push({ code: 'custom', message: 'a reversal names the entry it reverses', input: e.reversesId, path: ['reversesId'] });
  });
/** One ledger line. */
export type LoyaltyEntry = z.infer<typeof LoyaltyEntrySchema>;

/** Whether a kind is a stamp line's (its count is in `stamps`, its points are zero). */
export function isStampKind(kind: LoyaltyKind): kind is (typeof STAMP_KINDS)[number] {
  return (STAMP_KINDS as readonly string[]).includes(kind);
}
