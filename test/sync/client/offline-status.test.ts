import { firstValueFrom, filter } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryKeyValueStore } from '../../../src/sync/client/key-value.ts';
import type { Terminal } from '../../../src/sync/client/terminal.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { nextPhone } from '../../helpers/documents.ts';
import { seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { eventually, fakeNetwork, openTestTerminal, testStorage } from '../../helpers/terminal.ts';

// Issue 17 items 1 and 2: a whole terminal against the real server over HTTP, through a TCP proxy the test
// cuts the way a network dies (a blackhole: connections stay open, nothing flows — no request fails fast).

describe('a terminal whose network dies', () => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let proxy: TcpProxy;
  let url: string;
  let seed: SeededMerchant;
  const open: Terminal[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    app = await testApp(tdb.db);
    const address = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    proxy = await startTcpProxy({ host: address.hostname, port: Number(address.port) });
    url = `http://127.0.0.1:${proxy.port}`;
    seed = await seedMerchant(tdb.db);
  });
  afterEach(async () => {
    proxy.setMode('pass');
    for (const terminal of open.splice(0)) await terminal.close().catch(() => {});
  });
  afterAll(async () => {
    await proxy?.close();
    await app?.close();
    await tdb?.drop();
  });

  async function terminal(options: Partial<Parameters<typeof openTestTerminal>[0]> = {}) {
    const code = options.credentials ? undefined : (await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test')).code;
    // The poke stream is on: its keep-alive deadline is one of the signals under test.
    const opened = await openTestTerminal({ serverUrl: url, code, ...options, replication: { pokes: true, resyncIntervalMs: 60_000 } });
    open.push(opened);
    // A restarted till has its staff already; a new one waits for its first sync.
    if (!options.credentials) await firstValueFrom(opened.status$.pipe(filter((s) => s.initialSyncDone)));
    expect((await opened.session.signIn(seed.cashier.id, '1234')).ok).toBe(true);
    return opened;
  }
  const status = (t: Terminal) => firstValueFrom(t.status$);

  it('shows Offline within 2 s of a silent cut (the poke stream’s keep-alive deadline), with the pending count; Online again when it returns', async () => {
    const t = await terminal();
    await eventually(async () => (await status(t)).initialSyncDone && (await status(t)).connection === 'online', 10_000, 'online');
    const signedUp = await t.commands.signUp({ phone: nextPhone(), name: 'Offline Test', email: '', birthday: '', anniversary: '', notes: '', favorites: [], allergies: [], preferredTime: '', consentEmail: false, consentSms: false, tags: [], status: 'active' });
    if (!signedUp.ok) throw new Error(signedUp.error.code);
    await t.sync.awaitInSync();

    proxy.setMode('blackhole');
    const cutAt = Date.now();
    expect(await t.commands.recordVisit({ customerId: signedUp.value.id, items: [], amount: 100_000, paymentMethod: 'cash' })).toMatchObject({ ok: true });
    await eventually(async () => (await status(t)).connection === 'offline', 5_000, 'offline');
    const noticedAfter = Date.now() - cutAt;
    console.log(`offline noticed after ${noticedAfter} ms`);
    expect(noticedAfter).toBeLessThan(2_000);
    expect((await status(t)).pending).toBeGreaterThanOrEqual(2);

    proxy.setMode('pass');
    await eventually(async () => {
      const now = await status(t);
      return now.connection === 'online' && now.pending === 0;
    }, 10_000, 'online and synced again');
  });

  it('believes the device’s own offline event at once, and reconnects on its online event', async () => {
    const network = fakeNetwork();
    const t = await terminal({ network });
    await eventually(async () => (await status(t)).connection === 'online', 10_000, 'online');
    network.set(false);
    expect((await status(t)).connection).toBe('offline');
    network.set(true);
    await eventually(async () => (await status(t)).connection === 'online', 5_000, 'online again');
  });

  it('holds the offline redemption cap while the bar still says online, and across a restart before the server acknowledged', async () => {
    const storage = testStorage();
    const memory = memoryKeyValueStore();
    const name = `cap${Date.now()}`;
    const t = await terminal({ storage, name, memory });
    await eventually(async () => (await status(t)).connection === 'online', 10_000, 'online');
    const signedUp = await t.commands.signUp({ phone: nextPhone(), name: 'Cap Test', email: '', birthday: '', anniversary: '', notes: '', favorites: [], allergies: [], preferredTime: '', consentEmail: false, consentSms: false, tags: [], status: 'active' });
    if (!signedUp.ok) throw new Error(signedUp.error.code);
    const customerId = signedUp.value.id;
    await t.commands.recordVisit({ customerId, items: [], amount: 3_000_000, paymentMethod: 'cash' });
    await t.sync.awaitInSync();

    // Cut: for a moment nothing has failed yet and the bar still says online.
    proxy.setMode('blackhole');
    expect((await status(t)).connection).toBe('online');
    expect(await t.commands.redeem({ customerId, points: 600 })).toMatchObject({ ok: false, error: { code: 'OFFLINE_REDEEM_CAP', details: { used: '0' } } });
    expect(await t.commands.redeem({ customerId, points: 300 })).toMatchObject({ ok: true });
    expect(await t.commands.redeem({ customerId, points: 201 })).toMatchObject({ ok: false, error: { code: 'OFFLINE_REDEEM_CAP', details: { used: '300' } } });

    // The till restarts before the server ever heard of the 300: they still count.
    const credentials = (t as Terminal & { credentials: Parameters<typeof openTestTerminal>[0]['credentials'] }).credentials;
    await t.close();
    open.splice(open.indexOf(t), 1);
    const again = await terminal({ storage, name, credentials, memory });
    await eventually(async () => (await status(again)).pending > 0, 5_000, 'the unacknowledged redemption pending after the restart');
    expect(await again.commands.redeem({ customerId, points: 201 })).toMatchObject({ ok: false, error: { code: 'OFFLINE_REDEEM_CAP', details: { used: '300' } } });
    expect(await again.commands.redeem({ customerId, points: 200 })).toMatchObject({ ok: true, value: { offline: true } });

    proxy.setMode('pass');
    await eventually(async () => (await status(again)).pending === 0, 15_000, 'synced');
    const { rows } = await tdb.db.query<{ points: number }>(`SELECT (doc->>'points')::int AS points FROM loyalty_entries WHERE doc->>'customerId' = $1 AND doc->>'kind' = 'redeem'`, [customerId]);
    expect(rows.map((r) => r.points).sort()).toEqual([-200, -300]);
  });
});
