import { firstValueFrom, filter } from 'rxjs';
import type { RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../../src/sync/client/auth.ts';
import type { Terminal } from '../../../src/sync/client/terminal.ts';
import { codeInId, memberCodeOf } from '../../../src/sync/model/member-code.ts';
import { earnEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import type { CustomerInput } from '../../../src/sync/model/customer-input.ts';
import { isRefund } from '../../../src/sync/model/ledger-rules.ts';
import { DEFAULT_PROGRAM } from '../../../src/sync/model/settings.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { addStaff, createEnrolmentCode, setStaffPin } from '../../../src/sync/server/repositories/admin.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { hashPin } from '../../../src/sync/model/pin.ts';
import { createStaffKey } from '../../../src/sync/model/staff-proof.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { MAX_SESSION_MS } from '../../../src/sync/model/staff-proof.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, nextPhone, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, SEED_PINS, seedMerchant, signedSession, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, openTestTerminal, switchableFetch } from '../../helpers/terminal.ts';

// Every command of the terminal (src/sync/client/commands) against its rules, in Node: a whole terminal on
// RxDB memory storage, replicating with the real server over HTTP (PGlite), staff signed in with their PINs.

const details = (overrides: Partial<CustomerInput> = {}): CustomerInput => ({
  phone: nextPhone(),
  name: 'Maryam Tehrani',
  email: '',
  birthday: '',
  anniversary: '',
  notes: '',
  favorites: [],
  allergies: [],
  preferredTime: '',
  marketingConsent: false,
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
    expect(await t.commands.saveReward({ name: 'Cake', description: '', pointsCost: 100, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true })).toMatchObject({
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

    const edited = await t.commands.editCustomer({ ...details({ phone, name: 'Reza Karimi', tags: ['tea'] }), notes: 'likes the window seat', customerId: customer.id });
    expect(edited).toMatchObject({ ok: true, value: { notes: 'likes the window seat', phoneKey: customer.phoneKey } });
    const newPhone = nextPhone();
    const moved = await t.commands.editCustomer({ ...details({ phone: newPhone, name: 'Reza Karimi', tags: ['tea'] }), notes: 'likes the window seat', customerId: customer.id });
    expect(moved.ok && moved.value.phoneKey).not.toBe(customer.phoneKey);
    expect((await t.queries.lookup.find(newPhone.slice(-4), 20)).map((c) => c.id)).toContain(customer.id);
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

  it('save the program, segments and rewards as a manager; invalid settings write nothing', async () => {
    const t = await terminal();
    await asManager(t);
    const program = { ...DEFAULT_PROGRAM, earnPoints: 2, offlineRedeemCap: 800 };
    expect(await t.commands.saveProgram({ program })).toEqual({ ok: true, value: undefined });
    expect(t.settings$.getValue().program).toEqual(program);
    expect(await t.commands.saveProgram({ program: { ...program, earnPer: 0 } })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(t.settings$.getValue().program.earnPer).toBe(program.earnPer);

    const reward = { name: ' Free cake ', description: '', pointsCost: 400, value: 0, stock: 3, minTier: null, validFrom: '2026-01-01', validUntil: '2025-12-31', active: true };
    expect(await t.commands.saveReward(reward)).toMatchObject({ ok: false, error: { fields: { validUntil: 'common:fields.DATE_ORDER' } } });
    const saved = await t.commands.saveReward({ ...reward, validUntil: null });
    expect(saved).toMatchObject({ ok: true, value: { name: 'Free cake', updatedBy: seed.manager.id } });
    if (!saved.ok) return;
    expect(await t.commands.saveReward({ ...reward, validUntil: null, id: saved.value.id, pointsCost: 450 })).toMatchObject({ ok: true, value: { pointsCost: 450 } });
    expect((await firstValueFrom(t.queries.rewards$())).map((r) => r.pointsCost)).toContain(450);
    expect(await t.commands.removeReward({ id: saved.value.id })).toEqual({ ok: true, value: undefined });
    expect((await firstValueFrom(t.queries.rewards$())).map((r) => r.id)).not.toContain(saved.value.id);
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
    expect(await t.sync.settled(10_000)).toBe(true);
    expect((await member(added.value.id))?.public_key).toBe(added.value.publicKey);
    expect((await tdb.db.query(`SELECT doc->>'updatedBy' AS by FROM customers WHERE id = $1`, [served.id])).rows).toEqual([{ by: added.value.id }]);

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
