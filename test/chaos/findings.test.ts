import { afterAll, describe, expect, it } from 'vitest';
import { createSyncApi } from '../../src/sync/client/api.ts';
import { createTokenSource, memoryCredentialStore } from '../../src/sync/client/auth.ts';
import { RejectedRows, conflictHandlers } from '../../src/sync/client/database.ts';
import { createStatusStore } from '../../src/sync/client/status.ts';
import { SYSTEM_ACTOR_ID } from '../../src/sync/model/common.ts';
import type { Customer } from '../../src/sync/model/customer.ts';
import { editCustomer, newCustomer, newVisit, voidVisit, type WriteContext } from '../../src/sync/model/document-builders.ts';
import { newId } from '../../src/sync/model/ids.ts';
import { DEFAULT_PROGRAM } from '../../src/sync/model/settings.ts';
import type { Staff } from '../../src/sync/model/staff.ts';
import type { Visit } from '../../src/sync/model/visit.ts';
import { createEnrolmentCode } from '../../src/sync/server/repositories/admin.ts';
import { checkWrite } from '../../src/sync/server/sync/rules.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seedMerchant } from '../helpers/sync-server.ts';
import { ServerHost } from './server-host.ts';
import { TerminalHost } from './terminal-host.ts';

// Deterministic reproductions of what the randomised suite (convergence.test.ts) found, one per cause, so a
// fix has a tight loop. Each is a contract between two real modules (the client's conflict handling and
// the server's rules, the client's fetch and a dead connection, RxDB's write times and a corrected clock).

const merchantId = newId();
const storeId = newId();
const staffMember = (role: Staff['role']): Staff => ({
  id: newId(),
  merchantId,
  updatedAt: '2026-01-01T00:00:00.000Z',
  _deleted: false,
  name: role,
  role,
  pinHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  active: true,
  storeIds: [], updatedBy: null, publicKey: null, sealedKey: null,
});
const cashier = staffMember('cashier');
const manager = staffMember('manager');
const staff = new Map([cashier, manager].map((s) => [s.id, s]));
const ctx = (staffId: string, now: string): WriteContext => ({ merchantId, storeId, terminalId: newId(), staffId, now, offline: false });

async function resolveCustomer(base: Customer, master: Customer, local: Customer): Promise<Customer> {
  const handler = conflictHandlers(new RejectedRows()).customers;
  return (await handler.resolve({ assumedMasterState: base as never, realMasterState: master as never, newDocumentState: local as never }, 'test')) as unknown as Customer;
}

describe('found by the convergence suite: a merged customer must be a write the server accepts', () => {
  const base = newCustomer({ phone: '09121110001', name: 'Guest one' }, ctx(cashier.id, '2026-01-01T10:00:00.000Z'), 'IR');

  it('an offline edit of a customer the server merged meanwhile is accepted, not quarantined', async () => {
    // The server merged the duplicate (updatedBy = the system actor, later business time); a cashier had
    // edited the same customer offline earlier. The terminal's conflict handler merges both and pushes.
    const master: Customer = { ...base, mergedInto: newId(), updatedAt: '2026-01-01T12:00:00.000Z', updatedBy: SYSTEM_ACTOR_ID };
    const local = editCustomer(base, { email: 'edited@example.com' }, ctx(cashier.id, '2026-01-01T11:00:00.000Z'), 'IR');
    const merged = await resolveCustomer(base, master, local);
    expect(merged.email).toBe('edited@example.com');
    expect(merged.mergedInto).toBe(master.mergedInto);
    // The server reads `updatedBy` as the staff member who acts (rules.ts actingStaffId).
    expect(checkWrite({ collection: 'customers', merchantId, terminalId: newId(), storeId, doc: merged as never, master: master as never, staff: staff.get(merged.updatedBy), program: DEFAULT_PROGRAM })).toBeNull();
  });

  it("a manager's offline delete that meets a later cashier edit is accepted, not quarantined", async () => {
    const master = editCustomer(base, { name: 'Guest renamed' }, ctx(cashier.id, '2026-01-01T12:00:00.000Z'), 'IR');
    const local: Customer = { ...base, updatedAt: '2026-01-01T11:00:00.000Z', updatedBy: manager.id, _deleted: true };
    const merged = await resolveCustomer(base, master, local);
    expect(merged._deleted).toBe(true);
    expect(checkWrite({ collection: 'customers', merchantId, terminalId: newId(), storeId, doc: merged as never, master: master as never, staff: staff.get(merged.updatedBy), program: DEFAULT_PROGRAM })).toBeNull();
  });
});

describe('found by the convergence suite: a void is never dropped by conflict handling', () => {
  it('a visit voided before its insert was acknowledged stays voided', async () => {
    // The insert committed but its answer was lost, so RxDB has no assumed master state; the cashier voids
    // the visit; the push of the void meets the stored (unvoided) visit as a conflict.
    const { visit, earn } = newVisit({ customerId: newId(), items: [], amount: 120_000, currency: 'IRR', paymentMethod: 'cash' }, 120, ctx(cashier.id, '2026-01-01T10:00:00.000Z'));
    const { visit: voided } = voidVisit(visit, earn, 'wrong customer', ctx(cashier.id, '2026-01-01T10:05:00.000Z'));
    const handler = conflictHandlers(new RejectedRows()).visits;
    const resolved = (await handler.resolve({ realMasterState: visit as never, newDocumentState: voided as never }, 'test')) as unknown as Visit;
    // The reversal entry is a separate insert that does reach the server: without the void, the ledger is
    // reversed for a visit that still counts.
    expect(resolved.voided).toBe(true);
  });
});

describe('found by the convergence suite: a hung connection must not stall replication forever', () => {
  it('every pull, push and token request carries an abort signal (a timeout)', async () => {
    const signals: { url: string; signal: AbortSignal | null | undefined }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const url = String(input);
      signals.push({ url, signal: init?.signal });
      if (url.endsWith('/v1/token')) return Response.json({ accessToken: 'token', expiresIn: 900, credential: 'c'.repeat(43) });
      if (url.includes('/v1/pull/')) return Response.json({ documents: [], checkpoint: null });
      return Response.json({ conflicts: [], rejected: [] });
    };
    const store = memoryCredentialStore({ serverUrl: 'http://till.test', terminalId: newId(), merchantId, storeId, credential: 'c'.repeat(43) });
    const tokens = createTokenSource({ store, fetch: recording });
    const api = createSyncApi({ serverUrl: 'http://till.test', tokens, status: createStatusStore(), fetch: recording });
    await api.pull('customers', undefined, 10);
    await api.push('customers', [{ newDocumentState: { id: newId() } }]);
    // Node's fetch waits forever on a connection that a proxy accepts and drops, and on a blackholed
    // network; the token source shares one exchange, so one hung request stalls every pull and push.
    expect(signals.map((s) => ({ url: s.url, bounded: s.signal instanceof AbortSignal }))).toEqual(signals.map((s) => ({ url: s.url, bounded: true })));
  });
});

describe('found by the convergence suite: a till whose clock is corrected still pushes its writes', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  // RxDB's push checkpoint follows device write times, so writes made after the clock moved back were never
  // offered for push. Fixed by stamping monotonic write times (src/sync/client/monotonic-storage.ts).
  it('a sign-up made after a restart with the clock set back two days reaches the server', async () => {
    const tdb: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => tdb.drop());
    const seed = await seedMerchant(tdb.db);
    const server = new ServerHost('A', tdb.url!, false);
    cleanups.push(() => server.stop());
    await server.start();
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    // The till ran two days ahead (docs/reliability.md#f4) …
    const till = new TerminalHost({
      name: 'till', serverUrl: server.url, code, merchantId: seed.merchantId, storeId: seed.storeId,
      cashierId: seed.cashier.id, managerId: seed.manager.id, skewMs: 48 * 3_600_000, dbName: `clockjump${Date.now()}`,
    });
    cleanups.push(async () => {
      await till.stop();
      till.forgetDisk();
    });
    await till.start();
    await till.op({ kind: 'createCustomer', phone: '09121110002', name: 'Before the fix', email: null, tags: [], birthday: null, notes: '' });
    await till.sync(15_000);
    // … then its clock is set right and it restarts: RxDB's write times (`_meta.lwt`) go back two days.
    await till.crash();
    till.skewMs = 0;
    await till.start();
    const after = await till.op({ kind: 'createCustomer', phone: '09121110003', name: 'After the fix', email: null, tags: [], birthday: null, notes: '' });
    await till.sync(15_000).catch(() => undefined);
    const id = after.customers![0]!.id;
    const { rows } = await tdb.db.query(`SELECT 1 FROM customers WHERE merchant_id = $1 AND id = $2`, [seed.merchantId, id]);
    expect(rows.length, 'the sign-up made after the clock correction never left the till').toBe(1);
  }, 90_000);
});
