import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentEntry, editCustomer, ledgerEntry } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { COLLECTION_NAMES, MAX_PULL_LIMIT, PROTOCOL_HEADER, PROTOCOL_VERSION, type CollectionName } from '../../../src/sync/model/wire-protocol.ts';
import type { Settings } from '../../../src/sync/model/settings.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { TABLES } from '../../../src/sync/server/sync/tables.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';

/** A merchant's rows in every replicated table: count, highest version and a digest of the documents. */
async function merchantState(db: Database, merchantId: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  for (const table of Object.values(TABLES)) {
    const { rows } = await db.query<{ n: string; v: string | null; d: string | null }>(
      `SELECT count(*)::text AS n, max(version)::text AS v, md5(string_agg(doc::text, ',' ORDER BY id)) AS d FROM ${table} WHERE merchant_id = $1`,
      [merchantId],
    );
    state[table] = `${rows[0]!.n}/${rows[0]!.v}/${rows[0]!.d}`;
  }
  const clock = await db.query<{ v: string }>(`SELECT version::text AS v FROM merchant_clock WHERE merchant_id = $1`, [merchantId]);
  state.clock = clock.rows[0]!.v;
  const rejected = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM rejected_writes WHERE merchant_id = $1`, [merchantId]);
  state.rejected_writes = rejected.rows[0]!.n;
  return state;
}

/** A poke stream read with fetch and the Authorization header (as the client does). */
async function openStream(baseUrl: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/v1/stream`, {
    headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    signal: controller.signal,
  });
  const events: { event: string | undefined; data: string }[] = [];
  const parser = createParser({ onEvent: (event) => events.push({ event: event.event, data: event.data }) });
  const done = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    events,
    pokes: () => events.filter((e) => e.event === 'poke').map((e) => (JSON.parse(e.data) as { collections: CollectionName[] }).collections),
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DATABASE_KINDS)('merchant isolation and role rules on %s', (kind) => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let baseUrl: string;
  let a: SeededMerchant;
  let b: SeededMerchant;
  let tillA: TestTerminal;
  let tillB: TestTerminal;
  const bCustomers: Record<string, unknown>[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    app = await testApp(tdb.db);
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    a = await seedMerchant(tdb.db, 'Merchant A');
    b = await seedMerchant(tdb.db, 'Merchant B');
    tillA = await enrolTerminal(app, tdb.db, a, 'Till A');
    tillB = await enrolTerminal(app, tdb.db, b, 'Till B');

    // A: more customers than one pull batch holds; B: customers, a visit and a ledger entry of its own.
    const ctxA = tillA.ctx(a.cashier);
    for (let batch = 0; batch < 3; batch++) {
      const rows = Array.from({ length: batch < 2 ? 500 : 150 }, () => insertRow(aCustomer(ctxA)));
      await tillA.push('customers', rows);
    }
    const ctxB = tillB.ctx(b.cashier);
    for (let i = 0; i < 20; i++) bCustomers.push(aCustomer(ctxB, { name: `B secret ${i}` }));
    await tillB.push('customers', bCustomers.map(insertRow));
    const { visit, earn } = aVisit(ctxB, bCustomers[0]!.id as string, 50_000, 50);
    await tillB.push('visits', [insertRow(visit)]);
    await tillB.push('loyaltyEntries', [insertRow(earn!)]);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  describe('pull', () => {
    it("A pulls from zero with limit=100000: only A's rows, the batch capped at MAX_PULL_LIMIT", async () => {
      const first = await tillA.pull('customers', undefined, 100_000);
      expect(first.documents).toHaveLength(MAX_PULL_LIMIT);
      const all = [...first.documents];
      for (let checkpoint = first.checkpoint!.v, pages = 0; pages < 10; pages++) {
        const page = await tillA.pull('customers', checkpoint, 100_000);
        expect(page.documents.length).toBeLessThanOrEqual(MAX_PULL_LIMIT);
        all.push(...page.documents);
        if (page.documents.length < MAX_PULL_LIMIT) break;
        checkpoint = page.checkpoint!.v;
      }
      expect(all.every((d) => d.merchantId === a.merchantId)).toBe(true);
      const bIds = new Set(bCustomers.map((c) => c.id));
      expect(all.some((d) => bIds.has(d.id))).toBe(false);
    });

    it('pulling page by page from zero returns every row of A exactly once, in version order (I1)', async () => {
      const { rows } = await tdb.db.query<{ id: string }>(`SELECT id FROM customers WHERE merchant_id = $1 ORDER BY version`, [a.merchantId]);
      for (const limit of [MAX_PULL_LIMIT, 7]) {
        const ids: string[] = [];
        let checkpoint: string | undefined;
        for (let pages = 0; pages < 1000; pages++) {
          const page = await tillA.pull('customers', checkpoint, limit);
          ids.push(...page.documents.map((d) => d.id as string));
          if (page.documents.length < limit) break;
          checkpoint = page.checkpoint!.v;
        }
        expect(ids).toEqual(rows.map((row) => row.id));
      }
    });

    it('refuses a limit above the protocol maximum instead of honouring it', async () => {
      const answer = await tillA.request('GET', '/v1/pull/customers?limit=100001');
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.code).toBe('VALIDATION_FAILED');
    });

    it.each(COLLECTION_NAMES)("A's pull of %s never holds a row of B", async (collection) => {
      const docs = await tillA.pullAll(collection);
      expect(docs.every((d) => d.merchantId === a.merchantId)).toBe(true);
      const text = JSON.stringify(docs);
      expect(text).not.toContain(b.merchantId);
      expect(text).not.toContain(b.manager.pinHash);
      expect(text).not.toContain('B secret');
    });
  });

  describe('push', () => {
    it("A pushes documents whose merchantId names B: quarantined under A (FORBIDDEN), B unchanged, B not poked", async () => {
      const streamA = await openStream(baseUrl, tillA.token);
      const streamB = await openStream(baseUrl, tillB.token);
      try {
        await waitFor(() => streamA.events.length > 0 && streamB.events.length > 0);
        const bBefore = await merchantState(tdb.db, b.merchantId);
        const ctxAsB = { ...tillA.ctx(a.cashier), merchantId: b.merchantId };
        const customer = aCustomer(ctxAsB, { name: 'Planted in B' });
        const { visit, earn } = aVisit(ctxAsB, bCustomers[1]!.id as string, 900_000, 900);
        const bSettings = (await tillB.pullAll('settings'))[0] as Settings;
        const settings = { ...bSettings, businessName: 'Hijacked', updatedBy: a.manager.id, updatedAt: new Date().toISOString() };

        const answers = {
          customers: await tillA.push('customers', [insertRow(customer)]),
          visits: await tillA.push('visits', [insertRow(visit)]),
          loyaltyEntries: await tillA.push('loyaltyEntries', [insertRow(earn!)]),
          settings: await tillA.push('settings', [updateRow(settings, bSettings)]),
        };
        expect(answers.customers.rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
        expect(answers.visits.rejected).toEqual([{ id: visit.id, code: 'FORBIDDEN' }]);
        expect(answers.loyaltyEntries.rejected).toEqual([{ id: earn!.id, code: 'FORBIDDEN' }]);
        expect(answers.settings.rejected).toEqual([{ id: b.merchantId, code: 'FORBIDDEN' }]);
        // The answer never reveals B's stored state: the refused settings come back as A's own input.
        expect(JSON.stringify(answers.settings)).not.toContain(bSettings.updatedAt);

        expect(await merchantState(tdb.db, b.merchantId)).toEqual(bBefore);
        const { rows } = await tdb.db.query<{ merchant_id: string; code: string }>(
          `SELECT merchant_id, code FROM rejected_writes WHERE document_id = ANY($1::text[])`,
          [[customer.id, visit.id, earn!.id]],
        );
        expect(rows).toHaveLength(3);
        expect(rows.every((row) => row.merchant_id === a.merchantId && row.code === 'FORBIDDEN')).toBe(true);

        // A hears about its own inbox items; B hears nothing at all.
        await waitFor(() => streamA.pokes().some((c) => c.includes('inbox')));
        await settle();
        expect(streamB.pokes()).toEqual([]);
        expect(streamB.events.map((e) => e.event)).toEqual(['ready']);
      } finally {
        await streamA.close();
        await streamB.close();
      }
    });

    it('A pushes a document whose id exists in B: A gets its own row, B is unchanged', async () => {
      const target = bCustomers[2]! as ReturnType<typeof aCustomer>;
      const bBefore = await merchantState(tdb.db, b.merchantId);
      const mine = { ...aCustomer(tillA.ctx(a.cashier), { name: 'Same id in A' }), id: target.id };
      expect(await tillA.push('customers', [insertRow(mine)])).toEqual({ conflicts: [], rejected: [] });
      expect(await merchantState(tdb.db, b.merchantId)).toEqual(bBefore);
      const stored = async (merchantId: string) =>
        (await tdb.db.query<{ doc: unknown }>(`SELECT doc FROM customers WHERE merchant_id = $1 AND id = $2`, [merchantId, target.id])).rows.map((row) => row.doc);
      expect(await stored(a.merchantId)).toEqual([mine]);
      expect(await stored(b.merchantId)).toEqual([target]);
      expect((await tillB.pullAll('customers')).filter((d) => d.id === target.id)).toContainEqual(target);
      expect((await tillA.pullAll('customers')).filter((d) => d.id === target.id)).not.toContainEqual(target);
      // An "update" of B's document (B's state as the assumed master) edits A's own row or conflicts with it.
      const edit = { ...target, merchantId: a.merchantId, name: 'Overwrite attempt', updatedBy: a.cashier.id, storeId: a.storeId };
      const answer = await tillA.push('customers', [updateRow(edit, target)]);
      expect(answer.conflicts).toEqual([mine]);
      expect(await merchantState(tdb.db, b.merchantId)).toEqual(bBefore);
    });

    it("refuses B's staff member acting in A (staff are looked up in A only)", async () => {
      const now = new Date().toISOString();
      const reward = {
        id: newId(), merchantId: a.merchantId, updatedAt: now, _deleted: false, name: 'Via B manager', description: '',
        type: 'freeItem', itemName: 'Item', percent: 0, cap: null, pointsCost: 10, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true, updatedBy: b.manager.id,
      };
      expect((await tillA.push('rewards', [insertRow(reward)])).rejected).toEqual([{ id: reward.id, code: 'FORBIDDEN' }]);
      const unknown = { ...reward, id: newId(), updatedBy: newId() };
      expect((await tillA.push('rewards', [insertRow(unknown)])).rejected).toEqual([{ id: unknown.id, code: 'FORBIDDEN' }]);
    });
  });

  describe('cashier attacks: each refused for that row only, the valid row of the same batch written', () => {
    async function quarantined(id: string): Promise<string[]> {
      const { rows } = await tdb.db.query<{ code: string }>(`SELECT code FROM rejected_writes WHERE merchant_id = $1 AND document_id = $2`, [a.merchantId, id]);
      return rows.map((row) => row.code);
    }

    it('a reward', async () => {
      const now = new Date().toISOString();
      const base = { merchantId: a.merchantId, updatedAt: now, _deleted: false, description: '', type: 'freeItem', itemName: 'Item', percent: 0, cap: null, pointsCost: 1, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true };
      const byCashier = { ...base, id: newId(), name: 'Free everything', updatedBy: a.cashier.id };
      const byManager = { ...base, id: newId(), name: 'Free espresso', updatedBy: a.manager.id, pointsCost: 200 };
      const answer = await tillA.push('rewards', [insertRow(byCashier), insertRow(byManager)]);
      expect(answer.rejected).toEqual([{ id: byCashier.id, code: 'FORBIDDEN' }]);
      expect(answer.conflicts).toEqual([{ ...byCashier, _deleted: true }]);
      const rewards = await tillA.pullAll('rewards');
      expect(rewards.map((r) => r.id)).toContain(byManager.id);
      expect(rewards.map((r) => r.id)).not.toContain(byCashier.id);
      expect(await quarantined(byCashier.id)).toEqual(['FORBIDDEN']);
      expect(await tillA.pullAll('inbox')).toContainEqual(expect.objectContaining({ kind: 'rejected_write', relatedId: byCashier.id, code: 'FORBIDDEN' }));
    });

    it('a setting (the program) — while the manager edit of the same batch lands', async () => {
      const current = (await tillA.pullAll('settings'))[0] as Settings;
      const now = new Date().toISOString();
      const byCashier = { ...current, program: { ...current.program, cashierAdjustLimit: 1_000_000, managerAdjustLimit: 1_000_000 }, updatedBy: a.cashier.id, updatedAt: now };
      const byManager = { ...current, businessName: 'Café A (renamed)', updatedBy: a.manager.id, updatedAt: now };
      const answer = await tillA.push('settings', [updateRow(byCashier, current), updateRow(byManager, current)]);
      expect(answer.rejected).toEqual([{ id: a.merchantId, code: 'FORBIDDEN' }]);
      const stored = (await tillA.pullAll('settings'))[0] as Settings;
      expect(stored).toEqual(byManager);
      expect(stored.program.cashierAdjustLimit).toBe(current.program.cashierAdjustLimit);
    });

    it('a staff change (staff are managed by owners: refused for a manager, who is signed in here)', async () => {
      const before = await merchantState(tdb.db, a.merchantId);
      const now = new Date().toISOString();
      const promoted = { ...a.cashier, role: 'owner', updatedAt: now, updatedBy: a.manager.id };
      const planted = { ...a.manager, id: newId(), name: 'Ghost owner', role: 'owner', updatedAt: now, updatedBy: a.manager.id };
      const answer = await tillA.push('staff', [updateRow(promoted, a.cashier), insertRow(planted)]);
      expect(answer.rejected).toEqual([{ id: a.cashier.id, code: 'FORBIDDEN' }, { id: planted.id, code: 'FORBIDDEN' }]);
      expect(answer.conflicts).toEqual([a.cashier, { ...planted, _deleted: true }]);
      const after = await merchantState(tdb.db, a.merchantId);
      expect(after.staff).toBe(before.staff);
      expect(await tillA.pullAll('staff')).toEqual(expect.arrayContaining([a.cashier, a.manager]));
    });

    it('an inbox resolution (managers resolve items; inbox-resolutions.test.ts covers the rest)', async () => {
      const items = await tillA.pullAll('inbox');
      const item = items[0]!;
      const resolved = { ...item, status: 'resolved', resolvedAt: new Date().toISOString(), resolvedBy: a.cashier.id, updatedAt: new Date().toISOString() };
      const before = await merchantState(tdb.db, a.merchantId);
      const answer = await tillA.push('inbox', [updateRow(resolved, item)]);
      expect(answer.rejected).toEqual([{ id: item.id, code: 'FORBIDDEN' }]);
      const after = await merchantState(tdb.db, a.merchantId);
      // Nothing but the quarantine line (its own inbox item exists already or is new — either way no edit of this one).
      expect((await tillA.pullAll('inbox')).find((i) => i.id === item.id)).toEqual(item);
      expect(Number(after.rejected_writes)).toBe(Number(before.rejected_writes) + 1);
    });

    it('a huge point adjustment and an expiry entry', async () => {
      const ctx = tillA.ctx(a.cashier);
      const customer = aCustomer(ctx);
      await tillA.push('customers', [insertRow(customer)]);
      const huge = ledgerEntry({ kind: 'adjust', points: 1_000_000, customerId: customer.id }, ctx);
      const expire = ledgerEntry({ kind: 'expire', points: -10, customerId: customer.id }, ctx);
      const fine = ledgerEntry({ kind: 'adjust', points: 20, customerId: customer.id }, ctx);
      const answer = await tillA.push('loyaltyEntries', [insertRow(huge), insertRow(expire), insertRow(fine)]);
      expect(answer.rejected).toEqual([{ id: huge.id, code: 'FORBIDDEN' }, { id: expire.id, code: 'FORBIDDEN' }]);
      const ledger = (await tillA.pullAll('loyaltyEntries')).filter((e) => e.customerId === customer.id);
      expect(ledger).toEqual([fine]);
    });

    it('an erase and a merge of a customer', async () => {
      const ctx = tillA.ctx(a.cashier);
      const victim = aCustomer(ctx);
      const survivor = aCustomer(ctx);
      await tillA.push('customers', [insertRow(victim), insertRow(survivor)]);
      const now = new Date().toISOString();
      const erased = { ...victim, _deleted: true, updatedAt: now };
      const merged = { ...survivor, mergedInto: victim.id, updatedAt: now };
      const signUp = aCustomer(ctx);
      const edit = editCustomer(survivor, { company: 'likes tea' }, ctx, 'IR');
      const answer = await tillA.push('customers', [updateRow(erased, victim), updateRow(merged, survivor), insertRow(signUp), updateRow(edit, survivor)]);
      expect(answer.rejected).toEqual([{ id: victim.id, code: 'FORBIDDEN' }, { id: survivor.id, code: 'FORBIDDEN' }]);
      const stored = new Map((await tillA.pullAll('customers')).map((d) => [d.id, d]));
      expect(stored.get(victim.id)).toEqual(victim);
      expect(stored.get(survivor.id)).toEqual(edit);
      expect(stored.get(signUp.id)).toEqual(signUp);
    });

    it('visits before Patron: a cashier who sets or changes them is refused (sign-up and edit), a manager’s change lands', async () => {
      const cashier = tillA.ctx(a.cashier);
      const customer = aCustomer(cashier);
      const inflated = aCustomer(cashier, { priorVisits: 500 });
      await tillA.push('customers', [insertRow(customer)]);
      const later = (staff: typeof a.cashier) => ({ ...tillA.ctx(staff), now: new Date(Date.now() + 1000).toISOString() });
      const byCashier = editCustomer(customer, { priorVisits: 40 }, later(a.cashier), 'IR');
      const answer = await tillA.push('customers', [insertRow(inflated), updateRow(byCashier, customer)]);
      expect(answer.rejected).toEqual([{ id: inflated.id, code: 'FORBIDDEN' }, { id: customer.id, code: 'FORBIDDEN' }]);
      expect(await quarantined(customer.id)).toEqual(['FORBIDDEN']);
      const byManager = editCustomer(customer, { priorVisits: 40 }, later(a.manager), 'IR');
      expect((await tillA.push('customers', [updateRow(byManager, customer)])).rejected).toEqual([]);
      // A cashier's later edit that keeps the count (an absent count is 0, so the same too) is an ordinary edit.
      const keeps = editCustomer(byManager, { company: 'Sol Co' }, later(a.cashier), 'IR');
      expect((await tillA.push('customers', [updateRow(keeps, byManager)])).rejected).toEqual([]);
      const stored = new Map((await tillA.pullAll('customers')).map((d) => [d.id, d]));
      expect(stored.get(customer.id)).toEqual(keeps);
      expect(stored.has(inflated.id)).toBe(false);
    });

    it('a rewrite of a consent history (append-only, whatever the role): a removed or altered entry is refused, an appended one lands', async () => {
      const ctx = tillA.ctx(a.manager);
      const customer = aCustomer(ctx, { consent: { sms: true } });
      await tillA.push('customers', [insertRow(customer)]);
      const later = { ...ctx, now: new Date(Date.now() + 1000).toISOString() };
      const stamp = { updatedAt: later.now, updatedBy: a.manager.id };
      const [granted] = customer.consent;
      const removed = { ...customer, ...stamp, consent: [] };
      const altered = { ...customer, ...stamp, consent: [{ ...granted!, state: 'withdrawn' as const }] };
      const appended = { ...customer, ...stamp, consent: [granted!, consentEntry('sms', 'withdrawn', 'customer-request', later)] };
      const answer = await tillA.push('customers', [updateRow(removed, customer), updateRow(altered, customer), updateRow(appended, customer)]);
      expect(answer.rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }, { id: customer.id, code: 'FORBIDDEN' }]);
      expect(await quarantined(customer.id)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect((await tillA.pullAll('customers')).find((d) => d.id === customer.id)).toEqual(appended);
    });
  });
});

describe.each(DATABASE_KINDS)('the demo enrolment shortcut on %s', (kind) => {
  let tdb: TestDatabase;
  let plain: PatronApp;
  let demoApp: PatronApp;
  let demo: SeededMerchant;
  let other: SeededMerchant;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    demo = await seedMerchant(tdb.db, 'Demo café');
    other = await seedMerchant(tdb.db, 'Real merchant');
    plain = await testApp(tdb.db);
    demoApp = await testApp(tdb.db, { demo: { merchantId: demo.merchantId, storeId: demo.storeId } });
  });
  afterAll(async () => {
    await plain?.close();
    await demoApp?.close();
    await tdb?.drop();
  });

  const headers = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  const codes = async () => Number((await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrolment_codes`)).rows[0]!.n);

  it('is off unless the server was started with a demo merchant', async () => {
    expect((await plain.inject({ method: 'GET', url: '/v1/demo', headers })).json()).toEqual({ available: false });
    const before = await codes();
    const answer = await plain.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers });
    expect(answer.statusCode).toBe(403);
    expect(answer.json().error.code).toBe('FORBIDDEN');
    expect(await codes()).toBe(before);
  });

  it('never hands a code to another machine', async () => {
    const remote = { remoteAddress: '203.0.113.9' };
    expect((await demoApp.inject({ method: 'GET', url: '/v1/demo', headers, ...remote })).json()).toEqual({ available: false });
    const before = await codes();
    const answer = await demoApp.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers, ...remote });
    expect(answer.statusCode).toBe(403);
    expect(answer.json().error.code).toBe('FORBIDDEN');
    // Nor to a caller that merely claims to be local through a forwarding header (trustProxy is off).
    const spoofed = await demoApp.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers: { ...headers, 'x-forwarded-for': '127.0.0.1' }, ...remote });
    expect(spoofed.statusCode).toBe(403);
    expect(await codes()).toBe(before);
  });

  it('gives this machine a one-time code for the demo store only', async () => {
    const answer = await demoApp.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers });
    expect(answer.statusCode).toBe(200);
    const { code } = answer.json() as { code: string };
    const enrolled = await demoApp.inject({ method: 'POST', url: '/v1/enrol', headers, payload: { code, deviceName: 'Browser' } });
    expect(enrolled.json()).toMatchObject({ merchantId: demo.merchantId, storeId: demo.storeId });
    expect(enrolled.json().merchantId).not.toBe(other.merchantId);
    expect((await demoApp.inject({ method: 'POST', url: '/v1/enrol', headers, payload: { code, deviceName: 'Again' } })).statusCode).toBe(401);
  });

  it('refuses a loopback request addressed to a foreign host name (DNS rebinding)', async () => {
    // A web page on evil.example whose name was rebound to 127.0.0.1 is same-origin with the server in the
    // browser: it can send the protocol header and read the answer. Only the Host header gives it away.
    const before = await codes();
    const answer = await demoApp.inject({ method: 'POST', url: '/v1/demo/enrolment-code', headers: { ...headers, host: 'evil.example:8787', origin: 'http://evil.example:8787' } });
    expect(answer.statusCode).toBe(403);
    expect(await codes()).toBe(before);
  });
});

