import { firstValueFrom, filter } from 'rxjs';
import type { RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../../src/sync/client/auth.ts';
import type { Terminal } from '../../../src/sync/client/terminal.ts';
import { codeInId, memberCodeOf } from '../../../src/sync/model/member-code.ts';
import { earnEntryId, importedCustomerId, newId, redeemEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { consentState } from '../../../src/sync/model/customer-profile.ts';
import type { CustomerInput } from '../../../src/sync/model/customer-input.ts';
import { isRefund } from '../../../src/sync/model/ledger-rules.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import { EMPTY_FILTER, selectCustomers } from '../../../src/sync/model/customer-filter.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { addStaff, createEnrolmentCode, setStaffPin } from '../../../src/sync/server/repositories/admin.ts';
import { hashPin } from '../../../src/sync/model/pin.ts';
import { createStaffKey } from '../../../src/sync/model/staff-proof.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { MAX_SESSION_MS } from '../../../src/sync/model/staff-proof.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, nextPhone, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, SEED_PINS, seedMerchant, signedSession, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, openTestTerminal, switchableFetch } from '../../helpers/terminal.ts';
import { BATCH_BUDGET_MS, BATCH_ROWS, MIN_BATCH_ROWS, nextBatchRows, runImport } from '../../../src/renderer/features/import/import-run.ts';

// Every command of the terminal (src/sync/client/commands) against its rules, in Node: a whole terminal on
// RxDB memory storage, replicating with the real server over HTTP (PGlite), staff signed in with their PINs.

const details = (overrides: Partial<CustomerInput> = {}): CustomerInput => ({
  phone: nextPhone(),
  name: 'Maryam Tehrani',
  email: '',
  birthday: '',
  anniversary: '',
  phone2: '',
  address: '',
  company: '',
  source: '',
  preferredChannel: '',
  notes: '',
  favorites: [],
  allergies: [],
  preferredTime: '',
  consentEmail: false, consentSms: false,
  tags: [],
  status: 'active',
  ...overrides,
});

/** A member's new PIN hash and key pair sealed under it, as an owner's terminal makes them. */
async function keyedDoc(member: Staff, pin: string): Promise<Pick<Staff, 'pinHash' | 'publicKey' | 'sealedKey'>> {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const key = await createStaffKey(member.id, pin, random);
  return { pinHash: await hashPin(pin, random(16)), publicKey: key.publicKey, sealedKey: key.sealedKey };
}

/** Memory storage whose next write to one collection fails (a crash between the two writes of a command). */
function crashableStorage(): { storage: RxStorage<unknown, unknown>; failNextWriteTo(collection: string): void } {
  let failing: string | null = null;
  const base = wrappedValidateAjvStorage({ storage: getRxStorageMemory() }) as RxStorage<unknown, unknown>;
  const storage: RxStorage<unknown, unknown> = {
    ...base,
    async createStorageInstance(params) {
      const instance = await base.createStorageInstance(params);
      const bulkWrite = instance.bulkWrite.bind(instance);
      instance.bulkWrite = (rows, context) => {
        if (failing === params.collectionName && !context.startsWith('replication')) {
          failing = null;
          return Promise.reject(new Error('disk write failed (injected by the test)'));
        }
        return bulkWrite(rows, context);
      };
      return instance;
    },
  };
  return { storage, failNextWriteTo: (collection) => (failing = collection) };
}

describe('the terminal’s commands', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  type TestTerminal = Awaited<ReturnType<typeof openTestTerminal>>;
  const open: Terminal[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
  });
  // RxDB's open build allows 13 open collections per process: one terminal (7) at a time.
  afterEach(async () => {
    for (const terminal of open.splice(0)) await terminal.close().catch(() => {});
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  async function terminal(options: Partial<Parameters<typeof openTestTerminal>[0]> = {}): Promise<TestTerminal> {
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const opened = await openTestTerminal({ serverUrl: url, code, ...options });
    open.push(opened);
    await firstValueFrom(opened.status$.pipe(filter((s) => s.initialSyncDone)));
    return opened;
  }
  const asCashier = async (t: Terminal) => expect((await t.session.signIn(seed.cashier.id, '1234')).ok).toBe(true);
  const asManager = async (t: Terminal) => expect((await t.session.signIn(seed.manager.id, '987654')).ok).toBe(true);
  const balanceOf = (t: Terminal, id: string) => firstValueFrom(t.queries.summary$([id])).then((s) => s.balance);
  async function signUp(t: Terminal, overrides: Partial<CustomerInput> = {}): Promise<Customer> {
    const result = await t.commands.signUp(details(overrides));
    if (!result.ok) throw new Error(`sign-up refused: ${result.error.code}`);
    return result.value;
  }

  it('a sign-in signs a session the server records before the writes it covers; a sign-out shortens it', async () => {
    const t = await terminal({ signInTestStaff: false });
    const sessions = () => tdb.db.query<{ staff_id: string; starts_at: Date; ends_at: Date }>(`SELECT staff_id, starts_at, ends_at FROM staff_sessions WHERE terminal_id = $1`, [t.identity.terminalId]).then((r) => r.rows);
    await asCashier(t);
    const customer = await signUp(t);
    expect(await t.sync.settled(10_000)).toBe(true);
    expect((await tdb.db.query(`SELECT 1 FROM customers WHERE id = $1`, [customer.id])).rows).toHaveLength(1);
    const [signed] = await sessions();
    expect(signed?.staff_id).toBe(seed.cashier.id);
    expect(new Date(signed!.ends_at).getTime() - new Date(signed!.starts_at).getTime()).toBe(MAX_SESSION_MS);
    t.session.signOut();
    await eventually(async () => (await sessions()).every((s) => new Date(s.ends_at).getTime() < Date.now() + 1_000), 10_000, 'the sign-out reaches the server');
  });

  it('a member whose signing key is not on the terminal cannot sign in, and says why', async () => {
    // A member keyed before keys travelled in the staff document, whose key the server does not list.
    await tdb.db.query(`DELETE FROM staff_keys WHERE staff_id = $1`, [seed.cashier.id]);
    await tdb.db.query(`UPDATE staff SET doc = doc || '{"publicKey": null, "sealedKey": null}'::jsonb, version = patron_reserve_versions(merchant_id, 1) WHERE id = $1`, [seed.cashier.id]);
    try {
      const t = await terminal({ signInTestStaff: false });
      expect(await t.session.signIn(seed.cashier.id, '1234')).toEqual({ ok: false, code: 'STAFF_KEY_MISSING' });
      expect(t.session.current()).toBeNull();
    } finally {
      await setStaffPin(tdb.db, seed.merchantId, seed.cashier.id, '1234', 'test');
    }
  });

  it('refuse everything before a sign-in, and what the role does not allow', async () => {
    const t = await terminal();
    expect(await t.commands.signUp(details())).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN', key: 'common:errors.NOT_SIGNED_IN' } });
    await asCashier(t);
    expect(await t.commands.saveProgram({ program: DEFAULT_PROGRAM })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.commands.saveReward({ name: 'Cake', description: '', type: 'freeItem', itemName: 'Cake', pointsCost: 100, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await t.commands.mergeCustomers({ keepId: seed.cashier.id, mergedId: seed.manager.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.commands.resolveInboxItem({ itemId: seed.cashier.id, action: 'acknowledge' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuse bad input field by field, in keys the UI translates, and write nothing', async () => {
    const t = await terminal();
    await asCashier(t);
    const before = (await t.queries.lookup.find('Invalid', 10)).length;
    expect(await t.commands.signUp({ ...details(), role: 'owner' } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { '(input)': 'common:fields.INVALID' } } });
    const bad = await t.commands.signUp(details({ phone: '0906 123 4567', name: 'Al', birthday: '2999-01-01', email: 'nope' }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.fields).toEqual({
        phone: 'common:fields.INVALID_PHONE_FORMAT',
        name: 'common:fields.INVALID_NAME',
        email: 'common:fields.INVALID_EMAIL',
        birthday: 'common:fields.FUTURE_DATE',
      });
    }
    const visit = await t.commands.recordVisit({ customerId: seed.cashier.id, items: [], discount: 5, amount: 1, paymentMethod: 'cash' });
    expect(visit).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { discount: 'common:fields.TOO_LARGE' } } });
    expect(await t.commands.recordVisit({ customerId: seed.cashier.id, items: [], paymentMethod: 'cash' })).toMatchObject({ ok: false, error: { fields: { amount: 'common:fields.REQUIRED' } } });
    expect(await t.commands.redeem({ customerId: seed.cashier.id, points: 0 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect((await t.queries.lookup.find('Invalid', 10)).length).toBe(before);
  });

  it('sign up once per number, and edit only what changed', async () => {
    const t = await terminal();
    await asCashier(t);
    const phone = nextPhone();
    const customer = await signUp(t, { phone, name: '  Reza   Karimi ', tags: ['tea', 'tea', ' '] });
    expect(customer).toMatchObject({ name: 'Reza Karimi', tags: ['tea'], storeId: seed.storeId, updatedBy: seed.cashier.id });
    expect(await t.commands.signUp(details({ phone }))).toMatchObject({ ok: false, error: { code: 'CUSTOMER_ALREADY_EXISTS', details: { customerId: customer.id } } });

    const edited = await t.commands.editCustomer({ ...details({ phone, name: 'Reza Karimi', tags: ['tea'] }), address: 'by the window', customerId: customer.id });
    expect(edited).toMatchObject({ ok: true, value: { address: 'by the window', phoneKey: customer.phoneKey } });
    const newPhone = nextPhone();
    const moved = await t.commands.editCustomer({ ...details({ phone: newPhone, name: 'Reza Karimi', tags: ['tea'] }), address: 'by the window', customerId: customer.id });
    expect(moved.ok && moved.value.phoneKey).not.toBe(customer.phoneKey);
    expect((await t.queries.lookup.find(newPhone.slice(-4), 20)).map((c) => c.id)).toContain(customer.id);
    // The profile: a second phone the lookup finds, the new fields checked, notes and consent appended.
    const phone2 = nextPhone();
    const profiled = await signUp(t, { phone2, notes: 'first visit', consentSms: true });
    expect(profiled.timeline).toMatchObject([{ text: 'first visit', by: seed.cashier.id }]);
    expect(profiled.consent).toMatchObject([{ channel: 'sms', state: 'granted', source: 'counter', by: seed.cashier.id }]);
    // The in-memory lookup index holds the second number's keys (the replica's fallback indexes only the first).
    await eventually(async () => (await t.queries.lookup.find(phone2.slice(-4), 20)).some((c) => c.id === profiled.id), 10_000, 'found by the second phone');

    const form = details({ phone: profiled.phone, phone2, name: profiled.name });
    const refused = await t.commands.editCustomer({ ...form, phone2: '0912', preferredChannel: 'email', customerId: profiled.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { phone2: 'common:fields.INVALID_PHONE_FORMAT' } } });
    const noEmail = await t.commands.editCustomer({ ...form, preferredChannel: 'email', customerId: profiled.id });
    expect(noEmail).toMatchObject({ ok: false, error: { fields: { preferredChannel: 'common:fields.MISSING_EMAIL' } } });
    const profileEdit = await t.commands.editCustomer({ ...form, address: '12 Valiasr St', company: 'Sol Co', source: 'referral', preferredChannel: 'sms', customerId: profiled.id });
    expect(profileEdit).toMatchObject({ ok: true, value: { address: '12 Valiasr St', company: 'Sol Co', source: 'referral', preferredChannel: 'sms', timeline: profiled.timeline } });

    expect(await t.commands.addNote({ customerId: profiled.id, text: '   ' })).toMatchObject({ ok: false, error: { fields: { text: 'common:fields.REQUIRED' } } });
    const noted = await t.commands.addNote({ customerId: profiled.id, text: ' likes the window seat ' });
    expect(noted.ok && noted.value.timeline.map((n) => [n.text, n.by])).toEqual([['first visit', seed.cashier.id], ['likes the window seat', seed.cashier.id]]);
    const withdrawn = await t.commands.recordConsent({ customerId: profiled.id, channel: 'sms', granted: false, source: 'customer-request' });
    expect(withdrawn.ok && [withdrawn.value.consent.length, consentState(withdrawn.value.consent, 'sms').granted]).toEqual([2, false]);
    expect(await t.commands.recordConsent({ customerId: profiled.id, channel: 'sms', granted: true, source: 'migrated' } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });

    expect(await t.commands.saveTagCatalogue({ tags: [{ name: 'VIP', colour: 'purple' }] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // The server took every write as it was made (nothing quarantined).
    await t.sync.awaitInSync();
    const { rows } = await tdb.db.query<{ doc: Customer }>(`SELECT doc FROM customers WHERE id = $1`, [profiled.id]);
    expect(rows[0]!.doc).toMatchObject({ company: 'Sol Co', timeline: [{ text: 'first visit' }, { text: 'likes the window seat' }], consent: [{ state: 'granted' }, { state: 'withdrawn', source: 'customer-request' }] });
  });

  it('visits before Patron: a manager corrects them on the edit form, checked; a cashier’s change is refused and writes nothing', async () => {
    const t = await terminal();
    await asCashier(t);
    const customer = await signUp(t);
    const form = details({ phone: customer.phone, name: customer.name });
    expect(await t.commands.signUp(details({ priorVisits: '12' }))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.commands.editCustomer({ ...form, priorVisits: '12', customerId: customer.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // A cashier's form has no count: an edit of another field leaves it.
    expect(await t.commands.editCustomer({ ...form, company: 'Sol Co', customerId: customer.id })).toMatchObject({ ok: true, value: { company: 'Sol Co' } });
    await asManager(t);
    for (const bad of ['-1', '2.5', 'ten', '100001']) {
      expect(await t.commands.editCustomer({ ...form, priorVisits: bad, customerId: customer.id })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { priorVisits: 'common:fields.INVALID_VISITS' } } });
    }
    const edited = await t.commands.editCustomer({ ...form, company: 'Sol Co', priorVisits: '۳۰', customerId: customer.id });
    expect(edited).toMatchObject({ ok: true, value: { priorVisits: 30, company: 'Sol Co' } });
    await t.sync.awaitInSync();
    const { rows } = await tdb.db.query<{ doc: Customer }>(`SELECT doc FROM customers WHERE id = $1`, [customer.id]);
    expect(rows[0]!.doc.priorVisits).toBe(30);
    expect((await tdb.db.query(`SELECT reason FROM rejected_writes WHERE terminal_id = $1`, [t.identity.terminalId])).rows).toEqual([]);
  });

  it('record a visit with its earning at the group’s tier; a blocked customer earns nothing', async () => {
    const t = await terminal();
    await asCashier(t);
    const customer = await signUp(t);
    const recorded = await t.commands.recordVisit({ customerId: customer.id, items: [], amount: 1_500_000, paymentMethod: 'card' });
    expect(recorded).toMatchObject({ ok: true, value: { total: 1_500_000, pointsEarned: 1_500 } });
    const visitId = recorded.ok ? recorded.value.id : '';
    expect(await balanceOf(t, customer.id)).toBe(1_500);
    const earn = await firstValueFrom(t.queries.entries$([customer.id]));
    expect(earn.map((e) => e.id)).toEqual([earnEntryId(visitId)]);

    const blocked = await signUp(t, { status: 'active' });
    await t.commands.editCustomer({ ...details({ phone: blocked.phone, name: blocked.name }), status: 'blocked', customerId: blocked.id });
    expect(await t.commands.recordVisit({ customerId: blocked.id, items: [], amount: 900_000, paymentMethod: 'cash' })).toMatchObject({ ok: true, value: { pointsEarned: 0 } });
    expect(await firstValueFrom(t.queries.entries$([blocked.id]))).toEqual([]);
    expect(await t.commands.redeem({ customerId: blocked.id, points: 1 })).toMatchObject({ ok: false, error: { code: 'CUSTOMER_BLOCKED' } });
  });

  it('complete a visit and its earning after a crash between the two writes — on restart, and on a retry — never twice', async () => {
    const { storage, failNextWriteTo } = crashableStorage();
    const name = `crash${Date.now()}`;
    const first = await terminal({ storage, name });
    await asCashier(first);
    const customer = await signUp(first);
    failNextWriteTo('loyaltyEntries');
    const attempt = await first.commands.recordVisit({ customerId: customer.id, items: [], amount: 250_000, paymentMethod: 'cash' });
    expect(attempt).toMatchObject({ ok: false, error: { code: 'WRITE_FAILED' } });
    expect(await firstValueFrom(first.queries.entries$([customer.id]))).toEqual([]);
    await first.close();
    open.splice(0);

    // The same replica opened again (the storage keeps it): the journal completes the pair.
    const second = await openTestTerminal({ serverUrl: url, storage, name, credentials: first.credentials });
    open.push(second);
    const [visit] = await firstValueFrom(second.queries.visits$([customer.id]));
    expect(visit?.pointsEarned).toBe(250);
    expect((await firstValueFrom(second.queries.entries$([customer.id]))).map((e) => e.id)).toEqual([earnEntryId(visit!.id)]);

    // A retry of the same form (same id) writes nothing new.
    await asCashier(second);
    const retry = await second.commands.recordVisit({ id: visit!.id, customerId: customer.id, items: [], amount: 250_000, paymentMethod: 'cash' });
    expect(retry).toMatchObject({ ok: true, value: { id: visit!.id } });
    expect(await balanceOf(second, customer.id)).toBe(250);
    await second.sync.awaitInSync();
    const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM loyalty_entries WHERE doc->>'customerId' = $1`, [customer.id]);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('void a visit once: the flag and a reversal of its earning, as one completed pair', async () => {
    const t = await terminal();
    await asCashier(t);
    const customer = await signUp(t);
    const recorded = await t.commands.recordVisit({ customerId: customer.id, items: [{ name: 'Latte', quantity: 2, unitPrice: 300_000 }], paymentMethod: 'cash' });
    if (!recorded.ok) throw new Error(recorded.error.code);
    expect(await t.commands.voidVisit({ visitId: recorded.value.id, reason: '   ' })).toMatchObject({ ok: false, error: { fields: { reason: 'common:fields.REQUIRED' } } });
    expect(await t.commands.voidVisit({ visitId: recorded.value.id, reason: 'wrong customer' })).toMatchObject({ ok: true, value: { voided: true, voidedBy: seed.cashier.id } });
    expect(await t.commands.voidVisit({ visitId: recorded.value.id, reason: 'again' })).toMatchObject({ ok: false, error: { code: 'ALREADY_VOIDED' } });
    const entries = await firstValueFrom(t.queries.entries$([customer.id]));
    expect(entries.map((e) => [e.kind, e.points])).toEqual([['earn', 600], ['reversal', -600]]);
    expect(entries[1]!.id).toBe(reversalEntryId(earnEntryId(recorded.value.id)));
    expect(await balanceOf(t, customer.id)).toBe(0);
  });

  it('redeem within the balance online; offline only within the cap, counting what this till redeemed', async () => {
    const network = switchableFetch();
    const t = await terminal({ fetch: network.fetch });
    await asCashier(t);
    const customer = await signUp(t);
    await t.commands.recordVisit({ customerId: customer.id, items: [], amount: 3_000_000, paymentMethod: 'cash' });
    await t.sync.awaitInSync();
    expect(await t.commands.redeem({ customerId: customer.id, points: 3_001 })).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_POINTS' } });
    expect(await t.commands.redeem({ customerId: customer.id, points: 1_000 })).toMatchObject({ ok: true, value: { kind: 'redeem', points: -1_000, offline: false } });
    await t.sync.awaitInSync();

    // The network dies; the status still says online until a request fails. Above the cap, the redemption
    // asks the server, gets no answer, and counts as offline: refused.
    network.offline = true;
    expect(await t.commands.redeem({ customerId: customer.id, points: 600 })).toMatchObject({ ok: false, error: { code: 'OFFLINE_REDEEM_CAP' } });
    expect(await t.commands.redeem({ customerId: customer.id, points: 300 })).toMatchObject({ ok: true, value: { offline: true } });
    expect(await t.commands.redeem({ customerId: customer.id, points: 201 })).toMatchObject({ ok: false, error: { code: 'OFFLINE_REDEEM_CAP', details: { used: '300' } } });
    expect(await t.commands.redeem({ customerId: customer.id, points: 200 })).toMatchObject({ ok: true });
    network.offline = false;
  });

  it('save the program, segments, rewards and customer groups, and tag a selection, as a manager; invalid input writes nothing; cashiers may not', async () => {
    const t = await terminal();
    await asManager(t);
    const program = { ...DEFAULT_PROGRAM, earnPoints: 2, offlineRedeemCap: 800 };
    expect(await t.commands.saveProgram({ program })).toEqual({ ok: true, value: undefined });
    expect(t.settings$.getValue().program).toEqual(program);
    expect(await t.commands.saveProgram({ program: { ...program, earnPer: 0 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(t.settings$.getValue().program.earnPer).toBe(program.earnPer);

    const reward = { name: ' Free cake ', description: '', type: 'freeItem' as const, itemName: 'Cake', pointsCost: 400, value: 0, stock: 3, minTier: null, validFrom: '2026-01-01', validUntil: '2025-12-31', active: true };
    expect(await t.commands.saveReward(reward)).toMatchObject({ ok: false, error: { fields: { validUntil: 'common:fields.DATE_ORDER' } } });
    const saved = await t.commands.saveReward({ ...reward, validUntil: null });
    expect(saved).toMatchObject({ ok: true, value: { name: 'Free cake', updatedBy: seed.manager.id } });
    if (!saved.ok) return;
    expect(await t.commands.saveReward({ ...reward, validUntil: null, id: saved.value.id, pointsCost: 450 })).toMatchObject({ ok: true, value: { pointsCost: 450 } });
    expect((await firstValueFrom(t.queries.rewards$())).map((r) => r.pointsCost)).toContain(450);
    expect(await t.commands.removeReward({ id: saved.value.id })).toEqual({ ok: true, value: undefined });
    expect((await firstValueFrom(t.queries.rewards$())).map((r) => r.id)).not.toContain(saved.value.id);

    // The customers list: a saved group, a tag added to a selection in one command; the statistics see both.
    const [a, b, c] = [await signUp(t, { tags: ['vip'] }), await signUp(t), await signUp(t)];
    expect(await t.commands.recordVisit({ customerId: a.id, items: [], amount: 500_000, paymentMethod: 'cash' })).toMatchObject({ ok: true });
    const tagged = await t.commands.tagCustomers({ customerIds: [a.id, b.id, c.id], tag: 'team', action: 'add' });
    expect(tagged).toEqual({ ok: true, value: { changed: 3, skipped: 0, missing: 0 } });
    expect(await t.commands.tagCustomers({ customerIds: [c.id], tag: 'team', action: 'remove' })).toEqual({ ok: true, value: { changed: 1, skipped: 0, missing: 0 } });
    const group = await t.commands.saveGroup({ name: 'Team buyers', filter: { ...EMPTY_FILTER, tags: ['team'], visitsMin: 1 } });
    expect(group).toMatchObject({ ok: true, value: { name: 'Team buyers', updatedBy: seed.manager.id } });
    if (!group.ok) return;
    const rows = await t.queries.stats.rows();
    expect(rows.find((r) => r.id === a.id)).toMatchObject({ tags: ['vip', 'team'], visits: 1, spend: 500_000 });
    expect(selectCustomers(rows, group.value.filter, { key: 'name', dir: 'asc' }).map((r) => r.id)).toEqual([a.id]);
    expect(await t.commands.saveGroup({ id: group.value.id, name: ' ' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });

    // The tag catalogue: names once (case ignored), trimmed.
    const duplicate = await t.commands.saveTagCatalogue({ tags: [{ name: 'VIP', colour: 'purple' }, { name: ' vip ', colour: 'red' }] });
    expect(duplicate).toMatchObject({ ok: false, error: { fields: { 'tags.1.name': 'common:fields.DUPLICATE_TAG' } } });
    expect(await t.commands.saveTagCatalogue({ tags: [{ name: ' VIP ', colour: 'purple' }] })).toMatchObject({ ok: true });
    expect(t.settings$.getValue().tagCatalogue).toEqual([{ name: 'VIP', colour: 'purple' }]);

    await asCashier(t);
    expect(await t.commands.saveGroup({ name: 'Mine', filter: EMPTY_FILTER })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.commands.tagCustomers({ customerIds: [b.id], tag: 'x', action: 'add' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.commands.removeGroup({ id: group.value.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('settle an inbox item as a manager: the settling write, then the status, both replicated', async () => {
    // Two offline tills signed the same number up: the server merged the pair and raised a duplicate item.
    const till = await enrolTerminal(app, tdb.db, seed, 'Other till');
    const phone = nextPhone();
    const [kept, merged] = [aCustomer(till.ctx(seed.cashier), { phone, name: 'Nima Farahani' }), aCustomer(till.ctx(seed.cashier), { phone, name: 'Nima Farahany' })];
    await till.push('customers', [insertRow(kept), insertRow(merged)]);
    const t = await terminal();
    await asManager(t);
    let itemId = '';
    await eventually(async () => {
      const items = await firstValueFrom(t.queries.items$(false));
      itemId = items.find((item) => item.kind === 'duplicate' && (item.relatedId === merged.id || item.customerId === merged.id || item.details.merged === merged.id))?.id ?? '';
      return itemId !== '';
    }, 10_000, 'the duplicate item');
    expect(await t.commands.resolveInboxItem({ itemId, action: 'settle' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await t.commands.resolveInboxItem({ itemId, action: 'undoMerge' })).toEqual({ ok: true, value: undefined });
    await t.sync.awaitInSync();
    const { rows } = await tdb.db.query<{ item: { status: string; resolvedBy: string }; loser: { mergedInto: string | null } }>(
      `SELECT (SELECT doc FROM inbox WHERE id = $1) AS item, (SELECT doc FROM customers WHERE id = $2) AS loser`,
      [itemId, merged.id],
    );
    expect(rows[0]).toMatchObject({ item: { status: 'resolved', resolvedBy: seed.manager.id }, loser: { mergedInto: null } });
    expect(await t.commands.resolveInboxItem({ itemId, action: 'reopen' })).toEqual({ ok: true, value: undefined });
    expect((await firstValueFrom(t.queries.items$(false))).map((item) => item.id)).toContain(itemId);
  });

  // Issue 18 item 2 and issue 17 item 3: corrections as commands, offline too, accepted by the server's ledger rules.
  async function correcting() {
    const network = switchableFetch();
    const t = await terminal({ fetch: network.fetch });
    await asCashier(t);
    return { t, network, manager: { staffId: seed.manager.id, pin: '987654' } };
  }
  const spendable = (t: Terminal, id: string) => firstValueFrom(t.queries.standing$([id])).then((s) => s.balance);
  /** Every local line is still there after a round trip: the server accepted them all (a refusal tombstones it here). */
  async function acceptedByServer(t: Terminal, id: string, lines: number) {
    await t.sync.awaitInSync();
    const rejected = await tdb.db.query(`SELECT reason FROM rejected_writes WHERE merchant_id = $1 AND collection = 'loyaltyEntries'`, [seed.merchantId]);
    expect(rejected.rows).toEqual([]);
    expect(await firstValueFrom(t.queries.entries$([id]))).toHaveLength(lines);
  }

  it('adjusts with a required reason within the cashier’s limit; above it only with a manager’s PIN; offline too', async () => {
    const { t, network, manager } = await correcting();
    const c = await signUp(t, { name: 'Adjusted Customer' });
    expect(await t.commands.adjustPoints({ customerId: c.id, points: 50, reason: '  ' })).toMatchObject({ ok: false, error: { fields: { reason: 'common:fields.REQUIRED' } } });
    expect(await t.commands.adjustPoints({ customerId: c.id, points: 50, reason: 'birthday cake' })).toMatchObject({ ok: true, value: { kind: 'adjust', points: 50, note: 'birthday cake', staffId: seed.cashier.id } });
    expect(await t.commands.adjustPoints({ customerId: c.id, points: 500, reason: 'lost card' })).toMatchObject({ ok: false, error: { code: 'APPROVAL_REQUIRED' } });
    expect(await t.commands.adjustPoints({ customerId: c.id, points: 500, reason: 'lost card', approval: { ...manager, pin: '0000' } })).toMatchObject({ ok: false, error: { code: 'PIN_INVALID' } });
    expect(await t.commands.adjustPoints({ customerId: c.id, points: 500, reason: 'lost card', approval: manager })).toMatchObject({ ok: true, value: { staffId: seed.manager.id } });
    expect(await t.commands.adjustPoints({ customerId: c.id, points: 2_000_000, reason: 'too much', approval: manager })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    network.offline = true;
    expect(await t.commands.adjustPoints({ customerId: c.id, points: -20, reason: 'typo' })).toMatchObject({ ok: true });
    network.offline = false;
    expect(await spendable(t, c.id)).toBe(530);
    await acceptedByServer(t, c.id, 3);
  });

  it('undoes a redemption once, for its amount; refunds a visit, keeping it marked refunded', async () => {
    const { t } = await correcting();
    const c = await signUp(t, { name: 'Undo Customer' });
    const visit = await t.commands.recordVisit({ customerId: c.id, items: [], amount: 2_000_000, paymentMethod: 'cash' });
    if (!visit.ok) throw new Error(visit.error.code);
    await t.sync.awaitInSync();
    const redeemed = await t.commands.redeem({ customerId: c.id, points: 700 });
    if (!redeemed.ok) throw new Error(redeemed.error.code);
    expect(await t.commands.undoRedemption({ entryId: redeemed.value.id, reason: 'wrong customer' })).toMatchObject({ ok: true, value: { kind: 'reversal', points: 700, reversesId: redeemed.value.id } });
    expect(await t.commands.undoRedemption({ entryId: redeemed.value.id, reason: 'again' })).toMatchObject({ ok: false, error: { code: 'ALREADY_REVERSED' } });
    expect(await t.commands.undoRedemption({ entryId: visit.value.id, reason: 'not a redemption' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await spendable(t, c.id)).toBe(visit.value.pointsEarned); // (an earlier test changed the programme)
    const refunded = await t.commands.voidVisit({ visitId: visit.value.id, reason: 'returned the cake', refund: true });
    expect(refunded.ok && isRefund(refunded.value)).toBe(true);
    expect(await spendable(t, c.id)).toBe(0);
    await acceptedByServer(t, c.id, 4);
  });

  it('a void that would leave the balance negative shows its impact and needs a manager’s PIN', async () => {
    const { t, manager } = await correcting();
    // Issue 17: a 1,500,000 visit (+1,500), a 1,000 redemption, then the void → −1,000.
    const c = await signUp(t, { name: 'Void Customer' });
    const visit = await t.commands.recordVisit({ customerId: c.id, items: [], amount: 1_500_000, paymentMethod: 'cash' });
    if (!visit.ok) throw new Error(visit.error.code);
    await t.sync.awaitInSync();
    expect(await t.commands.redeem({ customerId: c.id, points: 1_000 })).toMatchObject({ ok: true });
    const earned = visit.value.pointsEarned; // 1,500 under the default programme (an earlier test changed it)
    expect(await t.queries.voidImpact(visit.value.id, Date.now())).toEqual({ points: -earned, balanceBefore: earned - 1_000, balanceAfter: -1_000, approval: 'negative' });
    expect(await t.commands.voidVisit({ visitId: visit.value.id, reason: 'mistake' })).toMatchObject({ ok: false, error: { code: 'APPROVAL_REQUIRED' } });
    expect(await t.commands.voidVisit({ visitId: visit.value.id, reason: 'mistake', approval: manager })).toMatchObject({ ok: true, value: { voidedBy: seed.manager.id } });
    expect(await spendable(t, c.id)).toBe(-1_000);
    await acceptedByServer(t, c.id, 3);
  });

  it('imports in batches as a manager only, within the adjustment limit; undo keeps what was touched since (docs/directory.md#undo)', async () => {
    const t = await terminal();
    await asCashier(t);
    const existing = await signUp(t, { name: 'Already Here', tags: ['old'] });
    const importId = newId();
    const phones = [nextPhone(), nextPhone(), nextPhone()];
    const e164 = (national: string) => `+98${national.slice(1)}`;
    const row = (line: number, phone: string, extra: object = {}) => ({ line, name: `Imported ${line}`, phone: e164(phone), email: null, birthday: null, anniversary: null, notes: '', tags: [], marketingConsent: false, memberCode: null, points: 0, visits: 0, ...extra });
    const batch = {
      importId, fileName: 'shop.csv', batch: 0,
      creates: [row(2, phones[0]!, { points: 100, visits: 30 }), row(3, phones[1]!), row(4, phones[2]!)],
      merges: [{ customerId: existing.id, rows: [row(5, existing.phone, { email: 'here@example.com', tags: ['vip'], visits: 8 })] }],
    };
    expect(await t.commands.importBatch(batch)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await asManager(t);
    expect(await t.commands.importBatch({ ...batch, creates: [row(2, phones[0]!, { points: DEFAULT_PROGRAM.managerAdjustLimit + 1 })], merges: [] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.commands.importBatch(batch)).toEqual({ ok: true, value: { created: 3, merged: 1, points: 100 } });
    // A retried batch collides on its derived ids: nothing twice.
    await t.commands.importBatch({ ...batch, merges: [] });
    const [untouched, edited, served] = [2, 3, 4].map((line) => importedCustomerId(importId, line)) as [string, string, string];
    expect(await balanceOf(t, untouched)).toBe(100);
    expect(await t.sync.settled(20_000)).toBe(true);
    const onServer = async () => {
      const { rows } = await tdb.db.query<{ id: string; deleted: boolean; doc: Customer }>(`SELECT id, deleted, doc FROM customers WHERE id = ANY($1::text[])`, [[untouched, edited, served, existing.id]]);
      return Object.fromEntries(rows.map((r) => [r.id, { deleted: r.deleted, email: r.doc.email, tags: r.doc.tags, priorVisits: r.doc.priorVisits ?? 0 }]));
    };
    expect(Object.values(await onServer()).filter((c) => !c.deleted)).toHaveLength(4);
    // The created row's visits before Patron, and the merged row's filling the existing customer's 0.
    expect(await onServer()).toMatchObject({ [untouched]: { priorVisits: 30 }, [existing.id]: { priorVisits: 8 } });

    // After the import: one created customer edited, one served, and the merged customer's tags edited.
    await t.commands.editCustomer({ ...details({ phone: phones[1]!, name: 'Imported Three' }), customerId: edited! });
    await t.commands.recordVisit({ customerId: served!, items: [], amount: 100_000, paymentMethod: 'cash' });
    await t.commands.editCustomer({ ...details({ phone: existing.phone, name: 'Already Here', email: 'here@example.com', tags: ['old', 'vip', 'regular'] }), customerId: existing.id });

    expect(await t.commands.undoImport({ importId })).toEqual({ ok: true, value: { removed: 1, kept: 2, restored: 1 } });
    expect(await balanceOf(t, untouched)).toBe(0);
    expect(await t.commands.undoImport({ importId })).toMatchObject({ ok: false, error: { code: 'ALREADY_REVERSED' } });
    expect(await t.sync.settled(20_000)).toBe(true);
    // The untouched customer is gone everywhere; the merged one's e-mail goes back, its tags edited since stay.
    expect(await onServer()).toMatchObject({
      [untouched]: { deleted: true },
      [edited]: { deleted: false },
      [served]: { deleted: false },
      [existing.id]: { deleted: false, email: null, tags: ['old', 'vip', 'regular'], priorVisits: 0 },
    });
    expect((await tdb.db.query(`SELECT reason FROM rejected_writes WHERE terminal_id = $1`, [t.identity.terminalId])).rows).toEqual([]);
  });

  it('an import in adaptive batches writes every row exactly once while the batch size changes, and undo finds them all (import-run.ts)', async () => {
    const t = await terminal();
    await asManager(t);
    const target = await signUp(t, { name: 'Merge Target' });
    const e164 = (national: string) => `+98${national.slice(1)}`;
    const row = (line: number, phone: string, extra: object = {}) => ({ line, name: `Batched ${line}`, phone: e164(phone), email: null, birthday: null, anniversary: null, notes: '', tags: [], marketingConsent: false, memberCode: null, points: line % 10 === 0 ? 10 : 0, visits: 0, ...extra });
    const creates = Array.from({ length: 1_100 }, (_, i) => row(i + 2, nextPhone()));
    const plan = { creates, merges: [{ customerId: target.id, rows: [row(2_000, target.phone, { email: 'target@example.com' })] }], skipped: [] };
    const sizes: number[] = [];
    const batches: number[] = [];
    const commands = {
      importBatch: (input: Parameters<Terminal['commands']['importBatch']>[0]) => {
        sizes.push(input.creates.length);
        batches.push(input.batch);
        return t.commands.importBatch(input);
      },
    };
    // A budget of 0 ms: every batch is over it, so each next one halves, down to the smallest size.
    const outcome = await runImport(commands, 'adaptive.csv', plan, () => {}, 0);
    expect(outcome).toMatchObject({ ok: true, created: 1_100, merged: 1, points: 1_100 });
    expect(sizes).toEqual([BATCH_ROWS, BATCH_ROWS / 2, BATCH_ROWS / 4, MIN_BATCH_ROWS, MIN_BATCH_ROWS, 1_100 - BATCH_ROWS - BATCH_ROWS / 2 - BATCH_ROWS / 4 - 2 * MIN_BATCH_ROWS]);
    expect(batches).toEqual(sizes.map((_, i) => i));
    if (!outcome.ok) throw new Error('import refused');
    expect(await t.sync.settled(30_000)).toBe(true);
    const ids = creates.map((r) => importedCustomerId(outcome.importId, r.line));
    const onServer = async () => (await tdb.db.query<{ id: string }>(`SELECT id FROM customers WHERE id = ANY($1::text[]) AND NOT deleted`, [ids])).rows.length;
    expect(await onServer()).toBe(1_100);
    expect((await t.queries.recentImports())[0]).toMatchObject({ id: outcome.importId, batches: sizes.length, created: 1_100, merged: 1 });
    // The records of batches of every size cover each created customer once: undo removes them all.
    expect(await t.commands.undoImport({ importId: outcome.importId })).toEqual({ ok: true, value: { removed: 1_100, kept: 0, restored: 1 } });
    expect(await t.sync.settled(30_000)).toBe(true);
    expect(await onServer()).toBe(0);
  }, 180_000);

  it('the batch size halves after a slow batch and doubles after a quick one, within its bounds', () => {
    expect(nextBatchRows(BATCH_ROWS, BATCH_BUDGET_MS + 1)).toBe(BATCH_ROWS / 2);
    expect(nextBatchRows(MIN_BATCH_ROWS, 10 * BATCH_BUDGET_MS)).toBe(MIN_BATCH_ROWS);
    expect(nextBatchRows(MIN_BATCH_ROWS, 0)).toBe(2 * MIN_BATCH_ROWS);
    expect(nextBatchRows(BATCH_ROWS, 0)).toBe(BATCH_ROWS);
    expect(nextBatchRows(200, (3 * BATCH_BUDGET_MS) / 4)).toBe(200);
  });

  it('sign up with member codes: numbered terminals, a sequence that survives a rebuilt replica, found on another till', async () => {
    // Each terminal learns its number once online; a sign-up's id then carries (number, sequence).
    const numbered = (t: Terminal) => eventually(async () => codeInId(await t.newCustomerId()) !== null, 10_000, 'the terminal number');
    const first = await terminal();
    await asCashier(first);
    await numbered(first);
    const ava = await signUp(first, { name: 'Ava First' });
    const [a, b] = [codeInId(ava.id)!, codeInId((await signUp(first, { name: 'Bea First' })).id)!];
    expect(b).toEqual({ terminal: a.terminal, sequence: a.sequence + 1 });
    await first.sync.awaitInSync();
    const { credentials } = first as Terminal & { credentials: CredentialStore };
    await first.close();
    open.splice(0);

    // The same terminal with its replica gone, rebuilt from the server: it never gives a sequence twice.
    const rebuilt = await terminal({ credentials });
    await asCashier(rebuilt);
    await numbered(rebuilt);
    const c = codeInId((await signUp(rebuilt, { name: 'Cyd Rebuilt' })).id)!;
    expect(c.terminal).toBe(a.terminal);
    expect(c.sequence).toBeGreaterThan(b.sequence);
    await rebuilt.sync.awaitInSync();
    await rebuilt.close();
    open.splice(0);

    const second = await terminal();
    await asCashier(second);
    await numbered(second);
    expect(codeInId((await signUp(second, { name: 'Dee Second' })).id)!.terminal).not.toBe(a.terminal);
    const code = memberCodeOf(ava.id);
    await eventually(() => second.queries.lookup.answer(code, 20)?.codeHolder === ava.id, 10_000, 'the code found on another till');
  });

  it('stamp cards: a visit stamps per coffee, a full card is redeemed offline too and carries over, a void takes its stamps back', async () => {
    const network = switchableFetch();
    const t = await terminal({ fetch: network.fetch });
    await asManager(t);
    const stampCard = { per: 'item' as const, stamps: 1, items: ['Coffee'], minTotal: 0, cardSize: 3, reward: 'A free coffee' };
    expect(await t.commands.saveProgram({ program: { ...DEFAULT_PROGRAM, earnsPoints: false, stampCard: { ...stampCard, items: [] } } })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await t.commands.saveProgram({ program: { ...DEFAULT_PROGRAM, earnsPoints: false, stampCard } })).toEqual({ ok: true, value: undefined });
    await asCashier(t);
    const customer = await signUp(t);
    const card = () => firstValueFrom(t.queries.stampCard$([customer.id]));
    const coffees = (quantity: number) => t.commands.recordVisit({ customerId: customer.id, items: [{ name: 'coffee', quantity, unitPrice: 50_000 }, { name: 'Cake', quantity: 1, unitPrice: 90_000 }], paymentMethod: 'cash' });
    const first = await coffees(2);
    // Stamps only: no points earned, two stamps.
    expect(first).toMatchObject({ ok: true, value: { pointsEarned: 0 } });
    expect(await card()).toMatchObject({ count: 2, onCard: 2, cardSize: 3, full: false });
    expect(await t.commands.redeemStampCard({ customerId: customer.id })).toMatchObject({ ok: false, error: { code: 'STAMP_CARD_NOT_FULL', details: { count: '2', size: '3' } } });
    await coffees(2);
    expect(await card()).toMatchObject({ count: 4, onCard: 3, full: true, carried: 1 });
    await t.sync.awaitInSync();
    const { rows } = await tdb.db.query<{ n: string }>(`SELECT COALESCE(SUM((doc->>'stamps')::int), 0)::text AS n FROM loyalty_entries WHERE doc->>'customerId' = $1`, [customer.id]);
    expect(rows[0]!.n).toBe('4');

    // Offline: the replica's count decides; the redemption and the void's reversal are written all the same.
    network.offline = true;
    expect(await t.commands.redeemStampCard({ customerId: customer.id })).toMatchObject({ ok: true, value: { kind: 'stamp_redeem', stamps: -3, points: 0, note: 'A free coffee' } });
    expect(await card()).toMatchObject({ count: 1, onCard: 1, full: false });
    if (!first.ok) return;
    expect(await t.commands.voidVisit({ visitId: first.value.id, reason: 'wrong customer' })).toMatchObject({ ok: true });
    expect(await card()).toMatchObject({ count: -1, onCard: 0 });
    network.offline = false;
    // The server's programme is shared by the tests after this one: points again, as they expect.
    await asManager(t);
    expect(await t.commands.saveProgram({ program: DEFAULT_PROGRAM })).toEqual({ ok: true, value: undefined });
    await t.sync.awaitInSync();
  });
  it('applies rewards on a sale as one write: discount, total, redemptions linked to the visit; completed once after a crash; caps held', async () => {
    const { storage, failNextWriteTo } = crashableStorage();
    const t = await terminal({ storage, name: `rewards${Date.now()}` });
    await asManager(t);
    const always = { description: '', stock: null, minTier: null, validFrom: null, validUntil: null, active: true };
    const tenPercent = await t.commands.saveReward({ ...always, name: '10% off', type: 'percentOff', percent: 10, pointsCost: 100, value: 0, cap: { count: 1, period: 'week' } });
    const cash = await t.commands.saveReward({ ...always, name: 'Points to rial', type: 'pointsToMoney', pointsCost: 100, value: 10_000 });
    expect(await t.commands.saveReward({ ...always, name: 'Bad', type: 'percentOff', percent: 0, pointsCost: 100, value: 0 })).toMatchObject({ ok: false, error: { fields: { percent: 'common:fields.PERCENT_RANGE' } } });
    if (!tenPercent.ok || !cash.ok) throw new Error('rewards not saved');
    const c = await signUp(t);
    await t.commands.recordVisit({ customerId: c.id, items: [], amount: 3_000_000, paymentMethod: 'cash' });
    await t.sync.awaitInSync();
    const before = await balanceOf(t, c.id);

    // 150 points at 100 = 10,000 are worth 15,000: more than a 10,000 sale.
    expect(await t.commands.recordVisit({ customerId: c.id, items: [], amount: 10_000, paymentMethod: 'cash', rewards: [{ rewardId: cash.value.id, points: 150 }] })).toMatchObject({ ok: false, error: { code: 'REWARD_NOT_APPLICABLE' } });
    const id = newId();
    const sale = { id, customerId: c.id, items: [], amount: 200_000, paymentMethod: 'cash' as const, rewards: [{ rewardId: tenPercent.value.id }, { rewardId: cash.value.id, points: 150 }] };
    failNextWriteTo('loyaltyEntries');
    expect(await t.commands.recordVisit(sale)).toMatchObject({ ok: false, error: { code: 'WRITE_FAILED' } });
    const retried = await t.commands.recordVisit(sale);
    expect(retried).toMatchObject({ ok: true, value: { id, subtotal: 200_000, discount: 35_000, total: 165_000 } });
    if (!retried.ok) return;
    expect(retried.value.rewards).toEqual([
      { rewardId: tenPercent.value.id, entryId: redeemEntryId(id, tenPercent.value.id), points: 100, discount: 20_000 },
      { rewardId: cash.value.id, entryId: redeemEntryId(id, cash.value.id), points: 150, discount: 15_000 },
    ]);
    const lines = (await firstValueFrom(t.queries.entries$([c.id]))).filter((e) => e.visitId === id);
    expect(lines.map((e) => [e.kind, e.points]).sort()).toEqual([['earn', retried.value.pointsEarned], ['redeem', -100], ['redeem', -150]].sort());
    expect(await balanceOf(t, c.id)).toBe(before - 250 + retried.value.pointsEarned);

    // Once a week: the next sale cannot have it again.
    expect(await t.commands.recordVisit({ customerId: c.id, items: [], amount: 100_000, paymentMethod: 'cash', rewards: [{ rewardId: tenPercent.value.id }] })).toMatchObject({ ok: false, error: { code: 'REWARD_UNAVAILABLE', details: { reason: 'cap' } } });
    await acceptedByServer(t, c.id, 4);
    const stored = await tdb.db.query<{ doc: { rewards?: unknown } }>(`SELECT doc FROM visits WHERE merchant_id = $1 AND id = $2`, [seed.merchantId, id]);
    expect(stored.rows[0]?.doc.rewards).toEqual(retried.value.rewards);
  });

  it('owners manage staff: a new member keyed on the terminal signs in; deactivated, nowhere; the server checks each write', async () => {
    const owner = await addStaff(tdb.db, seed.merchantId, { name: 'Nasrin', role: 'owner', pin: '246810' }, 'test');
    const t = await terminal({ signInTestStaff: false });
    const hostile = await enrolTerminal(app, tdb.db, seed, 'Hostile till', { signIn: false });
    const member = (id: string) => tdb.db.query<{ doc: Staff; public_key: string | null }>(`SELECT s.doc, k.public_key FROM staff s LEFT JOIN staff_keys k ON k.staff_id = s.id WHERE s.id = $1`, [id]).then((r) => r.rows[0]);
    const mina = { name: ' Mina ', role: 'cashier' as const, storeIds: [], pin: '۴۳۲۱', pinAgain: '4321' };

    // Only an owner, and only a PIN the role allows, typed twice.
    await asManager(t);
    expect(await t.commands.addStaffMember(mina)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await t.session.signIn(owner.id, '246810')).ok).toBe(true);
    expect(await t.commands.addStaffMember({ ...mina, role: 'manager' })).toMatchObject({ ok: false, error: { fields: { pin: 'common:fields.PIN_TOO_SHORT' } } });
    expect(await t.commands.addStaffMember({ ...mina, pinAgain: '4322' })).toMatchObject({ ok: false, error: { fields: { pinAgain: 'common:fields.PIN_MISMATCH' } } });
    expect(await t.commands.addStaffMember({ ...mina, storeIds: [newId()] })).toMatchObject({ ok: false, error: { fields: { storeIds: 'common:fields.INVALID' } } });
    const added = await t.commands.addStaffMember(mina);
    if (!added.ok) throw new Error(`add refused: ${added.error.code}`);
    expect(added.value).toMatchObject({ name: 'Mina', role: 'cashier', active: true, updatedBy: owner.id });
    // The new member signs in at once (their key is in their document) and works; the server took the key from the owner's write.
    t.session.signOut();
    expect((await t.session.signIn(added.value.id, '4321')).ok).toBe(true);
    const served = await signUp(t, { name: 'Served By Mina' });
    // Polled: the write is pushed once her session reaches the server, after her staff document.
    const servedBy = async () => (await tdb.db.query<{ by: string }>(`SELECT doc->>'updatedBy' AS by FROM customers WHERE id = $1`, [served.id])).rows;
    await eventually(async () => (await servedBy()).length > 0, 20_000, 'the customer Mina signed up on the server');
    expect(await servedBy()).toEqual([{ by: added.value.id }]);
    expect((await member(added.value.id))?.public_key).toBe(added.value.publicKey);

    // A manager's forged staff writes are quarantined: promoting Mina, and re-keying her (a new PIN's hash and key).
    await hostile.signIn(seed.manager, SEED_PINS.manager);
    await hostile.signIn(added.value, '4321');
    const stored = (await member(added.value.id))!.doc;
    const rekeyed = await keyedDoc(stored, '9999');
    const byManager = { updatedBy: seed.manager.id, updatedAt: new Date().toISOString() };
    const forged = await hostile.push('staff', [updateRow({ ...stored, ...byManager, role: 'owner' }, stored), updateRow({ ...stored, ...rekeyed, ...byManager }, stored)]);
    expect(forged.rejected.map((r) => r.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(await member(added.value.id)).toEqual({ doc: stored, public_key: added.value.publicKey });
    // Nor can an owner leave the business without an active owner, on the terminal or by a forged push.
    t.session.signOut();
    expect((await t.session.signIn(owner.id, '246810')).ok).toBe(true);
    expect(await t.commands.updateStaffMember({ id: owner.id, role: 'manager' })).toMatchObject({ ok: false, error: { code: 'LAST_OWNER' } });
    await hostile.signIn(owner, '246810');
    const ownerDoc = (await member(owner.id))!.doc;
    const lastOwner = await hostile.push('staff', [updateRow({ ...ownerDoc, active: false, updatedBy: owner.id, updatedAt: new Date().toISOString() }, ownerDoc)]);
    expect(lastOwner.rejected).toEqual([{ id: owner.id, code: 'FORBIDDEN' }]);
    // A cashier made a manager keeps no 4-digit PIN: the owner sets a new one with it, or the server refuses.
    const promoted = await hostile.push('staff', [updateRow({ ...stored, role: 'manager', updatedBy: owner.id, updatedAt: new Date().toISOString() }, stored)]);
    expect(promoted.rejected).toEqual([{ id: added.value.id, code: 'FORBIDDEN' }]);
    expect(await t.commands.updateStaffMember({ id: added.value.id, role: 'manager' })).toMatchObject({ ok: false, error: { fields: { pin: 'common:fields.PIN_TOO_SHORT' } } });

    // Deactivated: no sign-in here after the sync, no new session on the server, no write in her name there.
    expect(await t.commands.updateStaffMember({ id: added.value.id, active: false })).toMatchObject({ ok: true, value: { active: false } });
    expect(await t.sync.settled(10_000)).toBe(true);
    t.session.signOut();
    expect(await t.session.signIn(added.value.id, '4321')).toMatchObject({ ok: false, code: 'PIN_INVALID' });
    expect((await hostile.request('POST', '/v1/staff-sessions', await signedSession(hostile, added.value, '4321'))).statusCode).toBe(403);
    const late = aCustomer(hostile.ctx(added.value));
    expect((await hostile.push('customers', [insertRow(late)])).rejected).toEqual([{ id: late.id, code: 'FORBIDDEN' }]);

    // A new PIN re-keys the member: the old PIN opens nothing.
    expect((await t.session.signIn(owner.id, '246810')).ok).toBe(true);
    expect(await t.commands.updateStaffMember({ id: added.value.id, active: true })).toMatchObject({ ok: true });
    expect(await t.commands.resetStaffPin({ id: added.value.id, pin: '5678', pinAgain: '5678' })).toMatchObject({ ok: true });
    t.session.signOut();
    expect(await t.session.signIn(added.value.id, '4321')).toMatchObject({ ok: false, code: 'PIN_INVALID' });
    expect((await t.session.signIn(added.value.id, '5678')).ok).toBe(true);
    expect(await t.sync.settled(10_000)).toBe(true);
    expect((await member(added.value.id))?.public_key).not.toBe(added.value.publicKey);
  });
});
