import fc from 'fast-check';
import type { AnalyticsChange, AnalyticsSettings } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import type { CustomerLike, EntryLike, RewardLike, VisitLike } from '../../../src/renderer/features/analytics/compute/replica.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { dayKey, DAY_MS } from '../../../src/renderer/features/analytics/compute/time.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import { uid } from './fixture.ts';

// Random histories of a replica for the aggregator's property tests (aggregator.test.ts, group.test.ts):
// operations on seven customers and two stores, replayed into the change each produced and the final documents.

export const NOW = Date.parse('2025-03-20T12:00:00.000Z');
export const STORES = [uid(1), uid(2)] as const;
export const iso = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const minute = fc.integer({ min: -300 * 24 * 60, max: 2 * 24 * 60 });

export type Op =
  | { op: 'visit'; customer: number; store: number; at: number; total: number; voided: boolean; rating: number | null }
  | { op: 'void'; pick: number }
  | { op: 'feedback'; pick: number; rating: number }
  | { op: 'entry'; customer: number; store: number; kind: string; points: number; at: number }
  | { op: 'customer'; customer: number; prior: number | null }
  | { op: 'merge'; customer: number; into: number }
  | { op: 'unmerge'; customer: number }
  | { op: 'erase'; customer: number }
  | { op: 'reward'; cost: number; value: number; active: boolean }
  | { op: 'replay'; pick: number };

export const customerIx = fc.integer({ min: 0, max: 6 });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('visit' as const), customer: customerIx, store: fc.integer({ min: 0, max: 1 }), at: minute, total: fc.integer({ min: 0, max: 9_000_000 }), voided: fc.integer({ min: 0, max: 9 }).map((n) => n < 2), rating: fc.option(fc.integer({ min: 1, max: 5 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('void' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('feedback' as const), pick: fc.nat(), rating: fc.integer({ min: 1, max: 5 }) }) },
  {
    weight: 3,
    arbitrary: fc
      .record({ customer: customerIx, store: fc.integer({ min: 0, max: 1 }), kind: fc.constantFrom('earn', 'redeem', 'adjust', 'reversal', 'expire'), size: fc.integer({ min: 1, max: 3000 }), negative: fc.boolean(), at: minute })
      .map(({ kind, size, negative, ...rest }) => ({ op: 'entry' as const, kind, points: kind === 'earn' ? size : kind === 'redeem' || kind === 'expire' ? -size : negative ? -size : size, ...rest })),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('customer' as const), customer: customerIx, prior: fc.option(fc.integer({ min: 0, max: 40 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('merge' as const), customer: customerIx, into: customerIx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unmerge' as const), customer: customerIx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('erase' as const), customer: customerIx }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reward' as const), cost: fc.integer({ min: 1, max: 1000 }), value: fc.integer({ min: 0, max: 100_000 }), active: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat() }) },
);

/** The id of customer `i` of the histories. */
export const customerIdOf = (i: number): string => uid(100 + i);

/** Replays operations on documents, returning the change (the document's new state) each produced. */
export function replay(ops: readonly Op[]) {
  let seq = 5000;
  const customers = new Map<string, CustomerLike>();
  const visits = new Map<string, VisitLike>();
  const entries = new Map<string, EntryLike>();
  const rewards = new Map<string, RewardLike>();
  const changes: AnalyticsChange[] = [];
  const upsertCustomer = (id: string, patch: Partial<CustomerLike>) => {
    const doc: CustomerLike = { ...(customers.get(id) ?? { id, name: `c${id.slice(-3)}`, phone: `+9891200${id.slice(-5)}`, mergedInto: null, _deleted: false }), ...patch };
    customers.set(id, doc);
    changes.push({ collection: 'customers', doc });
  };
  for (const op of ops) {
    const visitList = [...visits.values()];
    switch (op.op) {
      case 'visit': {
        const doc: VisitLike = { id: uid(seq++), customerId: customerIdOf(op.customer), storeId: STORES[op.store]!, occurredAt: iso(op.at), total: op.total, voided: op.voided, feedback: op.rating ? { rating: op.rating } : null, _deleted: false };
        visits.set(doc.id, doc);
        changes.push({ collection: 'visits', doc });
        break;
      }
      case 'void':
      case 'feedback': {
        const target = visitList[op.pick % Math.max(1, visitList.length)];
        if (!target) break;
        const doc = op.op === 'void' ? { ...target, voided: true } : target.feedback ? target : { ...target, feedback: { rating: op.rating } };
        visits.set(doc.id, doc);
        changes.push({ collection: 'visits', doc });
        break;
      }
      case 'entry': {
        const doc: EntryLike = { id: uid(seq++), customerId: customerIdOf(op.customer), storeId: STORES[op.store]!, kind: op.kind, points: op.points, occurredAt: iso(op.at), _deleted: false };
        entries.set(doc.id, doc);
        changes.push({ collection: 'loyaltyEntries', doc });
        break;
      }
      case 'customer':
        // Visits before Patron set, changed or left absent (an older document has none).
        upsertCustomer(customerIdOf(op.customer), { name: `renamed ${seq++}`, ...(op.prior === null ? {} : { priorVisits: op.prior }) });
        break;
      case 'merge':
        upsertCustomer(customerIdOf(op.customer), { mergedInto: customerIdOf(op.into) });
        break;
      case 'unmerge':
        upsertCustomer(customerIdOf(op.customer), { mergedInto: null });
        break;
      case 'erase':
        upsertCustomer(customerIdOf(op.customer), { _deleted: true });
        break;
      case 'reward': {
        const doc: RewardLike = { id: uid(seq++), pointsCost: op.cost, value: op.value, active: op.active, _deleted: false };
        rewards.set(doc.id, doc);
        changes.push({ collection: 'rewards', doc });
        break;
      }
      case 'replay': {
        // A repeated event (or a document both streamed and seen on the change stream) carries the
        // document's current state: it must change nothing.
        const again = changes[op.pick % Math.max(1, changes.length)];
        if (!again) break;
        const stores = { customers, visits, loyaltyEntries: entries, rewards } as const;
        const current = stores[again.collection].get(again.doc.id)!;
        changes.push({ collection: again.collection, doc: current } as AnalyticsChange);
        break;
      }
    }
  }
  return { changes, final: { customers: [...customers.values()], visits: [...visits.values()], loyaltyEntries: [...entries.values()], rewards: [...rewards.values()] } };
}

/** What a cold load of the replica holds after `changes`: each document once, in its latest state. */
export function coldLoad(changes: readonly AnalyticsChange[]) {
  const loaded = replay([]).final;
  const latest = new Map<string, AnalyticsChange>();
  for (const change of changes) latest.set(`${change.collection}:${change.doc.id}`, change);
  for (const change of latest.values()) (loaded[change.collection] as unknown[]).push(change.doc);
  return loaded;
}

export const settingsArb = fc.record({
  timeZone: fc.constantFrom('Asia/Tehran', 'America/New_York', 'UTC'),
  segments: fc.record({
    newDays: fc.integer({ min: 1, max: 60 }),
    windowDays: fc.integer({ min: 7, max: 200 }),
    regularMinVisits: fc.integer({ min: 1, max: 3 }),
    vipMinVisits: fc.integer({ min: 3, max: 5 }),
    vipMinSpend: fc.integer({ min: 0, max: 10_000_000 }),
    atRiskDays: fc.integer({ min: 1, max: 60 }),
    churnedDays: fc.integer({ min: 61, max: 200 }),
  }),
}).map(({ timeZone, segments }): AnalyticsSettings => ({ timeZone, currency: 'IRR', program: DEFAULT_PROGRAM, segments }));

export const queryArb = fc.record({
  start: fc.integer({ min: -320, max: 3 }),
  length: fc.integer({ min: 1, max: 200 }),
  store: fc.constantFrom<string | null>(null, STORES[0], STORES[1], uid(3)),
  calendar: fc.constantFrom('gregory' as const, 'persian' as const),
  listLimit: fc.integer({ min: 1, max: 8 }),
}).map(({ start, length, store, calendar, listLimit }): AnalyticsQuery => {
  const day = Math.floor(NOW / DAY_MS) + start;
  return { from: dayKey(day), to: dayKey(day + length), storeId: store, now: new Date(NOW).toISOString(), calendar, listLimit };
});
