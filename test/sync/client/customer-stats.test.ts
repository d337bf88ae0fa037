import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createStatsIndex } from '../../../src/sync/client/customer-stats.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { replicaStream } from '../../../src/sync/client/queries/replica-stream.ts';
import type { CustomerStats } from '../../../src/sync/model/customer-filter.ts';
import { buildCustomerStats } from '../../../src/sync/model/customer-stats.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { ledgerEntry, newCustomer, newVisit } from '../../../src/sync/model/document-builders.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, type Settings } from '../../../src/sync/model/settings.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';
import { FIXED_CONTEXT } from '../../helpers/documents.ts';

// The customers list's statistics are derived again only for the merge groups a change touches; whatever the
// changes (sign-ups, edits, merges and undone merges, deletes, visits voided or moved, ledger lines) and however
// the clock moves (segments and expiring points), the result must equal a full derivation of every customer from
// the same documents at the same time (model buildCustomerStats).

const ctx = FIXED_CONTEXT;
// Points expire, so the clock moves the points as well as the segments.
const SETTINGS = { timeZone: 'Asia/Tehran', program: { ...DEFAULT_PROGRAM, expiryDays: 60 }, segments: DEFAULT_SEGMENT_RULES } as unknown as Settings;
const NOW = new Date('2025-03-21T10:00:00.000Z');

type Op =
  | { kind: 'signUp'; mergedInto: number | null }
  | { kind: 'rename'; who: number }
  | { kind: 'merge'; who: number; into: number | null }
  | { kind: 'delete'; who: number }
  | { kind: 'visit'; who: number; amount: number; daysAgo: number }
  | { kind: 'void'; which: number }
  | { kind: 'move'; which: number; who: number }
  | { kind: 'dropVisit'; which: number }
  | { kind: 'points'; who: number; points: number }
  | { kind: 'tick'; hours: number }
  | { kind: 'read' };

const who = fc.nat(40);
// Regrouping changes (a merge, a delete, a sign-up merged at once) derive every group again: they are rarer, so
// most reads follow changes kept incrementally.
const OP: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('signUp' as const), mergedInto: fc.option(who, { nil: null, freq: 8 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('rename' as const), who }), weight: 2 },
  fc.record({ kind: fc.constant('merge' as const), who, into: fc.option(who, { nil: null }) }),
  fc.record({ kind: fc.constant('delete' as const), who }),
  { arbitrary: fc.record({ kind: fc.constant('visit' as const), who, amount: fc.integer({ min: 1, max: 500_000 }), daysAgo: fc.oneof(fc.nat(100), fc.nat(400)) }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('void' as const), which: fc.nat(200) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('move' as const), which: fc.nat(200), who }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('dropVisit' as const), which: fc.nat(200) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('points' as const), who, points: fc.integer({ min: -300, max: 300 }).filter((p) => p !== 0) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('tick' as const), hours: fc.integer({ min: 1, max: 24 * 30 }) }), weight: 5 },
  { arbitrary: fc.constant({ kind: 'read' as const }), weight: 6 },
);

const byId = (rows: readonly CustomerStats[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));

let db: PatronDatabase | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

/** The test's clock: the index and the full derivation read it; `tick` moves it on. */
let clock = NOW;

async function apply(replica: PatronDatabase, op: Op, ids: string[], visitIds: string[], n: number): Promise<void> {
  const at = (i: number) => ids[i % Math.max(ids.length, 1)];
  const stamp = { ...ctx, now: new Date(clock.getTime() - 1000 + n).toISOString() };
  switch (op.kind) {
    case 'signUp': {
      const { _deleted, ...doc } = newCustomer({ phone: `0912${String(1_000_000 + ids.length).slice(-7)}`, name: `Customer ${ids.length}` }, stamp, 'IR');
      const into = op.mergedInto === null ? undefined : at(op.mergedInto);
      await replica.customers.insert({ ...doc, mergedInto: into ?? null });
      ids.push(doc.id);
      return;
    }
    case 'rename':
    case 'merge':
    case 'delete': {
      const doc = ids.length > 0 ? await replica.customers.findOne(at(op.who)).exec() : null;
      if (!doc) return;
      if (op.kind === 'delete') await doc.remove();
      else if (op.kind === 'rename') await doc.incrementalPatch({ name: `${doc.name}!`, tags: [...doc.tags, 'x'].slice(0, 3) });
      else await doc.incrementalPatch({ mergedInto: op.into === null ? null : (at(op.into) ?? null) });
      return;
    }
    case 'visit': {
      const customerId = at(op.who);
      if (!customerId) return;
      const { visit, earn } = newVisit({ customerId, items: [], amount: op.amount, currency: 'IRR', paymentMethod: 'cash' }, Math.floor(op.amount / 10_000), { ...stamp, now: new Date(clock.getTime() - op.daysAgo * 86_400_000).toISOString() });
      const { _deleted, ...plain } = visit;
      await replica.visits.insert(plain);
      if (earn) {
        const { _deleted: _d, ...line } = earn;
        await replica.loyaltyEntries.insert(line);
      }
      visitIds.push(visit.id);
      return;
    }
    case 'void':
    case 'move':
    case 'dropVisit': {
      const doc = visitIds.length > 0 ? await replica.visits.findOne(visitIds[op.which % visitIds.length]!).exec() : null;
      if (!doc) return;
      if (op.kind === 'dropVisit') await doc.remove();
      else if (op.kind === 'void') await doc.incrementalPatch({ voided: true, voidedAt: stamp.now, voidedBy: ctx.staffId });
      else await doc.incrementalPatch({ customerId: at(op.who) ?? doc.customerId });
      return;
    }
    case 'points': {
      const customerId = at(op.who);
      if (!customerId) return;
      const { _deleted, ...line } = ledgerEntry({ kind: 'adjust', points: op.points, customerId, note: '' }, stamp);
      await replica.loyaltyEntries.insert(line);
      return;
    }
    case 'tick':
      clock = new Date(clock.getTime() + op.hours * 3_600_000);
      return;
    case 'read':
      return;
  }
}

describe('the customers list statistics, kept current from the changes', () => {
  it('equal a full derivation after any sequence of changes (property)', async () => {
    enableDevMode();
    const seed = Number(process.env.PATRON_SEED ?? Date.now() % 1_000_000_000);
    console.log(`customer-stats property seed ${seed} (PATRON_SEED=${seed} to replay)`);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(OP, { minLength: 20, maxLength: 80, size: 'max' }), async (ops) => {
        await db?.close();
        db = await createPatronDatabase({ name: `stats${run++}x${seed}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries'] });
        clock = NOW;
        const index = createStatsIndex(replicaStream(db), () => SETTINGS, () => clock);
        const ids: string[] = [];
        const visitIds: string[] = [];
        try {
          for (const [n, op] of ops.entries()) {
            await apply(db, op, ids, visitIds, n);
            if (op.kind !== 'read') continue;
            const sources = await index.sources();
            expect(byId(await index.rows())).toEqual(byId(buildCustomerStats(sources, SETTINGS, clock)));
          }
          const sources = await index.sources();
          expect(byId(await index.rows())).toEqual(byId(buildCustomerStats(sources, SETTINGS, clock)));
        } finally {
          index.stop();
        }
      }),
      { seed, numRuns: 60 },
    );
  }, 120_000);

  it('derives only the group a visit touched: the other rows stay the same objects', async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `statsone${Date.now()}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries'] });
    const customers: Customer[] = [];
    for (let i = 0; i < 5; i++) {
      const { _deleted, ...doc } = newCustomer({ phone: `0912${String(2_000_000 + i)}`, name: `Customer ${i}` }, ctx, 'IR');
      await db.customers.insert(doc);
      customers.push({ ...doc, _deleted: false });
    }
    const index = createStatsIndex(replicaStream(db), () => SETTINGS, () => NOW);
    const before = await index.rows();
    const { visit } = newVisit({ customerId: customers[2]!.id, items: [], amount: 90_000, currency: 'IRR', paymentMethod: 'cash' }, 0, ctx);
    const { _deleted, ...plain } = visit;
    await db.visits.insert(plain);
    const after = await index.rows();
    expect(after).not.toBe(before);
    expect(after.map((row, i) => row === before[i])).toEqual([true, true, false, true, true]);
    expect(after[2]).toMatchObject({ id: customers[2]!.id, visits: 1, spend: visit.total });
    index.stop();
  });
});
