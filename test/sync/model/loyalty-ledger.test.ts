import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earnEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import { adjustLimitFor, earnProblem, redemptionProblem, reversalProblem, roleForAdjustment, voidImpact } from '../../../src/sync/model/ledger-rules.ts';
import { activityLines, filterActivity } from '../../../src/sync/model/loyalty-activity.ts';
import { LoyaltyEntrySchema, type LoyaltyEntry, type LoyaltyKind } from '../../../src/sync/model/loyalty-entry.ts';
import { availableBalance, expiredPoints, expiryState } from '../../../src/sync/model/loyalty-expiry.ts';
import { balanceOf, checkRedeem } from '../../../src/sync/model/loyalty.ts';
import { DEFAULT_PROGRAM, type Program } from '../../../src/sync/model/settings.ts';

// Issue 18: the activity, derived expiry (the same answer from any order of the same lines, corrected and never
// doubled by a late line) and the ledger rules the commands and the server share.

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const EPOCH = Date.parse('2025-01-01T00:00:00.000Z');
const day = (n: number): string => new Date(EPOCH + n * 86_400_000).toISOString();
const at = (n: number): Date => new Date(EPOCH + n * 86_400_000);
const P365: Program = { ...DEFAULT_PROGRAM, expiryDays: 365 };

let seq = 100;
function entry(kind: LoyaltyKind, points: number, onDay = 0, over: Partial<LoyaltyEntry> = {}): LoyaltyEntry {
  seq += 1;
  return LoyaltyEntrySchema.parse({
    id: uuid(seq), merchantId: uuid(1), updatedAt: day(onDay), _deleted: false, customerId: uuid(2), kind, points,
    visitId: null, rewardId: null, reversesId: null, storeId: uuid(3), terminalId: uuid(4), staffId: uuid(5),
    offline: false, note: '', occurredAt: day(onDay), ...over,
  });
}
const reversal = (of: LoyaltyEntry, onDay: number, points = -of.points) => entry('reversal', points, onDay, { id: reversalEntryId(of.id), reversesId: of.id });

describe('derived expiry', () => {
  it('a lot expires whole on its day unless spent first; nothing expires without expiryDays', () => {
    const ledger = [entry('earn', 100, 0), entry('earn', 50, 200)];
    expect(expiredPoints(ledger, P365, at(364.99))).toBe(0);
    expect(expiredPoints(ledger, P365, at(365))).toBe(100);
    expect(expiredPoints(ledger, P365, at(565))).toBe(150);
    expect(expiredPoints(ledger, { expiryDays: null }, at(5000))).toBe(0);
  });

  it('a redemption after a lot expired cannot spend it: it consumes the next lot', () => {
    // A 100 @0 expires @365; redeem 100 @401 spends B; available 0 at day 401.
    const ledger = [entry('earn', 100, 0), entry('earn', 100, 400), entry('redeem', -100, 401)];
    expect(expiredPoints(ledger, P365, at(401))).toBe(100);
    expect(availableBalance(ledger, P365, at(401))).toBe(0);
  });

  it('a void removes its own lot; debt is paid by the next lot', () => {
    const b = entry('earn', 80, 300);
    expect(expiredPoints([entry('earn', 100, 0), b, reversal(b, 301)], P365, at(700))).toBe(100);
    expect(expiredPoints([entry('redeem', -50, 0), entry('earn', 100, 10)], P365, at(375))).toBe(50);
  });

  it('a late-synced earlier redemption corrects the expiry instead of doubling it', () => {
    const earn = entry('earn', 100, 0);
    const late = entry('redeem', -60, 100); // happened on day 100, reached this replica on day 400
    expect(availableBalance([earn], P365, at(400))).toBe(0);
    expect(expiredPoints([earn, late], P365, at(400))).toBe(40);
    expect(availableBalance([earn, late], P365, at(400))).toBe(0);
  });

  it('warns of what expires within 30 days', () => {
    const state = expiryState([entry('earn', 70, 0), entry('earn', 30, 100)], P365, at(340));
    expect(state).toMatchObject({ expired: 0, expiringSoon: 70, nextExpiryAt: day(365) });
  });

  it('properties: order-free, within bounds, monotone in time, a debit never adds expiry', () => {
    const ops = fc.array(
      fc.record({ kind: fc.constantFrom<LoyaltyKind>('earn', 'earn', 'redeem', 'adjust', 'reversal'), points: fc.integer({ min: 1, max: 500 }), neg: fc.boolean(), onDay: fc.integer({ min: 0, max: 1000 }), target: fc.nat() }),
      { maxLength: 30 },
    );
    const build = (list: { kind: LoyaltyKind; points: number; neg: boolean; onDay: number; target: number }[]) => {
      const out: LoyaltyEntry[] = [];
      for (const op of list) {
        if (op.kind === 'earn') out.push(entry('earn', op.points, op.onDay));
        else if (op.kind === 'redeem') out.push(entry('redeem', -op.points, op.onDay));
        else if (op.kind === 'adjust') out.push(entry('adjust', op.neg ? -op.points : op.points, op.onDay));
        else {
          const t = out.filter((e) => e.kind === 'earn')[op.target % Math.max(1, out.length)];
          if (t && !out.some((e) => e.reversesId === t.id)) out.push(reversal(t, op.onDay));
        }
      }
      return out;
    };
    fc.assert(
      fc.property(ops, fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 400 }), fc.func(fc.integer()), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 1500 }), (list, now, later, key, debit, debitDay) => {
        const ledger = build(list);
        const x = expiredPoints(ledger, P365, at(now));
        const shuffled = [...ledger].sort((a, b) => key(a.id) - key(b.id));
        expect(expiredPoints(shuffled, P365, at(now))).toBe(x); // any arrival order: the same answer
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(ledger.filter((e) => e.points > 0).reduce((s, e) => s + e.points, 0));
        expect(expiredPoints(ledger, P365, at(now + later))).toBeGreaterThanOrEqual(x);
        // A late line (a debit from any day, synced now) only lowers what expired: corrected, never doubled.
        expect(expiredPoints([...ledger, entry('redeem', -debit, debitDay)], P365, at(now))).toBeLessThanOrEqual(x);
        // Spendable never goes below zero unless the ledger itself does.
        if (ledger.every((e) => e.points > 0)) expect(availableBalance(ledger, P365, at(now))).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('activity', () => {
  it('lists stored lines and derived expiry newest first with the running balance, filterable', () => {
    const earn = entry('earn', 100, 0);
    const redeem = entry('redeem', -30, 10);
    const undo = reversal(redeem, 11);
    const lines = activityLines([undo, earn, redeem, entry('adjust', 5, 400, { note: 'goodwill' })], P365, at(500));
    expect(lines.map((l) => [l.kind, l.points, l.balance, l.derived])).toEqual([
      ['adjust', 5, 5, false],
      ['expire', -30, 0, true], // the undone redemption's points came back as a fresh lot (day 11 + 365)
      ['expire', -70, 30, true],
      ['reversal', 30, 100, false],
      ['redeem', -30, 70, false],
      ['earn', 100, 100, false],
    ]);
    expect(lines.find((l) => l.id === redeem.id)?.reversed).toBe(30);
    expect(filterActivity(lines, { kinds: ['expire', 'adjust'] }).map((l) => l.balance)).toEqual([5, 0, 30]);
    expect(filterActivity(lines, { from: day(5), to: day(20) }).map((l) => l.kind)).toEqual(['reversal', 'redeem']);
  });
});

describe('ledger rules', () => {
  it('adjustment limits: cashier small, manager larger, owner any', () => {
    expect(adjustLimitFor('cashier', DEFAULT_PROGRAM)).toBe(100);
    expect(roleForAdjustment(-100, DEFAULT_PROGRAM)).toBe('cashier');
    expect(roleForAdjustment(101, DEFAULT_PROGRAM)).toBe('manager');
    expect(roleForAdjustment(1_000_000, DEFAULT_PROGRAM)).toBe('owner');
    // The manager's limit is the merchant's setting.
    expect(adjustLimitFor('manager', { cashierAdjustLimit: 100, managerAdjustLimit: 2_500 })).toBe(2_500);
    expect(roleForAdjustment(2_501, { cashierAdjustLimit: 100, managerAdjustLimit: 2_500 })).toBe('owner');
  });

  it('a reversal: an existing line of the same customer, once (derived id), at most its amount, opposite sign', () => {
    const redeem = entry('redeem', -300, 1);
    expect(reversalProblem(reversal(redeem, 2), redeem)).toBeNull();
    expect(reversalProblem(reversal(redeem, 2), null)).toMatch(/existing/);
    expect(reversalProblem(entry('reversal', 300, 2, { reversesId: redeem.id }), redeem)).toMatch(/derived/);
    expect(reversalProblem(reversal(redeem, 2, 301), redeem)).toMatch(/at most/);
    expect(reversalProblem(reversal(redeem, 2, -5), redeem)).toMatch(/opposite/);
    expect(reversalProblem(reversal(redeem, 2), { ...redeem, customerId: uuid(77) })).toMatch(/customer/);
  });

  it('an earn equals the programme’s points for its visit; a redemption its reward’s cost', () => {
    const visitId = uuid(900);
    const earn = entry('earn', 125, 1, { id: earnEntryId(visitId), visitId });
    const visit = { customerId: uuid(2), total: 125_999, pointsEarned: 125 };
    expect(earnProblem(earn, visit, [DEFAULT_PROGRAM])).toBeNull();
    expect(earnProblem({ ...earn, points: 156 }, { ...visit, pointsEarned: 156 }, [DEFAULT_PROGRAM])).toBeNull(); // silver × 1.25
    expect(earnProblem({ ...earn, points: 9_000 }, { ...visit, pointsEarned: 9_000 }, [DEFAULT_PROGRAM])).toMatch(/programme/);
    expect(earnProblem({ ...earn, visitId: null }, visit, [DEFAULT_PROGRAM])).toMatch(/names its visit/);
    const redeem = entry('redeem', -500, 5, { rewardId: uuid(901) });
    expect(redemptionProblem(redeem, { pointsCost: 500, updatedAt: day(0), _deleted: false })).toBeNull();
    expect(redemptionProblem(redeem, { pointsCost: 800, updatedAt: day(0), _deleted: false })).toMatch(/cost/);
    expect(redemptionProblem(redeem, null)).toMatch(/existing/);
  });

  it('a void’s impact: a negative result or a visit older than the programme’s approval age needs a manager', () => {
    expect(voidImpact({ occurredAt: day(0) }, 1500, 500, at(1), DEFAULT_PROGRAM)).toEqual({ points: -1500, balanceBefore: 500, balanceAfter: -1000, approval: 'negative' });
    expect(voidImpact({ occurredAt: day(0) }, 100, 500, at(31), DEFAULT_PROGRAM).approval).toBe('age');
    expect(voidImpact({ occurredAt: day(0) }, 100, 500, at(2), DEFAULT_PROGRAM).approval).toBeNull();
    // The merchant's own age, not a constant.
    expect(voidImpact({ occurredAt: day(0) }, 100, 500, at(8), { voidApprovalAgeDays: 7 }).approval).toBe('age');
    expect(voidImpact({ occurredAt: day(0) }, 100, 500, at(31), { voidApprovalAgeDays: 90 }).approval).toBeNull();
  });

  it('a redemption cannot spend expired points', () => {
    const ledger = [entry('earn', 600, 0)];
    const request = { entries: ledger, points: 500, online: true, dataAgeHours: 0, offlineRedeemedToday: 0 };
    expect(checkRedeem({ ...request, now: at(300) }, P365)).toEqual({ ok: true });
    expect(checkRedeem({ ...request, now: at(366) }, P365)).toEqual({ ok: false, code: 'INSUFFICIENT_POINTS' });
    expect(balanceOf(ledger)).toBe(600);
  });
});
