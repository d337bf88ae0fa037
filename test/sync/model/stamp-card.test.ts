import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerEntry, stampLine, stampReversal } from '../../../src/sync/model/document-builders.ts';
import { activityLines } from '../../../src/sync/model/loyalty-activity.ts';
import { LoyaltyEntrySchema, type LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import { balanceOf } from '../../../src/sync/model/loyalty.ts';
import { DEFAULT_PROGRAM, ProgramSchema, type Program } from '../../../src/sync/model/settings.ts';
import { StampCardSchema, programKinds, stampCardProgress, stampCount, stampsForVisit, type StampCard } from '../../../src/sync/model/stamp-card.ts';
import { maxStampsForVisit, stampProblem, stampRedemptionProblem, stampReversalProblem } from '../../../src/sync/model/stamp-rules.ts';

// Issue 18 item 5: stamp cards. The count is derived from the stamp lines (never stored), so any order of
// arrival, any replay and any two terminals give the same card; the rules the server checks them against.

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const CARD: StampCard = { per: 'visit', stamps: 1, items: [], minTotal: 0, cardSize: 10, reward: 'A free coffee' };
const ctxOf = (terminal: number, n: number) => ({
  merchantId: uuid(1), storeId: uuid(2), terminalId: uuid(terminal), staffId: uuid(5), offline: true,
  now: new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 60_000).toISOString(),
});
const visitOf = (n: number) => ({ id: uuid(1000 + n), customerId: uuid(9) });

describe('stamps earned by a visit', () => {
  it('per visit from the minimum total; per item by folded name, times quantity', () => {
    expect(stampsForVisit({ items: [], total: 40_000 }, { ...CARD, minTotal: 50_000 })).toBe(0);
    expect(stampsForVisit({ items: [], total: 50_000 }, { ...CARD, minTotal: 50_000, stamps: 2 })).toBe(2);
    const perItem: StampCard = { ...CARD, per: 'item', items: ['Coffee', 'قهوه'] };
    const items = [{ name: 'coffee ', quantity: 2 }, { name: 'COFFEE', quantity: 1 }, { name: 'قهوه', quantity: 1 }, { name: 'Coffee cake', quantity: 5 }];
    expect(stampsForVisit({ items, total: 1 }, perItem)).toBe(4);
    expect(stampsForVisit({ items, total: 1 }, { ...perItem, stamps: 3 })).toBe(12);
    expect(stampsForVisit({ items, total: 1 }, null)).toBe(0);
  });

  it('a programme stored before stamp cards runs points only; points off needs a stamp card', () => {
    expect(programKinds(DEFAULT_PROGRAM)).toEqual({ points: true, stampCard: null });
    expect(ProgramSchema.safeParse({ ...DEFAULT_PROGRAM, earnsPoints: false }).error?.issues.map((i) => i.message)).toEqual(['NOTHING_TO_EARN']);
    expect(ProgramSchema.safeParse({ ...DEFAULT_PROGRAM, earnsPoints: false, stampCard: CARD }).success).toBe(true);
    expect(StampCardSchema.safeParse({ ...CARD, per: 'item' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['items']);
    expect(StampCardSchema.safeParse({ ...CARD, cardSize: 1 }).success).toBe(false);
  });

  it('a stamp line carries stamps and no points; a points line no stamps', () => {
    const line = stampLine(visitOf(1), 2, ctxOf(3, 0))!;
    expect(LoyaltyEntrySchema.safeParse({ ...line, points: 5 }).success).toBe(false);
    expect(LoyaltyEntrySchema.safeParse({ ...line, stamps: -1 }).success).toBe(false);
    expect(LoyaltyEntrySchema.safeParse({ ...line, kind: 'stamp_redeem', visitId: null }).success).toBe(false);
    expect(LoyaltyEntrySchema.safeParse({ ...line, kind: 'earn', points: 5 }).success).toBe(false);
    expect(stampLine(visitOf(1), 0, ctxOf(3, 0))).toBeNull();
    // Stamp lines are out of every points sum and out of the points activity.
    expect(balanceOf([line])).toBe(0);
    expect(activityLines([line], DEFAULT_PROGRAM, new Date())).toEqual([]);
  });
});

describe('the stamp rules the server checks', () => {
  const program: Program = { ...DEFAULT_PROGRAM, stampCard: { ...CARD, per: 'item', items: ['Coffee'] } };
  const visit = { customerId: uuid(9), items: [{ name: 'Coffee', quantity: 2, unitPrice: 1 }], total: 2 };
  it('a visit stamps at most what a programme the merchant had gives it; a card is redeemed whole', () => {
    expect(maxStampsForVisit(visit, [DEFAULT_PROGRAM, program])).toBe(2);
    const line = stampLine({ id: uuid(77), customerId: uuid(9) }, 2, ctxOf(3, 0))!;
    expect(stampProblem(line, visit, [program])).toBeNull();
    expect(stampProblem(line, null, [program])).toBeNull(); // held until the visit arrives
    expect(stampProblem({ ...line, stamps: 3 }, visit, [program])).toMatch(/more stamps/);
    expect(stampProblem(line, visit, [DEFAULT_PROGRAM])).toMatch(/more stamps/);
    expect(stampProblem({ ...line, id: uuid(78) }, visit, [program])).toMatch(/id derived/);
    const redeem = ledgerEntry({ kind: 'stamp_redeem', points: 0, stamps: -10, customerId: uuid(9) }, ctxOf(3, 0));
    expect(stampRedemptionProblem(redeem, [program])).toBeNull();
    expect(stampRedemptionProblem({ ...redeem, stamps: -9 }, [program])).toMatch(/one full card/);
    expect(stampRedemptionProblem(redeem, [DEFAULT_PROGRAM])).toMatch(/one full card/);
    const back = stampReversal({ id: uuid(77), customerId: uuid(9) }, 2, ctxOf(3, 1));
    expect(stampReversalProblem(back, line)).toBeNull();
    expect(stampReversalProblem({ ...back, stamps: -3 }, line)).toMatch(/at most/);
    expect(stampReversalProblem(back, null)).toMatch(/existing stamp line/);
  });
});

/** What a terminal does: record a visit (stamps), void one of its visits, or redeem a full card as it sees it. */
type Op = { terminal: 0 | 1; kind: 'visit'; stamps: number } | { terminal: 0 | 1; kind: 'void'; pick: number } | { terminal: 0 | 1; kind: 'redeem' } | { kind: 'sync'; from: 0 | 1 };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ terminal: fc.constantFrom<0 | 1>(0, 1), kind: fc.constant('visit' as const), stamps: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ terminal: fc.constantFrom<0 | 1>(0, 1), kind: fc.constant('void' as const), pick: fc.nat() }),
  fc.record({ terminal: fc.constantFrom<0 | 1>(0, 1), kind: fc.constant('redeem' as const) }),
  fc.record({ kind: fc.constant('sync' as const), from: fc.constantFrom<0 | 1>(0, 1) }),
);

/** Two offline terminals replaying `ops`: each holds its own lines by id (a replay overwrites, never adds). */
function play(ops: readonly Op[], card: StampCard) {
  const replicas = [new Map<string, LoyaltyEntry>(), new Map<string, LoyaltyEntry>()];
  const truth = { stamped: 0, reversed: 0, redeemed: 0 };
  let n = 0;
  for (const op of ops) {
    n += 1;
    if (op.kind === 'sync') {
      for (const line of replicas[op.from]!.values()) replicas[1 - op.from]!.set(line.id, line);
      continue;
    }
    const local = replicas[op.terminal]!;
    const ctx = ctxOf(op.terminal === 0 ? 3 : 4, -n); // clocks run backwards: business time orders nothing
    if (op.kind === 'visit') {
      const line = stampLine(visitOf(n), op.stamps, ctx)!;
      local.set(line.id, line);
      truth.stamped += op.stamps;
    } else if (op.kind === 'void') {
      const stamps = [...local.values()].filter((e) => e.kind === 'stamp');
      const target = stamps[op.pick % Math.max(1, stamps.length)];
      const reversal = target ? stampReversal({ id: target.visitId!, customerId: target.customerId }, target.stamps!, ctx) : null;
      // The reversal's id derives from the line: voiding on both terminals writes one reversal, not two.
      if (reversal && !local.has(reversal.id) && ![...replicas[1 - op.terminal]!.values()].some((e) => e.id === reversal.id)) truth.reversed += target!.stamps!;
      if (reversal) local.set(reversal.id, reversal);
    } else if (stampCardProgress([...local.values()], card).full) {
      const line = ledgerEntry({ kind: 'stamp_redeem', points: 0, stamps: -card.cardSize, customerId: uuid(9) }, ctx);
      local.set(line.id, line);
      truth.redeemed += 1;
    }
  }
  return { replicas, truth };
}

describe('the derived stamp count', () => {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
  it(`two offline terminals converge on the exact count, in any order of arrival (fast-check seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer({ min: 2, max: 6 }), fc.func(fc.integer()), (ops, cardSize, key) => {
        const card = { ...CARD, cardSize };
        const { replicas, truth } = play(ops, card);
        // Both ways synced: the same lines, whichever order they arrive in and however often.
        const all = new Map([...replicas[0]!, ...replicas[1]!]);
        const lines = [...all.values()];
        const shuffled = [...lines].sort((a, b) => key(a.id) - key(b.id));
        const replayed = new Map([...shuffled, ...lines].map((e) => [e.id, e]));
        const count = stampCount(lines);
        expect(stampCount(shuffled)).toBe(count);
        expect(stampCount([...replayed.values()])).toBe(count);
        // Nothing lost, nothing doubled: every stamp given, minus those taken back by voids and by redeemed cards.
        expect(count).toBe(truth.stamped - truth.reversed - truth.redeemed * cardSize);
        const progress = stampCardProgress(lines, card);
        expect(progress.onCard).toBeGreaterThanOrEqual(0);
        expect(progress.onCard).toBeLessThanOrEqual(cardSize);
        expect(progress.full).toBe(count >= cardSize);
        expect(progress.onCard + progress.carried).toBe(Math.max(0, count));
        // A tombstoned line (the server refused it) leaves the count.
        if (lines[0]) expect(stampCount([{ ...lines[0], _deleted: true }, ...lines.slice(1)])).toBe(count - (lines[0].stamps ?? 0));
        // Without a redemption a count is never negative: a reversal takes back only what its line gave, once.
        for (const replica of replicas) if (![...replica.values()].some((e) => e.kind === 'stamp_redeem')) expect(stampCount([...replica.values()])).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150, seed },
    );
  });

  it('a full card redeemed starts the next card with the stamps past it', () => {
    const lines = [stampLine(visitOf(1), 7, ctxOf(3, 0))!, stampLine(visitOf(2), 5, ctxOf(3, 1))!];
    expect(stampCardProgress(lines, CARD)).toMatchObject({ count: 12, onCard: 10, full: true, carried: 2 });
    lines.push(ledgerEntry({ kind: 'stamp_redeem', points: 0, stamps: -10, customerId: uuid(9) }, ctxOf(3, 2)));
    expect(stampCardProgress(lines, CARD)).toMatchObject({ count: 2, onCard: 2, full: false, carried: 0 });
  });
});
