// The counter's runtime (src/renderer/app/runtime.ts) as the app runs it — IndexedDB replica (fake-indexeddb
// in Node), the real server over HTTP on Postgres: a fresh terminal's status carries the feed total, a
// restarted one does not (it pulls only part of the feed, so a percentage of the total would be wrong).
import 'fake-indexeddb/auto';
import { firstValueFrom, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol, memoryCredentialStore } from '../../src/sync/client/auth.ts';
import type { SyncStatus } from '../../src/sync/client/status.ts';
import { COLLECTION_NAMES } from '../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../src/sync/server/repositories/admin.ts';
import { startTerminal, type Terminal } from '../../src/renderer/app/runtime.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { aCustomer, insertRow } from '../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../helpers/sync-server.ts';

describe('the runtime measures a fresh terminal’s initial sync against the feed total', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let url: string;
  let seed: SeededMerchant;
  let writer: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    seed = await seedMerchant(tdb.db);
    writer = await enrolTerminal(app, tdb.db, seed, 'Writer till');
    await writer.push('customers', Array.from({ length: 300 }, () => insertRow(aCustomer(writer.ctx(seed.cashier)))));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  /** The first status with the initial sync done (and, when `withTotal`, the total known: it is fetched alongside). */
  function initialSyncDone(terminal: Terminal, withTotal = false): Promise<SyncStatus> {
    return firstValueFrom(terminal.status$.pipe(filter((status) => status.initialSyncDone && (!withTotal || status.expected !== undefined))));
  }

  it('sets `expected` on the first start only; the count reaches it', async () => {
    const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
    const store = memoryCredentialStore();
    const credential = await enrol({ serverUrl: url, code, deviceName: 'Counter', store });
    const pulled = (await Promise.all(COLLECTION_NAMES.map((name) => writer.pullAll(name)))).reduce((sum, docs) => sum + docs.length, 0);

    const first = await startTerminal(credential, store);
    try {
      const done = await initialSyncDone(first, true);
      expect(done.expected).toBe(pulled);
      expect(done.received).toBe(pulled);
    } finally {
      await first.close();
    }

    const again = await startTerminal((await store.load())!, store);
    try {
      const done = await initialSyncDone(again);
      expect(done.expected).toBeUndefined();
      expect(done.received).toBe(0);
    } finally {
      await again.close();
    }
  }, 60_000);
});
