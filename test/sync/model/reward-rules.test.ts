import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/sync/model/dates.ts';
import { ledgerEntry, newVisit } from '../../../src/sync/model/document-builders.ts';
import { newId, redeemEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import { visitRewardsProblem } from '../../../src/sync/model/ledger-rules.ts';
import { usageBlock } from '../../../src/sync/model/redemption.ts';
import type { LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import { CAP_PERIODS, RewardSchema, type Reward } from '../../../src/sync/model/reward.ts';
import {

  applyReward,
  applyRewards,
  birthdayOccurrence,
  maxPointsFor,
  moneyForPoints,
  redemptionsInWindow,
  withinCap,
} from '../../../src/sync/model/reward-rules.ts';

// Issue 18 items 4 and 7: reward application and per-customer caps. Randomised with a seed printed once per run;
// FC_SEED=<n> replays a run.
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`reward-rules property seed: ${seed} (FC_SEED=${seed} replays it)`);
const runs = { seed, numRuns: 60 };

const ctx = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2025-06-01T10:00:00.000Z', offline: false };
const money = fc.integer({ min: 0, max: 50_000_000 });

const rewardArb: fc.Arbitrary<Reward> = fc
  .record({
    type: fc.constantFrom('freeItem', 'amountOff', 'percentOff', 'pointsToMoney') as fc.Arbitrary<Reward['type']>,
    pointsCost: fc.integer({ min: 1, max: 10_000 }),
    value: fc.integer({ min: 1, max: 5_000_000 }),
    percent: fc.integer({ min: 1, max: 100 }),
  })
  .map((r) =>
    RewardSchema.parse({
      id: newId(), merchantId: ctx.merchantId, updatedAt: '2025-01-01T00:00:00.000Z', _deleted: false, name: 'R', description: '',
      type: r.type, pointsCost: r.pointsCost, value: r.type === 'percentOff' ? 0 : r.value, itemName: r.type === 'freeItem' ? 'Cake' : '',
      percent: r.type === 'percentOff' ? r.percent : 0, stock: null, minTier: null, validFrom: null, validUntil: null, cap: null, active: true, updatedBy: ctx.staffId,
    }),
  );

describe('applying a reward to a sale', () => {
  it('never takes off more than is left, in whole minor units, and each type as its rule says', () => {
    fc.assert(
      fc.property(rewardArb, money, fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 100_000 }), (reward, remaining, price, points) => {
        const items = [{ name: 'cake', quantity: 1, unitPrice: price }];
        const applied = applyReward(reward, { remaining, items, points });
        if (!applied.ok) {
          // Only points to money refuses, and only when its money would pass the total (or nothing is left).
          expect(reward.type).toBe('pointsToMoney');
          expect(moneyForPoints(points, reward) > remaining || remaining === 0).toBe(true);
          return;
        }
        expect(Number.isSafeInteger(applied.discount)).toBe(true);
        expect(applied.discount).toBeGreaterThanOrEqual(0);
        expect(applied.discount).toBeLessThanOrEqual(remaining);
        if (reward.type === 'amountOff') expect(applied.discount).toBe(Math.min(reward.value, remaining));
        if (reward.type === 'percentOff') expect(applied.discount).toBe(Math.floor((remaining * reward.percent) / 100));
        if (reward.type === 'freeItem') expect(applied.discount).toBe(Math.min(price, remaining));
        if (reward.type === 'pointsToMoney') {
          expect(applied.points).toBe(points);
          expect(applied.discount).toBe(Math.floor((points * reward.value) / reward.pointsCost));
        } else expect(applied.points).toBe(reward.pointsCost);
      }),
      runs,
    );
  });

  it('points to money: the most points the total allows are worth at most the total; one more would be worth more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 5_000_000 }), money, (pointsCost, value, remaining) => {
        const max = maxPointsFor(remaining, { pointsCost, value });
        expect(moneyForPoints(max, { pointsCost, value })).toBeLessThanOrEqual(remaining);
        // Exactly, before rounding: (max + 1) points are worth more than what is left.
        expect(BigInt(max + 1) * BigInt(value)).toBeGreaterThan(BigInt(remaining) * BigInt(pointsCost));
      }),
      runs,
    );
  });

  it('several rewards: the total never goes below zero, and the server recomputes exactly what the till applied', () => {
    fc.assert(
      fc.property(fc.uniqueArray(rewardArb, { minLength: 1, maxLength: 4, selector: (r) => r.id }), money, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 50_000 }), (rewards, subtotal, manualPercent, points) => {
        const discount = Math.floor((subtotal * manualPercent) / 100);
        const items = [{ name: 'Cake', quantity: 1, unitPrice: subtotal }];
        const sale = applyRewards({ subtotal, discount, items }, rewards.map((reward) => ({ reward, points })));
        if (!sale.ok) return;
        expect(sale.total).toBeGreaterThanOrEqual(0);
        expect(sale.total).toBe(subtotal - sale.discount);
        const id = newId();
        const applied = sale.lines.map((line) => ({ ...line, entryId: redeemEntryId(id, line.rewardId) }));
        const { visit } = newVisit({ customerId: newId(), items, discount: sale.discount, rewards: applied, currency: 'IRR', paymentMethod: 'cash' }, 0, ctx, id);
        const byId = new Map(rewards.map((r) => [r.id, r]));
        expect(visitRewardsProblem(visit, byId)).toBeNull();
        // A till that claims one minor unit more off is caught.
        const forged = { ...visit, discount: visit.discount + 1, total: visit.total - 1, rewards: applied.map((a, i) => (i === 0 ? { ...a, discount: a.discount + 1 } : a)) };
        if (forged.total >= 0) expect(visitRewardsProblem(forged, byId)).not.toBeNull();
      }),
      runs,
    );
  });
});

describe('per-customer caps', () => {
  const rewardId = newId();
  const redemption = (at: number): LoyaltyEntry =>
    ledgerEntry({ kind: 'redeem', points: -100, customerId: ctx.merchantId, rewardId }, { ...ctx, now: new Date(at).toISOString() });

  it('redemptions accepted one by one under a cap never exceed it in any window ending at one of them', () => {
    const period = fc.constantFrom(...CAP_PERIODS);
    fc.assert(
      fc.property(period, fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 0, max: 400 * 86_400_000 }), { maxLength: 25 }), (p, count, offsets) => {
        const reward = { id: rewardId, cap: { count, period: p } };
        const start = Date.parse('2025-01-01T00:00:00.000Z');
        const accepted: LoyaltyEntry[] = [];
        for (const at of [...offsets].sort((a, b) => a - b)) if (withinCap(reward, accepted, new Date(start + at))) accepted.push(redemption(start + at));
        for (const line of accepted) expect(redemptionsInWindow(accepted, rewardId, p, new Date(line.occurredAt))).toBeLessThanOrEqual(count);
      }),
      runs,
    );
  });

  it('an undone redemption no longer counts', () => {
    const at = Date.parse('2025-03-01T12:00:00.000Z');
    const first = redemption(at);
    const reward = { id: rewardId, cap: { count: 1, period: 'week' as const } };
    expect(withinCap(reward, [first], new Date(at + 86_400_000))).toBe(false);
    const undo = ledgerEntry({ id: reversalEntryId(first.id), kind: 'reversal', points: 100, customerId: ctx.merchantId, reversesId: first.id }, ctx);
    expect(withinCap(reward, [first, undo], new Date(at + 86_400_000))).toBe(true);
    expect(withinCap(reward, [first], new Date(at + 7 * 86_400_000 + 1))).toBe(true);
  });
});

describe('the birthday week', () => {
  it('is the seven days centred on the birthday, across year ends and 29 February', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01'), max: new Date('2010-12-31'), noInvalidDate: true }), fc.integer({ min: 2024, max: 2030 }), fc.integer({ min: -20, max: 20 }), (born, year, offset) => {
        const birthday = born.toISOString().slice(0, 10);
        const monthDay = birthday.slice(5);
        const leap = year % 4 === 0;
        const thisYear = `${year}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`;
        const today = addDays(thisYear, offset);
        const occurrence = birthdayOccurrence(birthday, today);
        expect(occurrence === null).toBe(Math.abs(offset) > 3);
        if (occurrence !== null) expect(occurrence).toBe(thisYear);
      }),
      runs,
    );
    expect(birthdayOccurrence('1990-12-31', '2026-01-02')).toBe('2025-12-31');
    expect(birthdayOccurrence(null, '2026-01-02')).toBeNull();
  });

  it('offers the birthday reward only in that week, once', () => {
    const gift = RewardSchema.parse({
      id: newId(), merchantId: ctx.merchantId, updatedAt: '2025-01-01T00:00:00.000Z', _deleted: false, name: 'Cake', description: '', type: 'freeItem', pointsCost: 1, value: 0,
      itemName: 'Cake', percent: 0, stock: null, minTier: null, validFrom: null, validUntil: null, cap: null, active: true, updatedBy: ctx.staffId,
    });
    const dateOf = (d: Date) => d.toISOString().slice(0, 10);
    const usage = (now: string, entries: LoyaltyEntry[] = []) => ({ entries, now: new Date(now), dateOf, birthday: '1990-06-05', birthdayRewardId: gift.id });
    expect(usageBlock(gift, '2025-06-01', usage('2025-06-01T10:00:00.000Z'))).toBe('birthday');
    expect(usageBlock(gift, '2025-06-02', usage('2025-06-02T10:00:00.000Z'))).toBeNull();
    const had = ledgerEntry({ kind: 'redeem', points: -1, customerId: ctx.merchantId, rewardId: gift.id }, { ...ctx, now: '2025-06-03T10:00:00.000Z' });
    expect(usageBlock(gift, '2025-06-08', usage('2025-06-08T10:00:00.000Z', [had]))).toBe('cap');
    expect(usageBlock(gift, '2026-06-04', usage('2026-06-04T10:00:00.000Z', [had]))).toBeNull();
    // Another reward is not the birthday reward: no week applies to it.
    expect(usageBlock({ ...gift, id: newId() }, '2025-06-20', usage('2025-06-20T10:00:00.000Z'))).toBeNull();
  });
});
