import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import type { SignedStaffSession, StaffKey } from '../../src/sync/model/staff-proof.ts';
import { openKey, sessionAround } from './staff-sessions.ts';
import type { WriteContext } from '../../src/sync/model/document-builders.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type CollectionName, type PushResponse, type PullResponse } from '../../src/sync/model/wire-protocol.ts';
import type { Staff } from '../../src/sync/model/staff.ts';
import { buildApp, type AppOptions, type PatronApp } from '../../src/sync/server/app.ts';
import type { Database } from '../../src/sync/server/db/database.ts';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database.ts';
import { addStaff, createEnrolmentCode, createMerchant, createStore } from '../../src/sync/server/repositories/admin.ts';

/** Collects the server's log lines (to assert what is never logged). */
export function logCollector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

/** Builds the real app on a test database, quiet unless a log stream is given. */
export function testApp(db: Database, options: Partial<AppOptions> = {}): Promise<PatronApp> {
  return buildApp({ db, logger: false, rateLimit: false, ...options });
}

/** The seeded members' PINs. */
export const SEED_PINS = { cashier: '1234', manager: '987654' } as const;

/** A merchant with one store, a cashier and a manager (PINs in SEED_PINS). */
export interface SeededMerchant {
  merchantId: string;
  storeId: string;
  cashier: Staff;
  manager: Staff;
  /** Their PINs, when not SEED_PINS. */
  pins?: { cashier: string; manager: string };
}

export async function seedMerchant(db: Database, name = 'Café Test'): Promise<SeededMerchant> {
  const merchantId = await createMerchant(db, { name, currency: 'IRR', defaultRegion: 'IR', locale: 'fa', timeZone: 'Asia/Tehran' }, 'test');
  const storeId = await createStore(db, merchantId, { name: 'Main' }, 'test');
  const cashier = await addStaff(db, merchantId, { name: 'Sara', role: 'cashier', pin: SEED_PINS.cashier }, 'test');
  const manager = await addStaff(db, merchantId, { name: 'Reza', role: 'manager', pin: SEED_PINS.manager }, 'test');
  return { merchantId, storeId, cashier, manager };
}

/** An enrolled terminal talking to the app through `inject` (no ports). */
export interface TestTerminal {
  terminalId: string;
  merchantId: string;
  storeId: string;
  credential: string;
  token: string;
  ctx(staff: Staff, offline?: boolean): WriteContext;
  push(collection: CollectionName, rows: unknown[]): Promise<PushResponse>;
  pull(collection: CollectionName, checkpoint?: string, limit?: number): Promise<PullResponse>;
  pullAll(collection: CollectionName): Promise<Record<string, unknown>[]>;
  request(method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /**
   * Signs a session for `staff` on this terminal with their PIN, as a sign-in does, and records it (the server
   * accepts writes in a member's name only inside one). `around` (default now) is the middle of its 12 hours.
   */
  signIn(staff: Staff, pin: string, around?: Date): Promise<void>;
}

export const protocolHeaders = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

export async function enrolTerminal(app: PatronApp, db: Database, seed: SeededMerchant, deviceName = 'Till', options: { signIn?: boolean } = {}): Promise<TestTerminal> {
  const { code } = await createEnrolmentCode(db, seed.merchantId, seed.storeId, 60, 'test');
  const enrol = await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName } });
  if (enrol.statusCode !== 200) throw new Error(`enrol failed: ${enrol.body}`);
  const enrolled = enrol.json() as { terminalId: string; credential: string; merchantId: string; storeId: string };
  const tokenResponse = await app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: enrolled.terminalId, credential: enrolled.credential } });
  if (tokenResponse.statusCode !== 200) throw new Error(`token failed: ${tokenResponse.body}`);
  const { accessToken, credential } = tokenResponse.json() as { accessToken: string; credential: string };
  const terminal: TestTerminal = {
    ...enrolled,
    credential,
    token: accessToken,
    ctx: (staff, offline = false) => ({ merchantId: seed.merchantId, storeId: seed.storeId, terminalId: enrolled.terminalId, staffId: staff.id, now: new Date().toISOString(), offline }),
    request: (method, url, body, headers = {}) =>
      app.inject({ method, url, headers: { ...protocolHeaders, authorization: `Bearer ${terminal.token}`, ...headers }, ...(body === undefined ? {} : { payload: body as object }) }),
    async signIn(staff, pin, around = new Date()) {
      const signed = await signedSession(terminal, staff, pin, around);
      const response = await terminal.request('POST', '/v1/staff-sessions', signed);
      if (response.statusCode !== 200) throw new Error(`staff session → ${response.statusCode} ${response.body}`);
    },
    async push(collection, rows) {
      const response = await terminal.request('POST', `/v1/push/${collection}`, { rows });
      if (response.statusCode !== 200) throw new Error(`push ${collection} → ${response.statusCode} ${response.body}`);
      return response.json() as PushResponse;
    },
    async pull(collection, checkpoint, limit) {
      const query = new URLSearchParams();
      if (checkpoint !== undefined) query.set('checkpoint', checkpoint);
      if (limit !== undefined) query.set('limit', String(limit));
      const response = await terminal.request('GET', `/v1/pull/${collection}?${query}`);
      if (response.statusCode !== 200) throw new Error(`pull ${collection} → ${response.statusCode} ${response.body}`);
      return response.json() as PullResponse;
    },
    async pullAll(collection) {
      const docs: Record<string, unknown>[] = [];
      let checkpoint: string | undefined;
      for (;;) {
        const page = await terminal.pull(collection, checkpoint, 200);
        docs.push(...page.documents);
        if (page.documents.length < 200 || !page.checkpoint) return docs;
        checkpoint = page.checkpoint.v;
      }
    },
  };
  // Both seeded members are signed in on every test terminal, as at a counter where they work together.
  if (options.signIn !== false) {
    const pins = seed.pins ?? SEED_PINS;
    await terminal.signIn(seed.cashier, pins.cashier);
    await terminal.signIn(seed.manager, pins.manager);
  }
  return terminal;
}

/** A session of `staff` on `terminal` for the 12 hours around `around`, signed with the key `pin` opens. */
export async function signedSession(terminal: Pick<TestTerminal, 'terminalId' | 'merchantId' | 'request'>, staff: Staff, pin: string, around = new Date()): Promise<SignedStaffSession> {
  const listed = await terminal.request('GET', '/v1/staff-keys');
  const key = (listed.json() as { keys: StaffKey[] }).keys.find((k) => k.staffId === staff.id);
  if (!key) throw new Error(`no signing key for ${staff.name}`);
  const opened = await openKey(key, pin);
  if (!opened) throw new Error(`the PIN does not open ${staff.name}'s key`);
  return sessionAround(opened, { merchantId: terminal.merchantId, terminalId: terminal.terminalId, staffId: staff.id }, around.getTime());
}

/** The usual server test setup: a fresh database of `kind`, the app on it, a seeded merchant, one enrolled till. */
export interface ServerFixture {
  tdb: TestDatabase;
  app: PatronApp;
  seed: SeededMerchant;
  till: TestTerminal;
  close(): Promise<void>;
}

/** Builds a ServerFixture; `close` stops the app and drops the database. */
export async function startServerFixture(kind: DatabaseKind, options: Partial<AppOptions> = {}): Promise<ServerFixture> {
  const tdb = await createTestDatabase(kind);
  const app = await testApp(tdb.db, options);
  const seed = await seedMerchant(tdb.db);
  const till = await enrolTerminal(app, tdb.db, seed);
  return {
    tdb,
    app,
    seed,
    till,
    async close() {
      await app.close();
      await tdb.drop();
    },
  };
}
