import { firstValueFrom, filter } from 'rxjs';
import { strFromU8, unzipSync } from 'fflate';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import type { CustomerInput } from '../../../src/sync/model/customer-input.ts';
import { normalizePhone } from '../../../src/sync/model/phone.ts';
import { eraseCustomer } from '../../../src/sync/model/privacy.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { purgeTombstones } from '../../../src/sync/server/sync/horizons.ts';
import { EXPORT_FILES, EXPORT_FORMAT } from '../../../src/sync/client/customer-export.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow, nextPhone, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, openTestTerminal, startClient, switchableFetch } from '../../helpers/terminal.ts';

// The customer's privacy rights end to end (docs/privacy.md), in Node against the real server (Postgres):
// the subject-access archive, and an erasure made on one terminal while a second one is offline with a
// pending edit of the same customer — the second redacts on its next sync, its edit brings nothing back, and
// the server's own history (quarantine, inbox) keeps ids, not personal data. Two replicas in one process:
// the erasing terminal is whole (7 collections), the offline one replicates customers only (RxDB's 13).

describe('privacy: export and erasure', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
  });
  afterAll(async () => {
    // The terminals are closed: what is left are idle keep-alive sockets, which close would wait out.
    app?.server.closeAllConnections();
    await app?.close();
    await tdb?.drop();
  });

  const details = (phone: string): CustomerInput => ({
    phone,
    name: 'Shirin Ahmadi',
    email: 'shirin.ahmadi@example.com',
    birthday: '1990-04-02',
    anniversary: '',
    phone2: '',
    address: '7 Rose Lane',
    company: 'Ahmadi Print',
    source: 'referral',
    preferredChannel: 'sms',
    notes: 'likes oat milk',
    favorites: ['Cortado'],
    allergies: ['Walnuts'],
    preferredTime: 'morning',
    consentEmail: true,
    consentSms: true,
    tags: ['regular'],
    status: 'active',
  });

  /** Every row of every table of the server's schema whose text contains `needle` (case ignored), by table. */
  async function rowsHolding(needle: string): Promise<Record<string, number>> {
    const { rows: tables } = await tdb.db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`);
    const found: Record<string, number> = {};
    for (const { name } of tables) {
      const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}" t WHERE t::text ILIKE '%' || $1 || '%'`, [needle]);
      if ((rows[0]?.n ?? 0) > 0) found[name] = rows[0]!.n;
    }
    return found;
  }

  it('exports, then erases offline; it reaches everywhere: a terminal offline with a pending edit redacts on its next sync; the server keeps ids, not personal data', async () => {
    const tillNetwork = switchableFetch();
    const till = await openTestTerminal({ serverUrl: url, code: (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code, signInTestStaff: false, fetch: tillNetwork.fetch });
    await firstValueFrom(till.status$.pipe(filter((s) => s.initialSyncDone)));
    expect((await till.session.signIn(seed.manager.id, '987654')).ok).toBe(true);
    const phone = nextPhone();
    // A manager signs up, so the customer may carry visits before Patron (as an import would bring them).
    const signed = await till.commands.signUp({ ...details(phone), priorVisits: '12' });
    if (!signed.ok) throw new Error(signed.error.code);
    const customer = signed.value;
    const visit = await till.commands.recordVisit({ customerId: customer.id, items: [], amount: 250_000, paymentMethod: 'cash' });
    expect(visit.ok).toBe(true);
    expect(await till.sync.settled(10_000)).toBe(true);

    // The archive: the JSON document of everything the replica holds, the CSV tables of visits and ledger.
    const exported = await till.commands.exportCustomerData({ customerId: customer.id });
    if (!exported.ok) throw new Error(exported.error.code);
    const files = unzipSync(exported.value.bytes);
    expect(Object.keys(files).sort()).toEqual(Object.values(EXPORT_FILES).sort());
    const json = JSON.parse(strFromU8(files[EXPORT_FILES.json]!));
    expect(json).toMatchObject({ format: EXPORT_FORMAT, customer: { id: customer.id, name: 'Shirin Ahmadi', email: 'shirin.ahmadi@example.com', company: 'Ahmadi Print' }, consent: [{ customerId: customer.id, email: { granted: true }, sms: { granted: true } }] });
    expect(json.notes).toMatchObject([{ customerId: customer.id, text: 'likes oat milk' }]);
    expect(json.visits).toHaveLength(1);
    expect(json.visitsBeforePatron).toBe(12);
    expect(json.ledger.map((e: { kind: string }) => e.kind)).toEqual(['earn']);
    const visitsCsv = Papa.parse<Record<string, string>>(strFromU8(files[EXPORT_FILES.visits]!), { header: true, skipEmptyLines: true });
    expect(visitsCsv.data).toMatchObject([{ customerId: customer.id, total: '250000', paymentMethod: 'cash' }]);
    const ledgerCsv = Papa.parse<Record<string, string>>(strFromU8(files[EXPORT_FILES.ledger]!), { header: true, skipEmptyLines: true });
    expect(ledgerCsv.data.map((row) => [row.kind, Number(row.points)])).toEqual(json.ledger.map((e: { kind: string; points: number }) => [e.kind, e.points]));

    // The server's history names the customer: a quarantined write and a recorded conflict's inbox item.
    const other = await enrolTerminal(app, tdb.db, seed, 'Back office');
    const stored = (await other.pullAll('customers')).find((doc) => doc.id === customer.id) as Customer;
    expect((await other.push('customers', [updateRow({ ...stored, email: 'not an email', name: 'Shirin Ahmadi (bad)' }, stored)])).rejected).toHaveLength(1);
    const at = new Date().toISOString();
    const conflict = { field: 'name', lost: JSON.stringify('Shirin A. Tehrani'), kept: JSON.stringify('Shirin Ahmadi'), at };
    expect(await other.push('customers', [updateRow({ ...stored, conflicts: [conflict], updatedAt: at, updatedBy: seed.manager.id }, stored)])).toEqual({ conflicts: [], rejected: [] });
    expect(Object.keys(await rowsHolding('Shirin'))).toEqual(expect.arrayContaining(['customers', 'rejected_writes', 'inbox']));

    // A second terminal syncs, goes offline and edits the customer there.
    const network = switchableFetch();
    const offline = await startClient({ serverUrl: url, code: (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code, collections: ['customers'], fetch: network.fetch });
    await eventually(async () => (await offline.db.customers.findOne(customer.id).exec())?.conflicts.length === 1, 10_000, 'the customer on the second terminal');
    network.offline = true;
    const pending = await offline.db.customers.findOne(customer.id).exec();
    await pending!.incrementalModify((doc) => ({ ...doc, name: 'Shirin Ahmadi-Tehrani', nameKey: 'shirin ahmadi-tehrani', company: 'new number next week', updatedAt: new Date(Date.now() + 60_000).toISOString(), updatedBy: seed.cashier.id }));

    // The manager erases, with a reason (a cashier's erasure: the next test), the erasing terminal offline too.
    tillNetwork.offline = true;
    expect(await till.commands.eraseCustomerData({ customerId: customer.id, reason: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', fields: { reason: 'common:fields.REQUIRED' } } });
    expect(await till.commands.eraseCustomerData({ customerId: customer.id, reason: 'asked by email on 3 May' })).toEqual({ ok: true, value: { erased: [customer.id] } });
    expect(await till.commands.exportCustomerData({ customerId: customer.id })).toMatchObject({ ok: false, error: { code: 'CUSTOMER_NOT_FOUND' } });
    expect(await till.queries.lookup.find('Shirin', 10)).toEqual([]);
    expect(await till.queries.lookup.find(phone.slice(-4), 10)).toEqual([]);
    expect((await tdb.db.query(`SELECT 1 FROM customers WHERE id = $1 AND NOT deleted`, [customer.id])).rows).toHaveLength(1);
    tillNetwork.offline = false;
    expect(await till.sync.settled(10_000)).toBe(true);

    // Back online, the second terminal pushes its edit, loses to the erasure and stores the erased state.
    network.offline = false;
    const storedOn = async () => ((await offline.db.customers.storageInstance.findDocumentsById([customer.id], true)) as unknown as Customer[])[0];
    await eventually(async () => (await storedOn())?.status === 'erased', 15_000, 'the erasure on the terminal that was offline');
    await eventually(async () => (await firstValueFrom(offline.replication.pending$)).size === 0, 10_000, 'its queue drained');
    const redacted = (await storedOn())!;
    expect(redacted).toMatchObject({ _deleted: true, name: '---', email: null, company: '', address: '', phone2: null, tags: [], conflicts: [], consent: [], updatedBy: seed.manager.id });
    expect(redacted.timeline.map((note) => note.text)).toEqual(['asked by email on 3 May']);
    const [row] = (await tdb.db.query<{ doc: Customer; deleted: boolean }>(`SELECT doc, deleted FROM customers WHERE id = $1`, [customer.id])).rows;
    // The count of visits before Patron stays, like the visits: a number that names nobody once the person is gone.
    expect(row).toMatchObject({ deleted: true, doc: { status: 'erased', updatedBy: seed.manager.id, timeline: [{ text: 'asked by email on 3 May' }], priorVisits: 12 } });

    // The server's own history: no table holds the name, e-mail, phone, notes or the offline edit any more.
    const e164 = normalizePhone(phone, 'IR');
    for (const needle of ['Shirin', 'Ahmadi', 'shirin.ahmadi@example.com', 'oat milk', 'Walnuts', 'Tehrani', 'next week', 'Rose Lane', e164, e164.slice(3)]) {
      expect(await rowsHolding(needle), needle).toEqual({});
    }
    // …and keeps the ids: the quarantined row, the inbox item, the trail, the visit and its ledger line.
    expect((await tdb.db.query(`SELECT code FROM rejected_writes WHERE document_id = $1 AND document IS NULL`, [customer.id])).rows).toHaveLength(1);
    const { rows: items } = await tdb.db.query<{ doc: { kind: string; status: string; resolvedBy: string | null; details: Record<string, string> } }>(`SELECT doc FROM inbox WHERE doc->>'customerId' = $1`, [customer.id]);
    expect(items.map((i) => i.doc.kind).sort()).toEqual(['conflict', 'rejected_write']);
    expect(items.find((i) => i.doc.kind === 'conflict')!.doc.details).toEqual({ field: 'name', at, erased: 'true' });
    // No one is left to decide about: the open items are dismissed by the manager who erased.
    expect(items.map((i) => [i.doc.status, i.doc.resolvedBy])).toEqual([['dismissed', seed.manager.id], ['dismissed', seed.manager.id]]);
    expect((await tdb.db.query(`SELECT 1 FROM write_audit WHERE customer_id = $1`, [customer.id])).rows.length).toBeGreaterThan(3);
    const { rows: books } = await tdb.db.query<{ n: number; points: number }>(
      `SELECT (SELECT count(*)::int FROM visits WHERE customer_id = $1) AS n, (SELECT sum((doc->>'points')::int)::int FROM loyalty_entries WHERE doc->>'customerId' = $1) AS points`,
      [customer.id],
    );
    expect(books[0]).toEqual({ n: 1, points: json.ledger[0].points });

    await offline.close();
    await till.close();
  });

  it('the server refuses a push that puts personal data back on an erased customer, and does not quarantine it', async () => {
    const till = await enrolTerminal(app, tdb.db, seed, 'Hostile till');
    const ctx = till.ctx(seed.manager);
    const phone = normalizePhone(nextPhone(), 'IR');
    const customer = aCustomer(ctx, { phone, name: 'Kian Moradi' });
    // The same person signed up twice, merged into the first (this terminal never shows it to the eraser).
    const duplicate = { ...aCustomer(ctx, { name: 'Kian M.' }), mergedInto: customer.id };
    await till.push('customers', [insertRow(customer), insertRow(duplicate)]);
    const erasure = { at: new Date().toISOString(), by: seed.manager.id, reason: 'asked at the counter' };
    // A cashier's erasure and an erasure that keeps a personal field are refused.
    expect((await till.push('customers', [updateRow(eraseCustomer(customer, { ...erasure, by: seed.cashier.id }), customer)])).rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
    expect((await till.push('customers', [updateRow({ ...eraseCustomer(customer, erasure), email: 'kian@example.com' }, customer)])).rejected).toEqual([{ id: customer.id, code: 'VALIDATION_FAILED' }]);
    const erased = eraseCustomer(customer, erasure);
    expect(await till.push('customers', [updateRow(erased, customer)])).toEqual({ conflicts: [], rejected: [] });
    // Un-erasing on top of the erased master state (what a hostile terminal would push) is refused.
    const back = { ...customer, updatedAt: new Date(Date.now() + 1_000).toISOString() };
    const answer = await till.push('customers', [updateRow(back, erased)]);
    expect(answer.rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
    expect(answer.conflicts).toEqual([erased]);
    const [row] = (await tdb.db.query<{ doc: Customer }>(`SELECT doc FROM customers WHERE id = $1`, [customer.id])).rows;
    expect(row!.doc).toEqual(erased);
    // Purging tombstones keeps an erased customer's: a later insert of the same id meets it, and nothing changes.
    await purgeTombstones(tdb.db, -1);
    expect(await till.push('customers', [insertRow(back)])).toEqual({ conflicts: [erased], rejected: [] });
    expect((await tdb.db.query<{ doc: Customer }>(`SELECT doc FROM customers WHERE id = $1`, [customer.id])).rows[0]?.doc).toEqual(erased);
    // A refused row of an erased customer is quarantined without its document, whatever its fault.
    expect((await till.push('customers', [updateRow({ ...back, email: 'not an e-mail' }, erased)])).rejected).toEqual([{ id: customer.id, code: 'VALIDATION_FAILED' }]);
    // The server erased the merged duplicate with the same marker; no table holds the name.
    const [copy] = (await tdb.db.query<{ doc: Customer }>(`SELECT doc FROM customers WHERE id = $1`, [duplicate.id])).rows;
    expect(copy!.doc).toEqual(eraseCustomer(duplicate, erasure));
    expect(await rowsHolding('Kian')).toEqual({});
  });
});
