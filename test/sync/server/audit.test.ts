import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { editCustomer } from '../../../src/sync/model/document-builders.ts';
import { memberCodeOf } from '../../../src/sync/model/member-code.ts';
import { AuditPageSchema, STAFF_HEADER, type AuditEntry } from '../../../src/sync/model/wire-protocol.ts';
import { runCli } from '../../../src/sync/server/cli.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, protocolHeaders, SEED_PINS, seedMerchant, startServerFixture, type ServerFixture, type TestTerminal } from '../../helpers/sync-server.ts';
import { openTestTerminal, switchableFetch } from '../../helpers/terminal.ts';

// The audit trail (docs/security.md#audit-trail), over HTTP with real terminal tokens on Postgres: each accepted
// write is recorded with who, which terminal, when and the fields it changed; refused ones are marked refused;
// the route reads only the token's merchant; `patron-sync audit` prints the same trail; a whole terminal reads it
// as the customer card's change history (staff names from its replica) and, offline, says it needs the server.

/** The fields whose JSON differs between two documents, as the trail must record them (an independent diff). */
function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys].filter((k) => before === null || JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

describe('the audit trail', () => {
  let f: ServerFixture;
  let customer: Customer;
  let twinId = '';
  beforeAll(async () => {
    f = await startServerFixture('postgres');
    customer = aCustomer(f.till.ctx(f.seed.cashier));
    await f.till.push('customers', [insertRow(customer)]);
  });
  afterAll(async () => {
    await f?.close();
  });

  /** The trail as a manager signed in on `terminal` reads it (the route wants their open signed session). */
  const asManager = (terminal: TestTerminal, url: string, managerId = f.seed.manager.id) => terminal.request('GET', url, undefined, { [STAFF_HEADER]: managerId });
  async function trail(terminal: TestTerminal, customerId: string, query = '', managerId?: string): Promise<AuditEntry[]> {
    const response = await asManager(terminal, `/v1/audit?customerId=${customerId}${query}`, managerId);
    expect(response.statusCode, response.body).toBe(200);
    return AuditPageSchema.parse(response.json()).entries;
  }
  const storedVersion = async (table: string, id: string) =>
    (await f.tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM ${table} WHERE merchant_id = $1 AND id = $2`, [f.seed.merchantId, id])).rows[0]!.v;

  it('records an edit with exactly the changed field names, the staff member, the terminal and both times', async () => {
    const started = new Date().toISOString();
    const edited = editCustomer(customer, { email: 'ahmad@example.com' }, f.till.ctx(f.seed.manager), 'IR');
    expect(await f.till.push('customers', [updateRow(edited, customer)])).toEqual({ conflicts: [], rejected: [] });
    const [edit, signUp] = await trail(f.till, customer.id);
    expect(edit).toEqual({
      id: expect.any(String),
      collection: 'customers',
      documentId: customer.id,
      customerId: customer.id,
      version: await storedVersion('customers', customer.id),
      outcome: 'accepted',
      refusalCode: null,
      actor: 'staff',
      staffId: f.seed.manager.id,
      terminalId: f.till.terminalId,
      terminalName: 'Till',
      serverTime: expect.any(String),
      businessTime: edited.updatedAt,
      fields: changedFields(customer, edited),
    });
    expect(edit!.fields).toEqual(['email', 'updatedAt', 'updatedBy']);
    expect(edit!.serverTime >= started).toBe(true);
    // The sign-up before it: every field, by the cashier.
    expect(signUp).toMatchObject({ staffId: f.seed.cashier.id, outcome: 'accepted', fields: changedFields(null, customer) });
    customer = edited;
  });

  it('shows a visit and its earn under the customer, and a server-made merge as a system change', async () => {
    const ctx = f.till.ctx(f.seed.cashier);
    const { visit, earn } = aVisit(ctx, customer.id, 100_000, 100);
    await f.till.push('visits', [insertRow(visit)]);
    await f.till.push('loyaltyEntries', [insertRow(earn!)]);
    const entries = await trail(f.till, customer.id, '&limit=2');
    expect(entries.map((e) => [e.collection, e.documentId, e.staffId, e.version])).toEqual([
      ['loyaltyEntries', earn!.id, f.seed.cashier.id, await storedVersion('loyalty_entries', earn!.id)],
      ['visits', visit.id, f.seed.cashier.id, await storedVersion('visits', visit.id)],
    ]);
    // The same phone signed up again: the server merges the later id into the earlier one.
    const twin = aCustomer(ctx, { phone: customer.phone });
    await f.till.push('customers', [insertRow(twin)]);
    twinId = twin.id;
    const [merge] = await trail(f.till, twin.id);
    expect(merge).toMatchObject({ actor: 'system', terminalId: null, outcome: 'accepted' });
    expect(merge!.fields).toContain('mergedInto');
  });

  it('marks a refused write refused, never accepted, and pages newest first', async () => {
    const before = await trail(f.till, customer.id);
    const erased = { ...customer, _deleted: true, updatedAt: new Date().toISOString(), updatedBy: f.seed.cashier.id };
    const answer = await f.till.push('customers', [updateRow(erased, customer)]);
    expect(answer.rejected).toEqual([{ id: customer.id, code: 'FORBIDDEN' }]);
    const after = await trail(f.till, customer.id);
    // Accepted since: only the server's inbox item about the refusal (a system change), not the erasure.
    expect(after.filter((e) => e.outcome === 'accepted' && !before.some((b) => b.id === e.id))).toEqual([expect.objectContaining({ collection: 'inbox', actor: 'system', terminalId: null })]);
    expect(after.filter((e) => e.outcome === 'refused')).toEqual([expect.objectContaining({ collection: 'customers', documentId: customer.id })]);
    expect(after.find((e) => e.outcome === 'refused')).toMatchObject({ outcome: 'refused', refusalCode: 'FORBIDDEN', version: null, staffId: f.seed.cashier.id, fields: ['_deleted', 'updatedAt', 'updatedBy'] });
    // A refused row carrying text Postgres cannot hold is recorded without it, never failing the batch.
    const nul = await f.till.push('customers', [insertRow({ ...aCustomer(f.till.ctx(f.seed.cashier)), id: 'bad\u0000id' })]);
    expect(nul.rejected).toEqual([{ id: 'bad\u0000id', code: 'VALIDATION_FAILED' }]);
    const { rows: nulRows } = await f.tdb.db.query(`SELECT 1 FROM write_audit WHERE merchant_id = $1 AND outcome = 'refused' AND document_id IS NULL`, [f.seed.merchantId]);
    expect(nulRows).toHaveLength(1);
    // Paging: `before` continues where a page stopped, with no overlap.
    const first = AuditPageSchema.parse((await asManager(f.till, `/v1/audit?customerId=${customer.id}&limit=2`)).json());
    const rest = await trail(f.till, customer.id, `&before=${first.before}`);
    expect([...first.entries, ...rest]).toEqual(after);
  });

  it("reads only the token's merchant, and refuses loose queries", async () => {
    const other = await seedMerchant(f.tdb.db, 'Other Café');
    const theirs = await enrolTerminal(f.app, f.tdb.db, other, 'Their till');
    expect(await trail(theirs, customer.id, '', other.manager.id)).toEqual([]);
    for (const query of [`customerId=${customer.id}&limit=0x10`, `customerId=${customer.id}&limit=%2010`, `customerId=${customer.id}&extra=1`, 'customerId=nope', '']) {
      expect((await asManager(f.till, `/v1/audit?${query}`)).statusCode, query).toBe(400);
    }
    // A cashier, or a manager's id without their signed session on this terminal, reads nothing.
    expect((await f.till.request('GET', `/v1/audit?customerId=${customer.id}`, undefined, { [STAFF_HEADER]: f.seed.cashier.id })).statusCode).toBe(403);
    const bare = await enrolTerminal(f.app, f.tdb.db, f.seed, 'Bare till', { signIn: false });
    expect((await asManager(bare, `/v1/audit?customerId=${customer.id}`)).json()).toMatchObject({ error: { code: 'NOT_SIGNED_IN' } });
    const anonymous = await f.app.inject({ method: 'GET', url: `/v1/audit?customerId=${customer.id}`, headers: protocolHeaders });
    expect(anonymous.statusCode).toBe(401);
  });

  it('patron-sync audit prints the trail by id and by phone, with names; purge-audit prunes old entries', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { DATABASE_URL: f.tdb.url! } };
    const printed = async (who: string) => {
      stdout = '';
      const code = await runCli(['audit', '--customer', who, '--merchant', f.seed.merchantId, '--json'], io);
      expect([code, stderr]).toEqual([0, '']);
      return JSON.parse(stdout) as { customerIds: string[]; entries: (AuditEntry & { staffName: string })[] };
    };
    const byId = await printed(customer.id);
    expect(byId.entries.map((e) => e.id)).toEqual((await trail(f.till, customer.id)).map((e) => e.id));
    expect(byId.entries.find((e) => e.staffId === f.seed.manager.id)?.staffName).toBe('Reza');
    // A phone names every customer holding it: here the survivor and its merged twin.
    expect((await printed(customer.phone)).customerIds.sort()).toEqual([customer.id, twinId].sort());
    expect((await printed(memberCodeOf(customer.id))).customerIds).toEqual([customer.id]);
    stdout = '';
    expect(await runCli(['audit', '--customer', customer.id, '--merchant', f.seed.merchantId, '--limit', '3'], io)).toBe(0);
    expect(stdout).toMatch(/refused FORBIDDEN +Sara \(/);
    expect(stdout).toContain('Till');
    expect(await runCli(['audit', '--customer', 'not a phone', '--merchant', f.seed.merchantId], io)).toBe(1);
    expect(stderr).toMatch(/expected a customer id, a member code/);
    // Retention: the operator's purge removes only entries older than asked.
    const oldest = (await trail(f.till, customer.id)).at(-1)!;
    await f.tdb.db.query(`UPDATE write_audit SET at = now() - interval '400 days' WHERE merchant_id = $1 AND id = $2`, [f.seed.merchantId, oldest.id]);
    stdout = '';
    expect(await runCli(['purge-audit', '--older-than-days', '365', '--json'], io)).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ purged: 1 });
    expect((await trail(f.till, customer.id)).map((e) => e.id)).not.toContain(oldest.id);
  });

  it("is the card's change history on a terminal: staff and terminal names, and 'needs the server' offline", async () => {
    const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
    const fresh = aCustomer(f.till.ctx(f.seed.cashier));
    await f.till.push('customers', [insertRow(fresh)]);
    await f.till.push('customers', [updateRow(editCustomer(fresh, { company: 'VIP' }, f.till.ctx(f.seed.manager), 'IR'), fresh)]);
    const network = switchableFetch();
    const { code } = await createEnrolmentCode(f.tdb.db, f.seed.merchantId, f.seed.storeId, 10, 'test');
    const office = await openTestTerminal({ serverUrl: url, code, fetch: network.fetch, signInTestStaff: false });
    try {
      await office.sync.awaitInSync();
      expect(await office.queries.changeHistory(fresh.id)).toMatchObject({ status: 'failed', code: 'NOT_SIGNED_IN' });
      expect((await office.session.signIn(f.seed.manager.id, SEED_PINS.manager)).ok).toBe(true);
      const page = await office.queries.changeHistory(fresh.id);
      expect(page).toMatchObject({ status: 'ok', before: null });
      const entries = page.status === 'ok' ? page.entries : [];
      expect(entries.map((e) => [e.staffName, e.terminalName, e.fields.includes('company')])).toEqual([
        ['Reza', 'Till', true],
        ['Sara', 'Till', true],
      ]);
      network.offline = true;
      expect(await office.queries.changeHistory(fresh.id)).toEqual({ status: 'needs-server' });
    } finally {
      await office.close();
    }
  });
});
