// GET /v1/sync/totals over real HTTP: the counts a fresh terminal measures its initial sync against must be
// exactly what pulling each collection from checkpoint 0 to the end returns, for its own merchant only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editCustomer } from '../../../src/sync/model/document-builders.ts';
import {
  COLLECTION_NAMES,
  ErrorBodySchema,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  SyncTotalsSchema,
  type CollectionName,
  type SyncTotals,
} from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { revokeTerminal } from '../../../src/sync/server/repositories/admin.ts';
import { DATABASE_KINDS, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import {
  enrolTerminal,
  protocolHeaders,
  seedMerchant,
  startServerFixture,
  testApp,
  type SeededMerchant,
  type ServerFixture,
  type TestTerminal,
} from '../../helpers/sync-server.ts';

/** A GET of the totals over HTTP with the given token (none: no Authorization) and protocol headers. */
function requestTotals(baseUrl: string, token: string | null, headers: Record<string, string> = protocolHeaders): Promise<Response> {
  return fetch(`${baseUrl}/v1/sync/totals`, { headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(ErrorBodySchema.parse(await response.json()).error.code).toBe(code);
}

/** How many documents each collection's pull returns from checkpoint 0 to the end of the feed. */
async function pulledCounts(terminal: TestTerminal): Promise<Record<CollectionName, number>> {
  const counts = await Promise.all(COLLECTION_NAMES.map(async (name) => [name, (await terminal.pullAll(name)).length] as const));
  return Object.fromEntries(counts) as Record<CollectionName, number>;
}

describe.each(DATABASE_KINDS)('feed totals on %s', (kind) => {
  let fixture: ServerFixture | undefined;
  let tdb: TestDatabase;
  let app: PatronApp;
  let seed: SeededMerchant;
  let till: TestTerminal;
  let url: string;

  beforeAll(async () => {
    fixture = await startServerFixture(kind);
    ({ tdb, app, seed, till } = fixture);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  async function totalsOf(terminal: TestTerminal): Promise<SyncTotals> {
    const response = await requestTotals(url, terminal.token);
    expect(response.status, await response.clone().text()).toBe(200);
    return SyncTotalsSchema.parse(await response.json());
  }

  /** The totals equal a full pull of every collection; returns them. */
  async function expectTotalsMatchPulls(terminal: TestTerminal): Promise<Record<CollectionName, number>> {
    const { documents } = await totalsOf(terminal);
    expect(documents).toEqual(await pulledCounts(terminal));
    return documents;
  }

  it('counts what a pull from checkpoint 0 returns, through inserts, updates, deletes and a quarantined write', async () => {
    const start = await expectTotalsMatchPulls(till);
    expect(start.staff).toBe(2); // the seeded cashier and manager

    const ctx = till.ctx(seed.cashier);
    // More customers than one pull page of pullAll (200), so the comparison spans several pages.
    const customers = Array.from({ length: 230 }, () => aCustomer(ctx));
    await till.push('customers', customers.map(insertRow));
    const visits = customers.slice(0, 3).map((c) => aVisit(ctx, c.id, 12_000, 12));
    await till.push('visits', visits.map((v) => insertRow(v.visit)));
    await till.push('loyaltyEntries', visits.map((v) => insertRow(v.earn!)));
    const inserted = await expectTotalsMatchPulls(till);
    expect(inserted).toEqual({ ...start, customers: start.customers + 230, visits: start.visits + 3, loyaltyEntries: start.loyaltyEntries + 3 });

    // An update moves a row to the head of the feed; it still appears once.
    const edited = customers.slice(0, 5).map((c) => [editCustomer(c, { company: 'oat milk' }, ctx, 'IR'), c] as const);
    expect(await till.push('customers', edited.map(([doc, base]) => updateRow(doc, base)))).toEqual({ conflicts: [], rejected: [] });
    expect(await expectTotalsMatchPulls(till)).toEqual(inserted);

    // An erased customer stays in the feed as a tombstone, which a fresh terminal must pull too.
    const victim = customers[10]!;
    const erased = { ...victim, _deleted: true, updatedAt: new Date().toISOString(), updatedBy: seed.manager.id };
    expect(await till.push('customers', [updateRow(erased, victim)])).toEqual({ conflicts: [], rejected: [] });
    expect(await expectTotalsMatchPulls(till)).toEqual(inserted);
    expect((await till.pullAll('customers')).find((doc) => doc.id === victim.id)).toMatchObject({ _deleted: true });

    // A quarantined write never reaches the feed; the inbox item it raises does.
    const bad = { ...aCustomer(ctx), name: 'x' };
    expect((await till.push('customers', [insertRow(bad)])).rejected).toEqual([{ id: bad.id, code: 'VALIDATION_FAILED' }]);
    expect(await expectTotalsMatchPulls(till)).toEqual({ ...inserted, inbox: inserted.inbox + 1 });
  });

  it("answers for the token's merchant only", async () => {
    const other = await seedMerchant(tdb.db, 'Other café');
    const otherTill = await enrolTerminal(app, tdb.db, other, 'Other till');
    const mine = await expectTotalsMatchPulls(till);
    await otherTill.push('customers', Array.from({ length: 3 }, () => insertRow(aCustomer(otherTill.ctx(other.cashier)))));
    const theirs = await expectTotalsMatchPulls(otherTill);
    expect(theirs.customers).toBe(3);
    expect((await totalsOf(till)).documents).toEqual(mine);
  });

  it('needs the access token of an active terminal', async () => {
    await expectError(await requestTotals(url, null), 401, 'UNAUTHORIZED');
    await expectError(await requestTotals(url, `${till.token.slice(0, -4)}AAAA`), 401, 'UNAUTHORIZED');
    const stolen = await enrolTerminal(app, tdb.db, seed, 'Stolen till');
    expect((await requestTotals(url, stolen.token)).status).toBe(200);
    await revokeTerminal(tdb.db, stolen.terminalId, 'operator');
    await expectError(await requestTotals(url, stolen.token), 401, 'TERMINAL_REVOKED');
  });

  it('refuses a query parameter instead of ignoring it', async () => {
    const response = await fetch(`${url}/v1/sync/totals?collection=customers`, { headers: { ...protocolHeaders, authorization: `Bearer ${till.token}` } });
    await expectError(response, 400, 'UNKNOWN_FIELD');
  });

  it.each([
    ['missing', {}],
    ['0', { [PROTOCOL_HEADER]: '0' }],
    ['older', { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION - 1) }],
    ['not a number', { [PROTOCOL_HEADER]: 'abc' }],
  ])('answers 426 PROTOCOL_OUTDATED to a protocol header %s, before authentication', async (_name, headers) => {
    await expectError(await requestTotals(url, till.token, headers), 426, 'PROTOCOL_OUTDATED');
    await expectError(await requestTotals(url, null, headers), 426, 'PROTOCOL_OUTDATED');
  });

  it("is rate-limited in the terminal's bucket, with pulls", async () => {
    const limited = await testApp(tdb.db, { rateLimit: { max: 3, timeWindow: 60_000, authMax: 20 } });
    try {
      const limitedUrl = await limited.listen({ port: 0, host: '127.0.0.1' });
      const busy = await enrolTerminal(limited, tdb.db, seed, 'Busy till', { signIn: false });
      for (let i = 0; i < 2; i++) expect((await busy.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
      expect((await requestTotals(limitedUrl, busy.token)).status).toBe(200);
      await expectError(await requestTotals(limitedUrl, busy.token), 429, 'RATE_LIMIT_EXCEEDED');
      expect((await busy.request('GET', '/v1/pull/customers')).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
