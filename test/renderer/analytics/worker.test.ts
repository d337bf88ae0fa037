import { randomBytes } from 'node:crypto';
import { replicaStream } from '../../../src/sync/client/queries/replica-stream.ts';
import { BehaviorSubject, filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsClient, type AnalyticsClient, type WorkerLike } from '../../../src/renderer/features/analytics/analytics-client.ts';
import { packCustomers, packLoyaltyEntries, packVisits, type VisitLike } from '../../../src/renderer/features/analytics/compute/input-shapes.ts';
import { EMPTY_FILTER } from '../../../src/sync/model/customer-filter.ts';
import type { AnalyticsQuery } from '../../../src/renderer/features/analytics/compute/schema.ts';
import { createAnalyticsHandler } from '../../../src/renderer/workers/analytics-handler.ts';
import type { FromWorker } from '../../../src/renderer/workers/analytics-messages.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../../src/sync/client/database.ts';
import { newCustomer, newVisit, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, type Settings } from '../../../src/sync/model/settings.ts';
import { recordQueryPlans } from '../../helpers/query-plans.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

// The analytics worker end to end in Node: a real RxDB replica (memory storage with schema validation), the
// page-side client streaming it and forwarding its change streams, and the worker's message handler — the same
// module the Web Worker binds to `self` — behind an in-process stand-in that structured-clones every message
// both ways (transferring what the page transfers: its buffers are detached afterwards, as in a browser) and
// delivers it asynchronously, as postMessage does.

function inProcessWorker(): WorkerLike {
  const worker: WorkerLike = {
    onmessage: null,
    postMessage: (message, transfer) => {
      const copy = structuredClone(message, { transfer });
      setTimeout(() => handler.handle(copy), 0);
    },
    terminate: () => {},
  };
  const handler = createAnalyticsHandler((answer) => {
    const copy = structuredClone(answer);
    setTimeout(() => worker.onmessage?.({ data: copy }), 0);
  });
  return worker;
}

const merchantId = newId();
const storeId = newId();
const ctx = (now: string): WriteContext => ({ merchantId, storeId, terminalId: newId(), staffId: newId(), now, offline: false });
const local = <T extends { _deleted: boolean }>(doc: T): Omit<T, '_deleted'> => {
  const { _deleted, ...rest } = doc;
  return rest;
};
const settings: Settings = {
  id: merchantId, merchantId, updatedAt: '2025-01-01T00:00:00.000Z', _deleted: false, businessName: 'Café', currency: 'IRR', currencyDisplay: 'rial', defaultRegion: 'IR',
  locale: 'fa', timeZone: 'Asia/Tehran', stores: [{ id: storeId, name: 'Vanak', address: '' }], program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES, tagCatalogue: [],
  updatedBy: merchantId, conflicts: [],
};
const QUERY: AnalyticsQuery = { from: '2025-06-01', to: '2025-06-16', storeId: null, now: '2025-06-15T12:00:00.000Z', calendar: 'persian', listLimit: 10 };

describe('analytics worker end to end (client + protocol + handler over a real replica)', () => {
  let db: PatronDatabase;
  let client: AnalyticsClient;
  const [ali, sara, saraAgain] = [
    newCustomer({ phone: '09121111111', name: 'علی رضایی' }, ctx('2025-06-01T08:00:00.000Z'), 'IR'),
    newCustomer({ phone: '09122222222', name: 'سارا احمدی' }, ctx('2025-06-02T08:00:00.000Z'), 'IR'),
    newCustomer({ phone: '09123333333', name: 'سارا احمدی' }, ctx('2025-06-03T08:00:00.000Z'), 'IR'),
  ] as const;
  const firstVisit = newVisit({ customerId: ali.id, items: [], amount: 200_000, currency: 'IRR', paymentMethod: 'cash' }, 200, ctx('2025-06-02T08:00:00.000Z'));

  const nextVersion = (after: number) => firstValueFrom(client.state$.pipe(filter((s) => s.ready && s.version > after)));

  beforeAll(async () => {
    enableDevMode();
    db = await createPatronDatabase({ name: `a${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries', 'rewards'] });
    await db.customers.bulkInsert([ali, sara, saraAgain].map(local));
    await db.visits.bulkInsert([
      local(firstVisit.visit),
      local(newVisit({ customerId: sara.id, items: [], amount: 100_000, currency: 'IRR', paymentMethod: 'card' }, 100, ctx('2025-06-05T08:00:00.000Z')).visit),
      local(newVisit({ customerId: saraAgain.id, items: [], amount: 50_000, currency: 'IRR', paymentMethod: 'card' }, 50, ctx('2025-06-06T08:00:00.000Z')).visit),
    ]);
    await db.loyaltyEntries.insert(local(firstVisit.earn!));
    // Page size 2: the stream pages through every collection.
    client = createAnalyticsClient({ replica: replicaStream(db), settings$: new BehaviorSubject(settings), worker: inProcessWorker(), pageSize: 2 });
    await client.streamed;
    await firstValueFrom(client.state$.pipe(filter((s) => s.ready)));
  });
  afterAll(async () => {
    client?.close();
    await db?.remove();
  });

  it('streams the replica and answers validated snapshots', async () => {
    const state = await firstValueFrom(client.state$);
    expect(state.loaded).toEqual({ customers: 3, visits: 3, loyaltyEntries: 1, rewards: 0 });
    const snapshot = await client.snapshot(QUERY);
    expect(snapshot.kpis).toMatchObject({ visits: 3, revenue: 350_000, activeCustomers: 3, newCustomers: 3 });
    expect(snapshot.loyalty.outstanding).toBe(200);
    // Persian calendar: the last cohort is Khordad 1404, which starts on 2025-05-22.
    expect(snapshot.cohorts.at(-1)).toEqual({ monthStart: '2025-05-22', size: 3, retained: [3] });
  });

  it('updates incrementally from the change streams: a new visit, a void, a merge', async () => {
    let version = (await firstValueFrom(client.state$)).version;
    let changed = nextVersion(version);
    const second = newVisit({ customerId: ali.id, items: [], amount: 300_000, currency: 'IRR', paymentMethod: 'card' }, 300, ctx('2025-06-10T08:00:00.000Z'));
    await db.visits.insert(local(second.visit));
    version = (await changed).version;
    let snapshot = await client.snapshot(QUERY);
    expect(snapshot.kpis).toMatchObject({ visits: 4, revenue: 650_000 });
    expect(snapshot.topCustomers[0]).toMatchObject({ id: ali.id, periodVisits: 2, periodSpend: 500_000 });

    changed = nextVersion(version);
    const stored = await db.visits.findOne(second.visit.id).exec();
    await stored!.incrementalPatch({ voided: true, voidedAt: '2025-06-10T09:00:00.000Z', voidedBy: second.visit.staffId, voidReason: 'wrong till' });
    version = (await changed).version;
    snapshot = await client.snapshot(QUERY);
    expect(snapshot.kpis).toMatchObject({ visits: 3, revenue: 350_000, voidedVisits: 1 });

    // The server merged the duplicate Sara: one customer, two visits.
    changed = nextVersion(version);
    const duplicate = await db.customers.findOne(saraAgain.id).exec();
    await duplicate!.incrementalPatch({ mergedInto: sara.id });
    await changed;
    snapshot = await client.snapshot(QUERY);
    expect(snapshot.kpis).toMatchObject({ activeCustomers: 2, customers: 2 });
    expect(snapshot.frequency.find((f) => f.bucket === '2')?.customers).toBe(1);
    const members = await client.members(QUERY, { kind: 'segment', segment: 'new' });
    expect(members.map((m) => m.name)).toEqual(['علی رضایی', 'سارا احمدی']);
    expect(members[1]).toMatchObject({ id: sara.id, visits: 2, spend: 150_000 });
  });

  it('restricts every figure to a saved group’s members; a group asked without them is a typed error', async () => {
    const group = { id: newId(), filter: { ...EMPTY_FILTER, visitsMin: 2 } };
    const query: AnalyticsQuery = { ...QUERY, group };
    await expect(client.snapshot(query)).rejects.toMatchObject({ name: 'AnalyticsError', code: 'BAD_QUERY' });
    // Sara and her merged duplicate: two visits, one customer.
    const snapshot = await client.snapshot(query, [sara.id]);
    expect(snapshot.query.group).toEqual(group);
    expect(snapshot.kpis).toMatchObject({ visits: 2, revenue: 150_000, activeCustomers: 1, customers: 1 });
    expect(snapshot.loyalty).toMatchObject({ earned: 0, outstanding: 0 });
    expect((await client.members(query, { kind: 'clv' })).map((row) => row.id)).toEqual([sara.id]);
    expect((await client.snapshot(QUERY)).kpis).toMatchObject({ visits: 3, customers: 2 });
  });

  it('answers a bad period with a typed error', async () => {
    await expect(client.snapshot({ ...QUERY, to: QUERY.from })).rejects.toMatchObject({ name: 'AnalyticsError', code: 'BAD_QUERY' });
  });
});

describe('analytics stream', () => {
  it('reads the replica in index-range pages; a visit written during the stream counts once, as last written', async () => {
    const db = await createPatronDatabase({ name: `a${randomBytes(4).toString('hex')}`, storage: testStorage(), rejected: new RejectedRows(), collections: ['customers', 'visits', 'loyaltyEntries', 'rewards'] });
    const worker = inProcessWorker();
    let client: AnalyticsClient | null = null;
    try {
      const ali = newCustomer({ phone: '09121111111', name: 'علی رضایی' }, ctx('2025-06-01T08:00:00.000Z'), 'IR');
      await db.customers.insert(local(ali));
      // Every fifth visit has feedback: the worker gets its rating (and only what the analytics read).
      const visits = Array.from({ length: 40 }, (_, i) => {
        const visit = local(newVisit({ customerId: ali.id, items: [], amount: 10_000, currency: 'IRR', paymentMethod: 'cash' }, 10, ctx(`2025-06-0${1 + (i % 9)}T08:00:00.000Z`)).visit);
        return i % 5 === 4 ? { ...visit, feedback: { rating: 2 + (i % 3), comment: 'خوب بود' } } : visit;
      });
      await db.visits.bulkInsert(visits);
      const recorder = recordQueryPlans(db.visits);
      // As soon as the first page of visits leaves, void a visit in it: the write moves it to the end of the
      // scan's order, where the stream meets it again.
      let voided: Promise<unknown> | null = null;
      // Each page of visits goes as columns whose one buffer is transferred (the page's copy detached).
      const transferred: boolean[] = [];
      const post = worker.postMessage;
      worker.postMessage = (message, transfer) => {
        const m = message as { type: string; collection?: string; columns?: { id: string[]; total: Float64Array } };
        if (!voided && m.type === 'load' && m.collection === 'visits') {
          const id = m.columns!.id[0]!;
          voided = db.visits.findOne(id).exec().then((doc) => doc!.incrementalPatch({ voided: true, voidedAt: '2025-06-10T09:00:00.000Z', voidedBy: ali.id, voidReason: 'test' }));
        }
        post(message, transfer);
        if (m.type === 'load' && m.collection === 'visits') transferred.push(transfer?.length === 1 && m.columns!.total.length === 0);
      };
      client = createAnalyticsClient({ replica: replicaStream(db), settings$: new BehaviorSubject(settings), worker, pageSize: 1 });
      await client.streamed;
      await voided;
      recorder.stop();
      await firstValueFrom(client.state$.pipe(filter((s) => s.ready && s.version > 1)));
      for (const plan of recorder.plans) expect(plan).toMatchObject({ sortSatisfiedByIndex: true });
      expect(recorder.plans.length).toBeGreaterThan(40);
      expect(transferred).toHaveLength(40); // pages of 1, each visit once (met again after its void, it is left to the changes)
      expect(transferred.every(Boolean)).toBe(true);
      const snapshot = await client.snapshot(QUERY);
      expect(snapshot.kpis).toMatchObject({ visits: 39, voidedVisits: 1, revenue: 390_000 });
      // Ratings 3, 2, 4, 3, 2, 4, 3, 2 (i = 4, 9, …, 39); the voided visit (the first page's) has none.
      expect(snapshot.feedback).toEqual({ count: 8, average: 23 / 8, distribution: [0, 3, 3, 2, 0] });
    } finally {
      client?.close();
      await db.remove();
    }
  });
});

describe('analytics worker protocol', () => {
  const run = (messages: unknown[]): FromWorker[] => {
    const out: FromWorker[] = [];
    const handler = createAnalyticsHandler((message) => out.push(message));
    for (const message of messages) handler.handle(message);
    return out;
  };
  const init = { type: 'init', settings: { timeZone: 'UTC', currency: 'IRR', program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES } };

  it('refuses what it cannot read, and requests before init', () => {
    expect(run([{ type: 'nonsense' }])[0]).toMatchObject({ type: 'error', id: null, code: 'INVALID_MESSAGE' });
    expect(run([{ type: 'snapshot', id: 7, query: { ...QUERY, extra: 1 } }])[0]).toMatchObject({ type: 'error', id: 7, code: 'INVALID_MESSAGE' });
    expect(run([{ type: 'snapshot', id: 3, query: QUERY }])[0]).toMatchObject({ type: 'error', id: 3, code: 'NOT_READY' });
    // Program rules are validated too: thresholds must increase.
    const badProgram = { ...init.settings.program, tiers: init.settings.program.tiers.map((t) => ({ ...t, threshold: 0 })) };
    expect(run([{ ...init, settings: { ...init.settings, program: badProgram } }])[0]).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    // A group's members are a list; its filter is a customer filter (a reversed range is not one).
    const group = { id: newId(), filter: { ...EMPTY_FILTER, visitsMin: 2 } };
    expect(run([init, { type: 'group', group, members: 'everyone' }]).at(-1)).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(run([init, { type: 'group', group: { ...group, filter: { ...group.filter, visitsMax: 1 } }, members: [] }]).at(-1)).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(run([init, { type: 'snapshot', id: 4, query: { ...QUERY, group: { ...group, filter: { tier: 'gold' } } } }]).at(-1)).toMatchObject({ type: 'error', id: 4, code: 'INVALID_MESSAGE' });
  });

  it('loads chunks, reports progress and answers snapshots and member pages', () => {
    const customer = { id: newId(), name: 'Ali', phone: '+989121111111', mergedInto: null };
    const visit = { id: newId(), customerId: customer.id, storeId, occurredAt: '2025-06-02T08:00:00.000Z', total: 1000, voided: false, feedback: { rating: 5, comment: '' } };
    const out = run([
      init,
      { type: 'load', collection: 'customers', columns: packCustomers([customer]) },
      { type: 'load', collection: 'visits', columns: packVisits([visit, { broken: true } as unknown as VisitLike]) },
      { type: 'loaded' },
      { type: 'snapshot', id: 1, query: QUERY },
      { type: 'members', id: 2, query: QUERY, list: { kind: 'clv' }, offset: 0, limit: 5 },
      { type: 'changes', changes: [{ collection: 'visits', doc: { ...visit, voided: true } }] },
      { type: 'snapshot', id: 3, query: QUERY },
    ]);
    expect(out.filter((m) => m.type === 'progress').at(-1)).toEqual({ type: 'progress', loaded: { customers: 1, visits: 2, loyaltyEntries: 0, rewards: 0 }, ready: true });
    const first = out.find((m) => m.type === 'snapshot' && m.id === 1);
    expect(first?.type === 'snapshot' && first.snapshot.kpis.visits).toBe(1);
    expect(first?.type === 'snapshot' && first.snapshot.feedback).toEqual({ count: 1, average: 5, distribution: [0, 0, 0, 0, 1] });
    const page = out.find((m) => m.type === 'members');
    expect(page?.type === 'members' && page.rows.map((r) => r.name)).toEqual(['Ali']);
    expect(out.some((m) => m.type === 'changed')).toBe(true);
    const after = out.find((m) => m.type === 'snapshot' && m.id === 3);
    expect(after?.type === 'snapshot' && after.snapshot.kpis).toMatchObject({ visits: 0, voidedVisits: 1 });
  });

  it('refuses malformed columns, and loads nothing of them', () => {
    const customerId = newId();
    const docs = [0, 1].map((i): VisitLike => ({ id: newId(), customerId, storeId, occurredAt: '2025-06-02T08:00:00.000Z', total: 1000 * (i + 1), voided: false, feedback: null }));
    const good = packVisits(docs);
    const entries = packLoyaltyEntries([{ id: newId(), customerId, storeId, kind: 'earn', points: 10, occurredAt: '2025-06-02T08:00:00.000Z' }]);
    const big = 100_001;
    const bad: [string, unknown][] = [
      ['a column shorter than n', { ...good, total: good.total.subarray(0, 1) }],
      ['a text column longer than n', { ...good, storeId: [...good.storeId, storeId] }],
      ['n larger than the columns', { ...good, n: 3 }],
      ['n not an integer', { ...good, n: 1.5 }],
      ['a plain array for a typed column', { ...good, total: [1000, 2000] }],
      ['another typed array kind', { ...good, live: new Int8Array(2) }],
      ['a typed array for a text column', { ...good, id: new Uint8Array(2) }],
      ['a column missing', { ...good, rating: undefined }],
      ['a column too many', { ...good, extra: [1, 2] }],
      ['no columns at all', docs],
      ['more than 100,000 documents', { n: big, id: new Array<string>(big).fill(''), customerId: new Array<string>(big).fill(''), storeId: new Array<string>(big).fill(''), occurredAt: new Array<string>(big).fill(''), total: new Float64Array(big), live: new Uint8Array(big), rating: new Uint8Array(big) }],
    ];
    for (const [why, columns] of bad) {
      const out = run([init, { type: 'load', collection: 'visits', columns }, { type: 'loaded' }]);
      expect(out.find((m) => m.type === 'error'), why).toMatchObject({ type: 'error', id: null, code: 'INVALID_MESSAGE' });
      expect(out.filter((m) => m.type === 'progress').at(-1), why).toEqual({ type: 'progress', loaded: { customers: 0, visits: 0, loyaltyEntries: 0, rewards: 0 }, ready: true });
    }
    // Columns of another collection, and documents where columns belong.
    expect(run([init, { type: 'load', collection: 'visits', columns: entries }])[1]).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(run([init, { type: 'load', collection: 'loyaltyEntries', columns: { ...entries, kind: new Uint8Array(1) } }])[1]).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(run([init, { type: 'load', collection: 'visits', docs }])[1]).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    // The same pages, well formed, load — after a structured clone that transferred their buffers.
    const sent = structuredClone(good, { transfer: [good.total.buffer as ArrayBuffer] });
    expect(good.total.length).toBe(0); // detached on the page's side
    const out = run([init, { type: 'load', collection: 'visits', columns: sent }, { type: 'load', collection: 'loyaltyEntries', columns: entries }, { type: 'loaded' }, { type: 'snapshot', id: 1, query: QUERY }]);
    expect(out.some((m) => m.type === 'error')).toBe(false);
    expect(out.filter((m) => m.type === 'progress').at(-1)).toMatchObject({ loaded: { visits: 2, loyaltyEntries: 1 } });
    const snapshot = out.find((m) => m.type === 'snapshot');
    expect(snapshot?.type === 'snapshot' && snapshot.snapshot.kpis).toMatchObject({ visits: 2, revenue: 3000 });
  });
});
