import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from '../../../src/sync/model/customer-filter.ts';
import type { CustomerGroup } from '../../../src/sync/model/customer-group.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { runCli } from '../../../src/sync/server/cli.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { startServerFixture, type ServerFixture } from '../../helpers/sync-server.ts';

// Saved customer groups (docs/directory.md §3): managers write them, cashiers only read them, and a group
// whose filter is not one the model accepts is refused — whatever the pushing terminal claims. Then
// `patron-sync export` (§5) on the same Postgres database, selecting by a filter and by a saved group.

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env });
  return { code, stdout, stderr };
}

describe('saved customer groups and patron-sync export (postgres)', () => {
  let fixture: ServerFixture;
  let dir: string;

  beforeAll(async () => {
    fixture = await startServerFixture('postgres');
    dir = mkdtempSync(join(tmpdir(), 'patron-export-'));
  }, 60_000);
  afterAll(async () => {
    await fixture?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function group(by: Staff, patch: Partial<CustomerGroup> = {}): CustomerGroup {
    return {
      id: newId(),
      merchantId: fixture.seed.merchantId,
      updatedAt: new Date().toISOString(),
      _deleted: false,
      name: 'Gold regulars',
      filter: { ...EMPTY_FILTER, tier: 'gold', visitsMin: 3, tags: ['vip'] },
      updatedBy: by.id,
      ...patch,
    };
  }
  async function stored(id: string): Promise<unknown> {
    const { rows } = await fixture.tdb.db.query<{ doc: unknown }>('SELECT doc FROM customer_groups WHERE merchant_id = $1 AND id = $2', [fixture.seed.merchantId, id]);
    return rows[0]?.doc;
  }
  async function quarantined(id: string): Promise<{ code: string; reason: string }[]> {
    const { rows } = await fixture.tdb.db.query<{ code: string; reason: string }>('SELECT code, reason FROM rejected_writes WHERE merchant_id = $1 AND document_id = $2', [fixture.seed.merchantId, id]);
    return rows;
  }

  it("a manager's group is stored as pushed and pulled back; a manager renames and deletes it", async () => {
    const saved = group(fixture.seed.manager);
    expect(await fixture.till.push('customerGroups', [insertRow(saved)])).toEqual({ conflicts: [], rejected: [] });
    expect(await fixture.till.pullAll('customerGroups')).toContainEqual(saved);
    const renamed = { ...saved, name: 'Gold', updatedAt: new Date().toISOString() };
    expect(await fixture.till.push('customerGroups', [updateRow(renamed, saved)])).toEqual({ conflicts: [], rejected: [] });
    const removed = { ...renamed, _deleted: true, updatedAt: new Date().toISOString() };
    expect(await fixture.till.push('customerGroups', [updateRow(removed, renamed)])).toEqual({ conflicts: [], rejected: [] });
    expect(await stored(saved.id)).toEqual(removed);
  });

  it("a cashier's group, new or an edit of a manager's, is quarantined and nothing is written", async () => {
    const forged = group(fixture.seed.cashier);
    const answer = await fixture.till.push('customerGroups', [insertRow(forged)]);
    expect(answer.rejected).toEqual([{ id: forged.id, code: 'FORBIDDEN' }]);
    expect(await stored(forged.id)).toBeUndefined();
    expect(await quarantined(forged.id)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', reason: 'customerGroups are edited by managers' })]);

    const saved = group(fixture.seed.manager);
    await fixture.till.push('customerGroups', [insertRow(saved)]);
    const edit = { ...saved, name: 'Mine now', updatedBy: fixture.seed.cashier.id, updatedAt: new Date().toISOString() };
    const refused = await fixture.till.push('customerGroups', [updateRow(edit, saved)]);
    expect(refused).toEqual({ conflicts: [saved], rejected: [{ id: saved.id, code: 'FORBIDDEN' }] });
    expect(await stored(saved.id)).toEqual(saved);
  });

  it('a filter the model refuses (a reversed range, an unknown condition, a month 13) is quarantined', async () => {
    const bad = [
      group(fixture.seed.manager, { filter: { ...EMPTY_FILTER, spendMin: 500, spendMax: 100 } }),
      { ...group(fixture.seed.manager), filter: { ...EMPTY_FILTER, sql: 'DROP TABLE customers' } },
      group(fixture.seed.manager, { filter: { ...EMPTY_FILTER, birthdayMonth: 13 } }),
    ];
    const answer = await fixture.till.push('customerGroups', bad.map((doc) => insertRow(doc)));
    expect(answer.rejected.map((r) => r.id).sort()).toEqual(bad.map((doc) => doc.id).sort());
    for (const doc of bad) {
      expect(await stored(doc.id)).toBeUndefined();
      expect(await quarantined(doc.id)).toHaveLength(1);
    }
  });

  it('exports customers (a saved group), visits (a filter) and ledger lines as CSV and xlsx that read back', async () => {
    const till = fixture.till;
    const ctx = till.ctx(fixture.seed.cashier);
    // Signed up by a manager with the visits before Patron an import would bring (a cashier may not set them).
    const regular = aCustomer(till.ctx(fixture.seed.manager), { name: '=HYPERLINK("http://x")', tags: ['vip'], consent: { email: true, sms: true }, priorVisits: 3 });
    const once = aCustomer(ctx, { name: 'Mina Rahimi' });
    const visits = [aVisit(ctx, regular.id, 250_000, 250), aVisit(ctx, regular.id, 100_000, 100), aVisit(ctx, once.id, 50_000, 50)];
    await till.push('customers', [insertRow(regular), insertRow(once)]);
    await till.push('visits', visits.map((v) => insertRow(v.visit)));
    const pushed = await till.push('loyaltyEntries', visits.map((v) => insertRow(v.earn!)));
    expect(pushed).toEqual({ conflicts: [], rejected: [] });
    const saved = group(fixture.seed.manager, { name: 'Regulars', filter: { ...EMPTY_FILTER, visitsMin: 2, tags: ['vip'] } });
    await till.push('customerGroups', [insertRow(saved)]);
    const env = { DATABASE_URL: fixture.tdb.url ?? '' };
    const merchant = fixture.seed.merchantId;

    const customersCsv = join(dir, 'customers.csv');
    const ran = await cli(['export', '--kind', 'customers', '--output', customersCsv, '--merchant', merchant, '--group', 'regulars'], env);
    expect(ran).toEqual({ code: 0, stdout: `Wrote 1 customers row(s) to ${customersCsv} (csv).\n`, stderr: '' });
    const parsed = Papa.parse<Record<string, string>>(readFileSync(customersCsv, 'utf8').replace(/^\uFEFF/, ''), { header: true });
    expect(parsed.data).toEqual([expect.objectContaining({ id: regular.id, name: `'=HYPERLINK("http://x")`, phone: `'${regular.phone}`, visits: '5', priorVisits: '3', spendMinor: '350000', points: '350', tags: 'vip', marketingConsent: 'true' })]);
    expect(parsed.data[0]!.spend).toMatch(/350,000/);

    const visitsXlsx = join(dir, 'visits.xlsx');
    expect((await cli(['export', '--kind', 'visits', '--output', visitsXlsx, '--merchant', merchant, '--filter', '{"visitsMax":1}'], env)).code).toBe(0);
    const sheet = await readSheet(readFileSync(visitsXlsx));
    expect(sheet[0]).toEqual(expect.arrayContaining(['id', 'occurredAt', 'customerId', 'totalMinor', 'total']));
    expect(sheet.slice(1).map((row) => [row[0], row[2], row[sheet[0]!.indexOf('totalMinor')]])).toEqual([[visits[2]!.visit.id, once.id, 50_000]]);

    const ledgerCsv = join(dir, 'ledger.csv');
    expect((await cli(['export', '--kind', 'ledger', '--output', ledgerCsv, '--merchant', merchant, '--json'], env)).code).toBe(0);
    const lines = Papa.parse<Record<string, string>>(readFileSync(ledgerCsv, 'utf8').replace(/^\uFEFF/, ''), { header: true }).data;
    expect(lines.map((l) => [l.kind, Number(l.points)]).sort()).toEqual([['earn', 100], ['earn', 250], ['earn', 50]]);

    const bad = await cli(['export', '--kind', 'customers', '--output', customersCsv, '--merchant', merchant, '--filter', '{"visitsMin":5,"visitsMax":1}'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/the filter is not valid: visitsMax RANGE_ORDER/);
    expect((await cli(['export', '--kind', 'people', '--output', customersCsv, '--merchant', merchant], env)).code).toBe(2);
  });
});
