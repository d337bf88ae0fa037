// The client's half of "no poison pills" (issue 14 item 6): a push batch the server keeps failing as a whole
// because of one row is split until that row is found; the row is set aside (visible in the status) and the
// rest of the queue flows. The server here is the real one over HTTP; the fetch in between answers 500 for any
// push carrying the poison row, as a server with a bug that row triggers would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { errorBody } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { eventually, startClient, type TestClient } from '../../helpers/terminal.ts';

const POISON = 'poison-row-marker';

/** fetch, except that a push whose body carries POISON gets the server's 500 answer. */
const poisonedFetch: typeof fetch = async (input, init) => {
  if (String(input).includes('/v1/push/') && typeof init?.body === 'string' && init.body.includes(POISON)) {
    return new Response(JSON.stringify(errorBody('INTERNAL', undefined, 'req-x')), { status: 500, headers: { 'content-type': 'application/json' } });
  }
  return fetch(input, init);
};

describe('a row the server keeps failing on does not block the queue (Postgres, HTTP)', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  let client: TestClient | undefined;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
  });
  afterAll(async () => {
    await client?.close();
    await app?.close();
    await tdb?.drop();
  });

  it('splits the batch, sets the one bad row aside with a visible status, and syncs everything else', async () => {
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    client = await startClient({ serverUrl: url, code, collections: ['customers'], fetch: poisonedFetch, replication: { pokes: false } });
    const ctx = (): WriteContext => ({ merchantId: seed.merchantId, storeId: seed.storeId, terminalId: client!.credential.terminalId, staffId: seed.cashier.id, now: new Date().toISOString(), offline: false });
    await client.replication.states.customers!.pause();
    const customers = Array.from({ length: 9 }, (_, i) => newCustomer({ phone: nextPhone(), name: `Customer ${i}`, ...(i === 6 ? { notes: POISON } : {}) }, ctx(), 'IR'));
    await client.db.customers.bulkInsert(customers.map(({ _deleted, ...doc }) => doc));
    await client.replication.states.customers!.start();

    const onServer = async (ids: readonly string[]) => (await tdb.db.query(`SELECT id FROM customers WHERE id = ANY($1::text[])`, [ids])).rows.length;
    const good = customers.filter((_, i) => i !== 6).map((c) => c.id);
    await eventually(async () => (await onServer(good)) === good.length, 20_000, 'the good rows on the server');
    await eventually(() => (client!.status.get().setAside ?? []).length === 1, 20_000, 'the bad row set aside');
    expect(client.status.get().setAside).toEqual([`customers:${customers[6]!.id}`]);
    expect(await onServer([customers[6]!.id])).toBe(0);
    // The bad row stays in the replica; a write made afterwards syncs as usual.
    expect(await client.db.customers.findOne(customers[6]!.id).exec()).not.toBeNull();
    const later = newCustomer({ phone: nextPhone(), name: 'After the bad row' }, ctx(), 'IR');
    const { _deleted, ...local } = later;
    await client.db.customers.insert(local);
    await eventually(async () => (await onServer([later.id])) === 1, 10_000, 'a later write on the server');
  }, 60_000);
});
