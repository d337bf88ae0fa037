import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTION_NAMES, PROTOCOL_HEADER, PROTOCOL_VERSION, PokeSchema, type CollectionName } from '../../../src/sync/model/wire-protocol.ts';
import { DEFAULT_KEEP_ALIVE_MS, type PatronApp } from '../../../src/sync/server/app.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { createPostgresDatabase } from '../../../src/sync/server/db/postgres.ts';
import { revokeTerminal } from '../../../src/sync/server/repositories/admin.ts';
import { DATABASE_KINDS, TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, aVisit, insertRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';

interface StreamClient {
  status: number;
  contentType: string | null;
  cacheControl: string | null;
  events: { event: string | undefined; data: string }[];
  comments: string[];
  retry: number | null;
  /** Whether the server ended the stream. */
  ended(): boolean;
  pokes(): CollectionName[][];
  /** The error body when the stream was refused. */
  body: string | null;
  close(): Promise<void>;
}

/** Opens the poke stream the way the client does: fetch with the Authorization header, an SSE parser on the body. */
async function openStream(baseUrl: string, token: string | null, path = '/v1/stream'): Promise<StreamClient> {
  const controller = new AbortController();
  const headers: Record<string, string> = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, { headers, signal: controller.signal });
  let ended = false;
  const client: StreamClient = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    cacheControl: response.headers.get('cache-control'),
    events: [],
    comments: [],
    retry: null,
    ended: () => ended,
    pokes: () => client.events.filter((e) => e.event === 'poke').map((e) => PokeSchema.parse(JSON.parse(e.data)).collections),
    body: null,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
  if (response.status !== 200) {
    client.body = await response.text();
    ended = true;
    return client;
  }
  const parser = createParser({
    onEvent: (event) => client.events.push({ event: event.event, data: event.data }),
    onComment: (comment) => client.comments.push(comment),
    onRetry: (retry) => {
      client.retry = retry;
    },
  });
  const reading = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted by close()
    }
    ended = true;
  })();
  return client;
}

async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function versionsOf(db: Database, id: string): Promise<string[]> {
  const { rows } = await db.query<{ v: string }>(`SELECT version::text AS v FROM customers WHERE id = $1`, [id]);
  return rows.map((row) => row.v);
}

describe.each(DATABASE_KINDS)('poke stream on %s', (kind) => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let baseUrl: string;
  let a: SeededMerchant;
  let b: SeededMerchant;
  let listener: TestTerminal;
  let writer: TestTerminal;
  let tillB: TestTerminal;
  const extraApps: PatronApp[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    app = await testApp(tdb.db);
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    a = await seedMerchant(tdb.db, 'Merchant A');
    b = await seedMerchant(tdb.db, 'Merchant B');
    listener = await enrolTerminal(app, tdb.db, a, 'Listening till');
    writer = await enrolTerminal(app, tdb.db, a, 'Writing till');
    tillB = await enrolTerminal(app, tdb.db, b, 'Till B');
  });
  afterAll(async () => {
    for (const extra of extraApps) await extra.close();
    await app?.close();
    await tdb?.drop();
  });

  async function withStream<T>(token: string, fn: (stream: StreamClient) => Promise<T>, url = baseUrl): Promise<T> {
    const stream = await openStream(url, token);
    try {
      expect(stream.status).toBe(200);
      await waitFor(() => stream.events.some((e) => e.event === 'ready'), 5000, 'ready');
      return await fn(stream);
    } finally {
      await stream.close();
    }
  }

  it('opens with the Authorization header: event-stream headers, a retry hint and a `ready` event', async () => {
    await withStream(listener.token, async (stream) => {
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(stream.cacheControl).toBe('no-store');
      expect(stream.retry).toBe(2000);
      expect(stream.events[0]).toEqual({ event: 'ready', data: JSON.stringify({ keepAliveMs: DEFAULT_KEEP_ALIVE_MS }) });
      await waitFor(() => app.patron.hub.count() >= 1);
    });
    await waitFor(() => app.patron.hub.count() === 0, 2000, 'stream removed from the hub');
  });

  it('refuses a stream without a token, and never reads a token from the URL', async () => {
    const none = await openStream(baseUrl, null);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body!).error.code).toBe('UNAUTHORIZED');
    for (const query of [`access_token=${listener.token}`, `token=${listener.token}`]) {
      const inUrl = await openStream(baseUrl, null, `/v1/stream?${query}`);
      expect(inUrl.status).toBe(401);
    }
  });

  it('a push by another terminal of the merchant produces exactly one poke naming the collection, never data', async () => {
    await withStream(listener.token, async (stream) => {
      const customer = aCustomer(writer.ctx(a.cashier));
      await writer.push('customers', [insertRow(customer)]);
      await waitFor(() => stream.pokes().length > 0, 5000, 'poke');
      await sleep(300);
      expect(stream.pokes()).toEqual([['customers']]);
      const raw = JSON.stringify(stream.events);
      expect(raw).not.toContain(customer.phone);
      expect(raw).not.toContain(customer.id);
    });
  });

  it('the same push 3× in a row → one stored version, one poke (F5)', async () => {
    await withStream(listener.token, async (stream) => {
      const customer = aCustomer(writer.ctx(a.cashier));
      for (let i = 0; i < 3; i++) expect(await writer.push('customers', [insertRow(customer)])).toEqual({ conflicts: [], rejected: [] });
      await waitFor(() => stream.pokes().length > 0, 5000, 'poke');
      await sleep(400);
      expect(await versionsOf(tdb.db, customer.id)).toHaveLength(1);
      expect(stream.pokes()).toEqual([['customers']]);
    });
  });

  it('the same push 3× at once → one stored version, one poke (F5)', async () => {
    await withStream(listener.token, async (stream) => {
      const customer = aCustomer(writer.ctx(a.cashier));
      const rows = [insertRow(customer), insertRow(aCustomer(writer.ctx(a.cashier)))];
      const clockBefore = (await tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM merchant_clock WHERE merchant_id = $1`, [a.merchantId])).rows[0]!.v;
      const answers = await Promise.all([1, 2, 3].map(() => writer.push('customers', rows)));
      for (const answer of answers) expect(answer).toEqual({ conflicts: [], rejected: [] });
      await waitFor(() => stream.pokes().length > 0, 5000, 'poke');
      await sleep(400);
      expect(await versionsOf(tdb.db, customer.id)).toHaveLength(1);
      const clockAfter = (await tdb.db.query<{ v: string }>(`SELECT version::text AS v FROM merchant_clock WHERE merchant_id = $1`, [a.merchantId])).rows[0]!.v;
      // Two new rows → two versions, not six.
      expect(BigInt(clockAfter) - BigInt(clockBefore)).toBe(2n);
      expect(stream.pokes()).toEqual([['customers']]);
    });
  });

  it("merchant B's stream never receives A's pokes", async () => {
    const streamB = await openStream(baseUrl, tillB.token);
    try {
      await withStream(listener.token, async (streamA) => {
        await waitFor(() => streamB.events.length > 0);
        await writer.push('customers', [insertRow(aCustomer(writer.ctx(a.cashier)))]);
        const { visit } = aVisit(writer.ctx(a.cashier), aCustomer(writer.ctx(a.cashier)).id, 1000, 0);
        await writer.push('visits', [insertRow(visit)]);
        await waitFor(() => streamA.pokes().length >= 2, 5000, "A's pokes");
        await sleep(300);
        expect(streamB.pokes()).toEqual([]);
        expect(streamB.events.map((e) => e.event)).toEqual(['ready']);
      });
      // B's own pushes do reach B (the stream works).
      await tillB.push('customers', [insertRow(aCustomer(tillB.ctx(b.cashier)))]);
      await waitFor(() => streamB.pokes().length === 1, 5000, "B's poke");
    } finally {
      await streamB.close();
    }
  });

  it('sends keep-alive comments every keepAliveMs', async () => {
    const keepAliveApp = await testApp(tdb.db, { keepAliveMs: 100 });
    extraApps.push(keepAliveApp);
    const url = await keepAliveApp.listen({ port: 0, host: '127.0.0.1' });
    await withStream(listener.token, async (stream) => {
      await sleep(650);
      expect(stream.comments.length).toBeGreaterThanOrEqual(3);
      expect(stream.comments.every((comment) => comment.trim() === 'keep-alive')).toBe(true);
      expect(stream.ended()).toBe(false);
    }, url);
  });

  it('closes when the access token expires', async () => {
    const shortApp = await testApp(tdb.db, { tokenTtlSeconds: 2 });
    extraApps.push(shortApp);
    const url = await shortApp.listen({ port: 0, host: '127.0.0.1' });
    const terminal = await enrolTerminal(shortApp, tdb.db, a, 'Short token');
    const stream = await openStream(url, terminal.token);
    try {
      expect(stream.status).toBe(200);
      const opened = Date.now();
      await waitFor(() => stream.ended(), 4000, 'stream closed at expiry');
      expect(Date.now() - opened).toBeLessThanOrEqual(3000);
      const again = await openStream(url, terminal.token);
      expect(again.status).toBe(401);
    } finally {
      await stream.close();
    }
  });

  it('closes when the terminal is revoked, and refuses it afterwards', async () => {
    const doomed = await enrolTerminal(app, tdb.db, a, 'Doomed till');
    const stream = await openStream(baseUrl, doomed.token);
    const bystander = await openStream(baseUrl, listener.token);
    try {
      await waitFor(() => stream.events.length > 0 && bystander.events.length > 0);
      await revokeTerminal(tdb.db, doomed.terminalId, 'operator');
      await waitFor(() => stream.ended(), 5000, 'revoked stream closed');
      // Other terminals' streams stay open.
      await sleep(200);
      expect(bystander.ended()).toBe(false);
      const again = await openStream(baseUrl, doomed.token);
      expect(again.status).toBe(401);
      expect(JSON.parse(again.body!).error.code).toBe('TERMINAL_REVOKED');
    } finally {
      await stream.close();
      await bystander.close();
    }
  });
});

describe('pokes across instances on one Postgres (LISTEN/NOTIFY)', () => {
  let tdb: TestDatabase;
  let proxy: TcpProxy;
  let db2: Database;
  let app1: PatronApp;
  let app2: PatronApp;
  let url1: string;
  let url2: string;
  let a: SeededMerchant;
  let till1: TestTerminal;
  let till2: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    // Instance 2 reaches Postgres only through the proxy, so its connections can be cut.
    db2 = createPostgresDatabase(proxy.url(tdb.url!));
    app1 = await testApp(tdb.db);
    app2 = await testApp(db2);
    url1 = await app1.listen({ port: 0, host: '127.0.0.1' });
    url2 = await app2.listen({ port: 0, host: '127.0.0.1' });
    a = await seedMerchant(tdb.db, 'Two-instance merchant');
    till1 = await enrolTerminal(app1, tdb.db, a, 'On instance 1');
    till2 = await enrolTerminal(app2, db2, a, 'On instance 2');
  });
  afterAll(async () => {
    await app1?.close();
    await app2?.close();
    await db2?.close();
    await proxy?.close();
    await tdb?.drop();
  });

  async function listening(stream: StreamClient): Promise<void> {
    expect(stream.status).toBe(200);
    await waitFor(() => stream.events.some((e) => e.event === 'ready'));
  }

  it('a push on instance 1 pokes a stream on instance 2, and the other way round (one poke each)', async () => {
    const on2 = await openStream(url2, till2.token);
    const on1 = await openStream(url1, till1.token);
    try {
      await listening(on2);
      await listening(on1);
      await till1.push('customers', [insertRow(aCustomer(till1.ctx(a.cashier)))]);
      await waitFor(() => on2.pokes().length === 1, 5000, 'poke on instance 2');
      // A token issued by one instance is valid on the other (the signing key lives in the database).
      const crossed = await app2.inject({ method: 'GET', url: '/v1/pull/customers', headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), authorization: `Bearer ${till1.token}` } });
      expect(crossed.statusCode).toBe(200);
      await till2.push('visits', [insertRow(aVisit(till2.ctx(a.cashier), aCustomer(till2.ctx(a.cashier)).id, 100, 0).visit)]);
      await waitFor(() => on1.pokes().some((c) => c.includes('visits')), 5000, 'poke on instance 1');
      await sleep(300);
      expect(on2.pokes()).toEqual([['customers'], ['visits']]);
      expect(on1.pokes()).toEqual([['customers'], ['visits']]);
    } finally {
      await on2.close();
      await on1.close();
    }
  });

  it('a revocation on one instance closes the terminal’s stream on the other', async () => {
    const doomed = await enrolTerminal(app1, tdb.db, a, 'Doomed');
    const stream = await openStream(url2, doomed.token);
    try {
      await listening(stream);
      await revokeTerminal(tdb.db, doomed.terminalId, 'operator');
      await waitFor(() => stream.ended(), 5000, 'stream on instance 2 closed');
    } finally {
      await stream.close();
    }
  });

  it('holds one dedicated listening connection per instance', async () => {
    const { rows } = await tdb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    expect(rows[0]!.n).toBe(2);
  });

  it('a revocation made while instance 2 could not listen still closes its stream once it reconnects', async () => {
    const doomed = await enrolTerminal(app1, tdb.db, a, 'Revoked during outage');
    const stream = await openStream(url2, doomed.token);
    try {
      await listening(stream);
      proxy.setMode('refuse');
      proxy.cutAll();
      await revokeTerminal(tdb.db, doomed.terminalId, 'operator');
      await sleep(500);
      proxy.setMode('pass');
      // The reconnect pokes everyone; a stream of a terminal revoked meanwhile must not stay open until its token expires.
      await waitFor(() => stream.pokes().length > 0, 10_000, 'reconnect poke');
      await waitFor(() => stream.ended(), 3000, 'revoked stream closed after reconnect');
    } finally {
      proxy.setMode('pass');
      await stream.close();
    }
  });

  it('after the listening connection is cut and restored, instance 2 pokes every stream for every collection', async () => {
    const on2 = await openStream(url2, till2.token);
    try {
      await listening(on2);
      await sleep(300);
      const before = on2.pokes().length;
      // The database "goes away" for instance 2: every connection cut, new ones refused.
      proxy.setMode('refuse');
      proxy.cutAll();
      // Meanwhile a terminal on instance 1 writes: the notification cannot reach instance 2.
      await till1.push('customers', [insertRow(aCustomer(till1.ctx(a.cashier)))]);
      await sleep(1000);
      expect(on2.pokes().slice(before)).toEqual([]);
      proxy.setMode('pass');
      // Backoff is capped at 5 s.
      await waitFor(() => on2.pokes().slice(before).some((c) => c.length === COLLECTION_NAMES.length), 10_000, 'poke for everything after reconnect');
      const everything = on2.pokes().slice(before).find((c) => c.length === COLLECTION_NAMES.length)!;
      expect([...everything].sort()).toEqual([...COLLECTION_NAMES].sort());
      expect(on2.ended()).toBe(false);

      // And ordinary pokes flow again over the re-established connection.
      await sleep(200);
      const seen = on2.pokes().length;
      await till1.push('rewards', [insertRow({
        id: crypto.randomUUID(), merchantId: a.merchantId, updatedAt: new Date().toISOString(), _deleted: false, name: 'After reconnect',
        description: '', type: 'freeItem', itemName: 'Item', percent: 0, cap: null, pointsCost: 5, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true, updatedBy: a.manager.id,
      })]);
      await waitFor(() => on2.pokes().slice(seen).some((c) => c.length === 1 && c[0] === 'rewards'), 5000, 'poke after reconnect');
    } finally {
      proxy.setMode('pass');
      await on2.close();
    }
  });
});
