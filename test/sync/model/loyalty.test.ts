import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoyaltyEntrySchema } from '../../../src/sync/model/loyalty-entry.ts';
import type { LoyaltyEntry, LoyaltyKind } from '../../../src/sync/model/loyalty-entry.ts';
import {
  applyEntry,
  balanceOf,
  checkRedeem,
  lifetimeEarned,
  multiplierFor,
  pointsForVisit,
  summarize,
  tierFor,
  tierProgress,
  tierProgressFor,
} from '../../../src/sync/model/loyalty.ts';
import type { RedeemRequest } from '../../../src/sync/model/loyalty.ts';
import { DEFAULT_PROGRAM, ProgramSchema } from '../../../src/sync/model/settings.ts';
import type { Program } from '../../../src/sync/model/settings.ts';
import { isPatronError } from '../../../src/sync/model/errors.ts';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const MERCHANT = uuid(1);
const CUSTOMER = uuid(2);
const STORE = uuid(3);
const TERMINAL = uuid(4);
const STAFF = uuid(5);
const EPOCH = Date.parse('2025-01-01T00:00:00.000Z');
/** ISO time `n` days after 2025-01-01 (fractions allowed). */
const day = (n: number): string => new Date(EPOCH + n * 86_400_000).toISOString();
const at = (n: number): Date => new Date(EPOCH + n * 86_400_000);

let seq = 100;
/** A ledger line valid per LoyaltyEntrySchema (asserted), occurring on `onDay`. */
function entry(kind: LoyaltyKind, points: number, onDay = 0, over: Partial<LoyaltyEntry> = {}): LoyaltyEntry {
  seq += 1;
  return LoyaltyEntrySchema.parse({
    id: uuid(seq),
    merchantId: MERCHANT,
    updatedAt: day(onDay),
    _deleted: false,
    customerId: CUSTOMER,
    kind,
    points,
    visitId: null,
    rewardId: null,
    reversesId: null,
    storeId: STORE,
    terminalId: TERMINAL,
    staffId: STAFF,
    offline: false,
    note: '',
    occurredAt: day(onDay),
    ...over,
  });
}
const reversal = (of: LoyaltyEntry, onDay: number, points = -of.points): LoyaltyEntry =>
  entry('reversal', points, onDay, { reversesId: of.id });

/** A program valid per ProgramSchema (asserted). */
const program = (over: Partial<Program> = {}): Program => ProgramSchema.parse({ ...DEFAULT_PROGRAM, ...over });

describe('balance and tier basis', () => {
  // earn 300, redeem 200, expire 50, +40 adjust, −30 adjust, void of a 100 earn, refund of the 200 redemption
  const earn = entry('earn', 300);
  const voided = entry('earn', 100, 1);
  const redeem = entry('redeem', -200, 2);
  const ledger = [
    earn,
    voided,
    redeem,
    entry('expire', -50, 3),
    entry('adjust', 40, 4),
    entry('adjust', -30, 5),
    reversal(voided, 6),
    reversal(redeem, 7),
  ];

  it('balance is the sum of the ledger, tombstones skipped', () => {
    // 300 + 100 − 200 − 50 + 40 − 30 − 100 + 200 = 260
    expect(balanceOf(ledger)).toBe(260);
    expect(balanceOf([...ledger, entry('earn', 999, 8, { _deleted: true })])).toBe(260);
    expect(balanceOf([])).toBe(0);
  });

  it('lifetime earned = earns + positive adjusts + negative reversals; spending never lowers it', () => {
    // 300 + 100 (earns) + 40 (adjust) − 100 (void of an earn) = 340; redeem/expire/−adjust/refund: 0
    expect(lifetimeEarned(ledger)).toBe(340);
  });

  it('tiers by threshold: 0 / 500 / 1000 / 2500', () => {
    const cases: [number, string][] = [
      [-5, 'bronze'],
      [0, 'bronze'],
      [499, 'bronze'],
      [500, 'silver'],
      [999, 'silver'],
      [1000, 'gold'],
      [2499, 'gold'],
      [2500, 'platinum'],
      [1e9, 'platinum'],
    ];
    for (const [points, tier] of cases) expect(tierFor(points, DEFAULT_PROGRAM), String(points)).toBe(tier);
    expect(multiplierFor('silver', DEFAULT_PROGRAM)).toBe(1.25);
  });

  it('tier progress across the band, and at the top', () => {
    // 750 is half way from silver (500) to gold (1000): 250 to go
    expect(tierProgressFor(750, DEFAULT_PROGRAM)).toEqual({
      tier: 'silver',
      next: 'gold',
      pointsToNext: 250,
      progress: 0.5,
    });
    expect(tierProgressFor(0, DEFAULT_PROGRAM)).toEqual({
      tier: 'bronze',
      next: 'silver',
      pointsToNext: 500,
      progress: 0,
    });
    expect(tierProgressFor(2600, DEFAULT_PROGRAM)).toEqual({
      tier: 'platinum',
      next: null,
      pointsToNext: 0,
      progress: 1,
    });
    expect(tierProgressFor(-20, DEFAULT_PROGRAM)).toEqual({
      tier: 'bronze',
      next: 'silver',
      pointsToNext: 520,
      progress: 0,
    });
  });

  it('redeeming does not demote', () => {
    const rich = [entry('earn', 1200), entry('redeem', -1100, 1)];
    // basis 1200 → gold, 1300 to platinum, (1200 − 1000) / 1500 = 0.1333…
    const p = tierProgress(rich, DEFAULT_PROGRAM);
    expect(p).toMatchObject({ tier: 'gold', next: 'platinum', pointsToNext: 1300 });
    expect(p.progress).toBeCloseTo(200 / 1500, 12);
  });

  it('summarize matches the parts', () => {
    // balance 260, basis 340, redeemed gross 200; bronze, 160 to silver, 340 / 500 = 0.68
    expect(summarize(ledger, DEFAULT_PROGRAM)).toEqual({
      balance: 260,
      lifetimeEarned: 340,
      redeemed: 200,
      tier: 'bronze',
      next: 'silver',
      pointsToNext: 160,
      progress: 0.68,
    });
  });
});

describe('pointsForVisit', () => {
  it('seed 001: 125 000 IRR at 1 pt / 1000 IRR → 125 at bronze, multiplied and floored above', () => {
    expect(pointsForVisit({ total: 125_000, tier: 'bronze' }, DEFAULT_PROGRAM)).toBe(125);
    expect(pointsForVisit({ total: 125_000, tier: 'silver' }, DEFAULT_PROGRAM)).toBe(156); // 156.25 → 156
    expect(pointsForVisit({ total: 125_000, tier: 'gold' }, DEFAULT_PROGRAM)).toBe(187); // 187.5 → 187
    expect(pointsForVisit({ total: 125_000, tier: 'platinum' }, DEFAULT_PROGRAM)).toBe(250);
  });

  it('only whole blocks earn; a 0 total earns the bonus only', () => {
    expect(pointsForVisit({ total: 125_999, tier: 'bronze' }, DEFAULT_PROGRAM)).toBe(125);
    expect(pointsForVisit({ total: 999, tier: 'platinum' }, DEFAULT_PROGRAM)).toBe(0);
    expect(pointsForVisit({ total: 0, tier: 'gold' }, program({ visitBonus: 10 }))).toBe(10);
  });

  it('earnPoints, earnPer and the bonus combine: 2 pts / 500, gold, +5', () => {
    // 125 000 / 500 = 250 blocks × 2 = 500 × 1.5 = 750, + 5 = 755
    expect(
      pointsForVisit({ total: 125_000, tier: 'gold' }, program({ earnPoints: 2, earnPer: 500, visitBonus: 5 })),
    ).toBe(755);
  });

  it('multipliers are exact to six decimals: 100 × 1.15 = 115, not float 114.999… → 114', () => {
    const tiers = DEFAULT_PROGRAM.tiers.map((t) => (t.tier === 'silver' ? { ...t, multiplier: 1.15 } : t));
    expect(100 * 1.15).toBeLessThan(115); // the trap
    expect(pointsForVisit({ total: 100_000, tier: 'silver' }, program({ tiers }))).toBe(115);
  });

  it('refuses totals that are not non-negative safe integers', () => {
    for (const total of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      let caught: unknown;
      try {
        pointsForVisit({ total, tier: 'bronze' }, DEFAULT_PROGRAM);
      } catch (error) {
        caught = error;
      }
      expect(isPatronError(caught) && caught.code, String(total)).toBe('VALIDATION_FAILED');
    }
  });

  it('property: an integer at least the bonus, non-decreasing in total and tier', () => {
    const tiers = ['bronze', 'silver', 'gold', 'platinum'] as const;
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), fc.nat({ max: 1e12 }), fc.nat({ max: 3 }), (a, b, t) => {
        const p = program({ visitBonus: 3 });
        const tier = tiers[t] ?? 'bronze';
        const lo = pointsForVisit({ total: Math.min(a, b), tier }, p);
        const hi = pointsForVisit({ total: Math.max(a, b), tier }, p);
        expect(Number.isSafeInteger(lo) && lo >= 3 && lo <= hi).toBe(true);
        if (t > 0)
          expect(pointsForVisit({ total: a, tier: tiers[t - 1] ?? 'bronze' }, p)).toBeLessThanOrEqual(
            pointsForVisit({ total: a, tier }, p),
          );
      }),
      { numRuns: 200 },
    );
  });
});

/** A random, schema-valid ledger: reversals name an earlier line (or, rarely, an unknown one). */
const ledgerArb = fc
  .array(
    fc.record({
      kind: fc.constantFrom<LoyaltyKind>('earn', 'earn', 'redeem', 'adjust', 'reversal', 'expire'),
      points: fc.integer({ min: 1, max: 500 }),
      negative: fc.boolean(),
      onDay: fc.integer({ min: 0, max: 1000 }),
      target: fc.nat(),
      exact: fc.boolean(),
      deleted: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    }),
    { maxLength: 40 },
  )
  .map((ops) => {
    const out: LoyaltyEntry[] = [];
    for (const op of ops) {
      const over = { _deleted: op.deleted };
      if (op.kind === 'earn') out.push(entry('earn', op.points, op.onDay, over));
      else if (op.kind === 'redeem' || op.kind === 'expire') out.push(entry(op.kind, -op.points, op.onDay, over));
      else if (op.kind === 'adjust') out.push(entry('adjust', op.negative ? -op.points : op.points, op.onDay, over));
      else {
        const target = out.length > 0 ? out[op.target % out.length] : undefined;
        const points = target && op.exact ? -target.points : op.negative ? -op.points : op.points;
        out.push(entry('reversal', points, op.onDay, { ...over, reversesId: target?.id ?? uuid(9998) }));
      }
    }
    return out;
  });

describe('ledger properties', () => {
  it('applyEntry folded in any order equals summarize', () => {
    fc.assert(
      fc.property(ledgerArb, fc.func(fc.integer()), (ledger, key) => {
        const expected = summarize(ledger, DEFAULT_PROGRAM);
        const shuffled = [...ledger].sort((a, b) => key(a.id) - key(b.id));
        const folded = shuffled.reduce((s, e) => applyEntry(s, e, DEFAULT_PROGRAM), summarize([], DEFAULT_PROGRAM));
        expect(folded).toEqual(expected);
        expect(expected.balance).toBe(balanceOf(ledger));
        expect(expected.lifetimeEarned).toBe(lifetimeEarned(ledger));
        expect(expected.tier).toBe(tierProgress(ledger, DEFAULT_PROGRAM).tier);
        expect(expected.progress >= 0 && expected.progress <= 1).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('checkRedeem', () => {
  const ledger = [entry('earn', 400), entry('earn', 300, 1), entry('redeem', -100, 2)]; // balance 600
  const request = (over: Partial<RedeemRequest>): RedeemRequest => ({
    entries: ledger,
    points: 100,
    online: true,
    dataAgeHours: 0,
    offlineRedeemedToday: 0,
    now: at(3),
    ...over,
  });

  it('online: the derived balance must cover it; cap and data age do not apply', () => {
    expect(checkRedeem(request({ points: 600 }), DEFAULT_PROGRAM)).toEqual({ ok: true });
    expect(checkRedeem(request({ points: 601 }), DEFAULT_PROGRAM)).toEqual({ ok: false, code: 'INSUFFICIENT_POINTS' });
    expect(
      checkRedeem(request({ points: 600, dataAgeHours: 1000, offlineRedeemedToday: 5000 }), DEFAULT_PROGRAM),
    ).toEqual({
      ok: true,
    });
  });

  it('points must be a positive integer', () => {
    for (const points of [0, -5, 1.5, Number.NaN, Infinity])
      expect(checkRedeem(request({ points }), DEFAULT_PROGRAM), String(points)).toEqual({
        ok: false,
        code: 'VALIDATION_FAILED',
      });
  });

  it('offline: data at most 72 h old (Infinity = never synced)', () => {
    const offline = { online: false, points: 100 };
    expect(checkRedeem(request({ ...offline, dataAgeHours: 72 }), DEFAULT_PROGRAM)).toEqual({ ok: true });
    for (const dataAgeHours of [72.01, Infinity])
      expect(checkRedeem(request({ ...offline, dataAgeHours }), DEFAULT_PROGRAM)).toEqual({
        ok: false,
        code: 'OFFLINE_DATA_TOO_OLD',
      });
    for (const dataAgeHours of [Number.NaN, -1])
      expect(checkRedeem(request({ ...offline, dataAgeHours }), DEFAULT_PROGRAM)).toEqual({
        ok: false,
        code: 'VALIDATION_FAILED',
      });
    expect(checkRedeem(request({ ...offline, offlineRedeemedToday: -1 }), DEFAULT_PROGRAM)).toEqual({
      ok: false,
      code: 'VALIDATION_FAILED',
    });
  });

  it('offline: the cap of 500 is cumulative with what this terminal already redeemed', () => {
    expect(checkRedeem(request({ online: false, points: 100, offlineRedeemedToday: 400 }), DEFAULT_PROGRAM)).toEqual({
      ok: true,
    });
    expect(checkRedeem(request({ online: false, points: 101, offlineRedeemedToday: 400 }), DEFAULT_PROGRAM)).toEqual({
      ok: false,
      code: 'OFFLINE_REDEEM_CAP',
    });
    expect(checkRedeem(request({ online: false, points: 1 }), program({ offlineRedeemCap: 0 }))).toEqual({
      ok: false,
      code: 'OFFLINE_REDEEM_CAP',
    });
  });

  it('order of refusals: stale data, then balance, then cap', () => {
    // 700 exceeds both the balance (600) and the cap (500); data is 100 h old
    expect(checkRedeem(request({ online: false, points: 700, dataAgeHours: 100 }), DEFAULT_PROGRAM)).toEqual({
      ok: false,
      code: 'OFFLINE_DATA_TOO_OLD',
    });
    expect(checkRedeem(request({ online: false, points: 700 }), DEFAULT_PROGRAM)).toEqual({
      ok: false,
      code: 'INSUFFICIENT_POINTS',
    });
    expect(checkRedeem(request({ online: false, points: 550 }), DEFAULT_PROGRAM)).toEqual({
      ok: false,
      code: 'OFFLINE_REDEEM_CAP',
    });
  });
});
