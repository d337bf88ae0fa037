// The staff proof (docs/security.md#staff-proof): a terminal token alone cannot write as any staff member; a
// write in a member's name is accepted only inside a session that member signed, with their PIN, on the
// pushing terminal. Each attack below was accepted before the proof existed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer, voidVisit } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { MAX_SESSION_MS, signSession, unsealStaffKey, type StaffKey } from '../../../src/sync/model/staff-proof.ts';
import { AdminError, addStaff, setStaffPin } from '../../../src/sync/server/repositories/admin.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, SEED_PINS, signedSession, startServerFixture, type ServerFixture, type TestTerminal } from '../../helpers/sync-server.ts';

describe('staff proof (postgres)', () => {
  let f: ServerFixture;
  /** An enrolled terminal of the same store on which nobody has signed in. */
  let bare: TestTerminal;

  beforeAll(async () => {
    f = await startServerFixture('postgres');
    bare = await enrolTerminal(f.app, f.tdb.db, f.seed, 'Bare till', { signIn: false });
  }, 60_000);
  afterAll(() => f?.close());

  const quarantineReason = async (id: string) =>
    (await f.tdb.db.query<{ reason: string }>(`SELECT reason FROM rejected_writes WHERE document_id = $1`, [id])).rows.map((r) => r.reason);
  const keyOf = async (terminal: TestTerminal, staffId: string) =>
    ((await terminal.request('GET', '/v1/staff-keys')).json() as { keys: StaffKey[] }).keys.find((k) => k.staffId === staffId)!;

  it('a token alone cannot write in any member’s name: sign-ups, visits and earns are quarantined', async () => {
    const customer = aCustomer(bare.ctx(f.seed.manager));
    const sale = aVisit(bare.ctx(f.seed.cashier), customer.id, 400_000, 400);
    expect((await bare.push('customers', [insertRow(customer)])).rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
    expect((await bare.push('visits', [insertRow(sale.visit)])).rejected).toEqual([{ id: sale.visit.id, code: 'FORBIDDEN' }]);
    expect((await bare.push('loyaltyEntries', [insertRow(sale.earn!)])).rejected).toEqual([{ id: sale.earn!.id, code: 'FORBIDDEN' }]);
    expect(await quarantineReason(customer.id)).toEqual([expect.stringMatching(/no session signed by the member/)]);
    // The same rows from a terminal where the members signed in are accepted.
    expect(await f.till.push('customers', [insertRow({ ...customer, id: newId(), phone: '+989121110001' })])).toEqual({ conflicts: [], rejected: [] });
  });

  it('a session is accepted only with the member’s own signature, for the token’s terminal, at most 12 hours', async () => {
    const forged = await signedSession(bare, f.seed.cashier, SEED_PINS.cashier);
    // The cashier's key signing a session that names the manager.
    const asManager = { ...forged, session: { ...forged.session, staffId: f.seed.manager.id } };
    expect((await bare.request('POST', '/v1/staff-sessions', asManager)).statusCode).toBe(403);
    const resigned = await signSession((await unsealStaffKey(await keyOf(bare, f.seed.cashier.id), SEED_PINS.cashier))!, asManager.session);
    expect((await bare.request('POST', '/v1/staff-sessions', resigned)).statusCode).toBe(403);
    // Another terminal's session handed in with this token.
    const elsewhere = await signedSession(f.till, f.seed.cashier, SEED_PINS.cashier);
    expect((await bare.request('POST', '/v1/staff-sessions', elsewhere)).json()).toMatchObject({ error: { code: 'FORBIDDEN', details: { reason: 'the session names another terminal' } } });
    // Longer than 12 hours.
    const key = (await unsealStaffKey(await keyOf(bare, f.seed.cashier.id), SEED_PINS.cashier))!;
    const long = await signSession(key, { ...forged.session, id: randomUUID(), endsAt: new Date(Date.parse(forged.session.startsAt) + MAX_SESSION_MS + 1).toISOString() });
    expect((await bare.request('POST', '/v1/staff-sessions', long)).statusCode).toBe(422);
    // A wrong PIN does not open the key at all.
    expect(await unsealStaffKey(await keyOf(bare, f.seed.cashier.id), '4321')).toBeNull();
    expect((await bare.request('GET', '/v1/staff-keys')).body).not.toContain('"pin');
  });

  it('covers only its own window; a sign-out shortens it and nothing lengthens it', async () => {
    const terminal = await enrolTerminal(f.app, f.tdb.db, f.seed, 'Window till', { signIn: false });
    const signed = await signedSession(terminal, f.seed.cashier, SEED_PINS.cashier);
    expect((await terminal.request('POST', '/v1/staff-sessions', signed)).statusCode).toBe(200);
    const at = (ms: number) => ({ ...terminal.ctx(f.seed.cashier), now: new Date(ms).toISOString() });
    const start = Date.parse(signed.session.startsAt);
    const before = aCustomer(at(start - 60_000));
    const inside = aCustomer(at(start + 60_000));
    expect((await terminal.push('customers', [insertRow(before), insertRow(inside)])).rejected).toEqual([{ id: before.id, code: 'FORBIDDEN' }]);
    // Signed out a minute after the start: a write two minutes in is no longer covered.
    const key = (await unsealStaffKey(await keyOf(terminal, f.seed.cashier.id), SEED_PINS.cashier))!;
    const signedOut = await signSession(key, { ...signed.session, endsAt: new Date(start + 90_000).toISOString() });
    expect((await terminal.request('POST', '/v1/staff-sessions', signedOut)).statusCode).toBe(200);
    expect((await terminal.request('POST', '/v1/staff-sessions', signed)).statusCode).toBe(200);
    const late = aCustomer(at(start + 120_000));
    expect((await terminal.push('customers', [insertRow(late)])).rejected).toEqual([{ id: late.id, code: 'FORBIDDEN' }]);
  });

  it('a void is the voider’s write; an edit may carry a stamp made on another terminal, inside a real session', async () => {
    const cashierOnly = await enrolTerminal(f.app, f.tdb.db, f.seed, 'Cashier till', { signIn: false });
    await cashierOnly.signIn(f.seed.cashier, SEED_PINS.cashier);
    const customer = aCustomer(cashierOnly.ctx(f.seed.cashier));
    const sale = aVisit(cashierOnly.ctx(f.seed.cashier), customer.id, 100_000, 100);
    await cashierOnly.push('customers', [insertRow(customer)]);
    await cashierOnly.push('visits', [insertRow(sale.visit)]);
    const voided = voidVisit(sale.visit, sale.earn, 'test', cashierOnly.ctx(f.seed.manager));
    expect((await cashierOnly.push('visits', [updateRow(voided.visit, sale.visit)])).rejected).toEqual([{ id: sale.visit.id, code: 'FORBIDDEN' }]);
    // A merge that keeps the stored author and time needs no new proof (a terminal's three-way merge does that).
    const renamed = { ...editCustomer(customer, { name: 'Renamed Once' }, cashierOnly.ctx(f.seed.cashier), 'IR') };
    await cashierOnly.push('customers', [updateRow(renamed, customer)]);
    const kept = { ...renamed, company: 'merged on another till', updatedAt: renamed.updatedAt, updatedBy: renamed.updatedBy };
    expect(await bare.push('customers', [updateRow(kept, renamed)])).toEqual({ conflicts: [], rejected: [] });
    // An edit stamped by a member at a time they were signed in on another terminal: a merge may carry it.
    const elsewhere = { ...kept, company: 'merged again', updatedAt: new Date().toISOString() };
    expect(await bare.push('customers', [updateRow(elsewhere, kept)])).toEqual({ conflicts: [], rejected: [] });
    // … but not at a time no session of theirs covers, on any terminal.
    const forged = { ...elsewhere, company: 'forged', updatedAt: '2020-01-01T00:00:00.000Z' };
    expect((await bare.push('customers', [updateRow(forged, elsewhere)])).rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
    expect(await quarantineReason(customer.id)).toContainEqual(expect.stringMatching(/no session signed by the member covers this edit/));
    // A merge on a till where the member signed in may carry the other side's time, hours off (a skewed clock):
    // accepted as an edit, never as a new document.
    const skewed = { ...elsewhere, company: 'merged, a till two days ahead', updatedAt: new Date(Date.now() + 48 * 3_600_000).toISOString() };
    expect(await cashierOnly.push('customers', [updateRow(skewed, elsewhere)])).toEqual({ conflicts: [], rejected: [] });
    const ahead = aCustomer({ ...cashierOnly.ctx(f.seed.cashier), now: skewed.updatedAt });
    expect((await cashierOnly.push('customers', [insertRow(ahead)])).rejected).toEqual([{ id: ahead.id, code: 'FORBIDDEN' }]);
  });

  it('managers and owners need six digits; a new PIN re-keys the member and the old one opens nothing', async () => {
    await expect(addStaff(f.tdb.db, f.seed.merchantId, { name: 'Short Pin', role: 'manager', pin: '12345' }, 'test')).rejects.toThrow(AdminError);
    const owner = await addStaff(f.tdb.db, f.seed.merchantId, { name: 'Owner Six', role: 'owner', pin: '123456' }, 'test');
    const before = await keyOf(bare, owner.id);
    await expect(setStaffPin(f.tdb.db, f.seed.merchantId, owner.id, '1234', 'test')).rejects.toThrow(/at least 6 digits/);
    await setStaffPin(f.tdb.db, f.seed.merchantId, owner.id, '654321', 'test');
    const after = await keyOf(bare, owner.id);
    expect(after.publicKey).not.toBe(before.publicKey);
    expect(await unsealStaffKey(after, '123456')).toBeNull();
    expect(await unsealStaffKey(after, '654321')).not.toBeNull();
    // A session signed with the old key is no longer accepted.
    const stale = await signSession((await unsealStaffKey(before, '123456'))!, (await signedSession(bare, owner, '654321')).session);
    expect((await bare.request('POST', '/v1/staff-sessions', stale)).statusCode).toBe(403);
  });
});
