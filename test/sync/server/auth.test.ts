import { SignJWT, base64url, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/sync/model/ids.ts';
import { createTokenSource, enrol as enrolClient, memoryCredentialStore } from '../../../src/sync/client/auth.ts';
import { EnrolResponseSchema, ErrorBodySchema, TokenResponseSchema } from '../../../src/sync/model/wire-protocol.ts';
import type { PatronApp } from '../../../src/sync/server/app.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { AdminError, createEnrolmentCode, createStore, revokeTerminal } from '../../../src/sync/server/repositories/admin.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase, databaseSnapshot } from '../../helpers/database.ts';
import { aCustomer, insertRow } from '../../helpers/documents.ts';
import { enrolTerminal, protocolHeaders, seedMerchant, testApp, type SeededMerchant, type TestTerminal } from '../../helpers/sync-server.ts';


async function signingKey(db: Database): Promise<Uint8Array> {
  const { rows } = await db.query<{ value: string }>(`SELECT value FROM server_secrets WHERE name = 'jwt'`);
  return new Uint8Array(Buffer.from(rows[0]!.value, 'base64url'));
}

interface Craft {
  key: Uint8Array;
  alg?: 'HS256' | 'HS512' | 'HS384';
  typ?: string | null;
  aud?: string;
  iss?: string;
  /** Expiry, epoch seconds. */
  exp?: number;
  claims?: Record<string, unknown>;
  sub?: string;
}

async function craft(options: Craft): Promise<string> {
  const header: { alg: string; typ?: string } = { alg: options.alg ?? 'HS256' };
  if (options.typ !== null) header.typ = options.typ ?? 'at+jwt';
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader(header)
    .setAudience(options.aud ?? 'patron-sync')
    .setIssuer(options.iss ?? 'patron')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600);
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  return jwt.sign(options.key);
}

/** An unsecured JWT (`alg: none`), signature part empty. */
function unsecured(payload: Record<string, unknown>, typ = 'at+jwt'): string {
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: 'none', typ })}.${part(payload)}.`;
}

function errorCode(response: { statusCode: number; body: string }): string {
  const parsed = ErrorBodySchema.safeParse(JSON.parse(response.body));
  if (!parsed.success) throw new Error(`not an error body: ${response.body}`);
  return parsed.data.error.code;
}

describe.each(DATABASE_KINDS)('authentication on %s', (kind) => {
  let tdb: TestDatabase;
  let app: PatronApp;
  let seed: SeededMerchant;
  let other: SeededMerchant;
  let till: TestTerminal;
  let otherTill: TestTerminal;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    app = await testApp(tdb.db);
    seed = await seedMerchant(tdb.db, 'Merchant A');
    other = await seedMerchant(tdb.db, 'Merchant B');
    till = await enrolTerminal(app, tdb.db, seed, 'Till A');
    otherTill = await enrolTerminal(app, tdb.db, other, 'Till B');
  });
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  const enrol = (code: string, deviceName = 'Counter 2') =>
    app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload: { code, deviceName } });
  const exchange = (terminalId: string, credential: string) =>
    app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId, credential } });
  const auditRows = async (action: string) =>
    (await tdb.db.query<{ merchant_id: string | null; actor: string; details: Record<string, string> }>(
      `SELECT merchant_id, actor, details FROM audit_log WHERE action = $1 ORDER BY id`,
      [action],
    )).rows;

  describe('enrolment codes', () => {
    it('are single use: the second use is 401 ENROLMENT_CODE_INVALID, audited, and creates nothing', async () => {
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
      const first = await enrol(code);
      expect(first.statusCode).toBe(200);
      const enrolled = EnrolResponseSchema.parse(first.json());
      expect(enrolled).toMatchObject({ merchantId: seed.merchantId, storeId: seed.storeId });

      const refusedBefore = (await auditRows('enrol.refused')).length;
      const before = await databaseSnapshot(tdb.db);
      const second = await enrol(code, 'Thief');
      expect(second.statusCode).toBe(401);
      expect(errorCode(second)).toBe('ENROLMENT_CODE_INVALID');
      const after = await databaseSnapshot(tdb.db);
      expect(after).toEqual({ ...before, audit_log: String(Number(before.audit_log) + 1) });
      const refused = await auditRows('enrol.refused');
      expect(refused).toHaveLength(refusedBefore + 1);
      expect(refused.at(-1)).toMatchObject({ merchant_id: seed.merchantId, details: { reason: 'used' } });
      expect(refused.at(-1)!.actor).toMatch(/^remote:/);
      // The audit entry never holds the code itself.
      expect(JSON.stringify(refused)).not.toContain(code);
    });

    it('are single use under a race: two enrolments with one code → exactly one terminal', async () => {
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
      const before = await databaseSnapshot(tdb.db);
      const answers = await Promise.all([enrol(code, 'Race 1'), enrol(code, 'Race 2'), enrol(code, 'Race 3')]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401, 401]);
      const after = await databaseSnapshot(tdb.db);
      expect(Number(after.terminals)).toBe(Number(before.terminals) + 1);
    });

    it('expire: an expired code is 401, audited as expired, and creates no terminal', async () => {
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
      await tdb.db.query(`UPDATE enrolment_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
      const before = await databaseSnapshot(tdb.db);
      const answer = await enrol(code);
      expect(answer.statusCode).toBe(401);
      expect(errorCode(answer)).toBe('ENROLMENT_CODE_INVALID');
      const after = await databaseSnapshot(tdb.db);
      expect(after.terminals).toBe(before.terminals);
      expect(Number(after.audit_log)).toBe(Number(before.audit_log) + 1);
      expect((await auditRows('enrol.refused')).at(-1)).toMatchObject({ merchant_id: seed.merchantId, details: { reason: 'expired' } });
    });

    it('an unknown code is 401 and audited without a merchant', async () => {
      const answer = await enrol('ZZZZ-ZZZ9');
      expect(answer.statusCode).toBe(401);
      expect(errorCode(answer)).toBe('ENROLMENT_CODE_INVALID');
      expect((await auditRows('enrol.refused')).at(-1)).toMatchObject({ merchant_id: null, details: { reason: 'unknown' } });
    });

    it('a malformed enrolment body is 400 and audits nothing', async () => {
      const before = await databaseSnapshot(tdb.db);
      for (const payload of [{ code: 'abcd-efgh', deviceName: 'x' }, { code: 'ABCD-EFGH' }, { code: 'ABCD-EFGH', deviceName: 'x', storeId: seed.storeId }]) {
        const answer = await app.inject({ method: 'POST', url: '/v1/enrol', headers: protocolHeaders, payload });
        expect(answer.statusCode).toBe(400);
        expect(['VALIDATION_FAILED', 'UNKNOWN_FIELD']).toContain(errorCode(answer));
      }
      expect(await databaseSnapshot(tdb.db)).toEqual(before);
    });

    it('a code for store X yields a terminal of store X (and of its merchant) only', async () => {
      const storeX = await createStore(tdb.db, seed.merchantId, { name: 'Branch X' }, 'test');
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, storeX, 10, 'test');
      const answer = await enrol(code, 'Till X');
      expect(answer.statusCode).toBe(200);
      const enrolled = EnrolResponseSchema.parse(answer.json());
      expect(enrolled.storeId).toBe(storeX);
      expect(enrolled.merchantId).toBe(seed.merchantId);
      const { rows } = await tdb.db.query<{ store_id: string; merchant_id: string }>(`SELECT store_id, merchant_id FROM terminals WHERE terminal_id = $1`, [enrolled.terminalId]);
      expect(rows).toEqual([{ store_id: storeX, merchant_id: seed.merchantId }]);
      const token = TokenResponseSchema.parse((await exchange(enrolled.terminalId, enrolled.credential)).json());
      expect(decodeJwt(token.accessToken)).toMatchObject({ sub: enrolled.terminalId, mid: seed.merchantId, sid: storeX });
      // A code can only be made for a store of the merchant it is made for.
      await expect(createEnrolmentCode(tdb.db, seed.merchantId, other.storeId, 10, 'test')).rejects.toBeInstanceOf(AdminError);
    });
  });

  describe('token exchange', () => {
    async function freshTerminal(): Promise<{ terminalId: string; credential: string }> {
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
      const answer = await enrol(code, 'Rotating till');
      return EnrolResponseSchema.parse(answer.json());
    }

    it('rotates the credential: an older one is refused once its successor has been used', async () => {
      const { terminalId, credential: c0 } = await freshTerminal();
      const first = TokenResponseSchema.parse((await exchange(terminalId, c0)).json());
      expect(first.credential).not.toBe(c0);
      const c1 = first.credential;
      const second = await exchange(terminalId, c1);
      expect(second.statusCode).toBe(200);
      const c2 = TokenResponseSchema.parse(second.json()).credential;

      // c2 is current and works; then c1 (now two steps back) is refused too.
      const third = await exchange(terminalId, c2);
      expect(third.statusCode).toBe(200);
      // Replaying a credential the terminal rotated away from is reuse (issue 14): only a copy can present it,
      // so the terminal's credential family is revoked (trust.test.ts covers the inbox alert).
      const replayed = await exchange(terminalId, c1);
      expect(replayed.statusCode).toBe(401);
      expect(errorCode(replayed)).toBe('TERMINAL_REVOKED');
      expect((await auditRows('terminal.revoke')).at(-1)).toMatchObject({ merchant_id: seed.merchantId, actor: 'server', details: { terminalId, reason: 'retired credential presented again' } });
      expect(errorCode(await exchange(terminalId, TokenResponseSchema.parse(third.json()).credential))).toBe('TERMINAL_REVOKED');
    });

    it('keeps the previous credential if the answer was lost (retry before ever using the new one)', async () => {
      const { terminalId, credential: c0 } = await freshTerminal();
      const c1 = TokenResponseSchema.parse((await exchange(terminalId, c0)).json()).credential;
      const c2 = TokenResponseSchema.parse((await exchange(terminalId, c1)).json()).credential;
      // The answer carrying c2 is lost: the terminal retries with c1, twice.
      const retry1 = await exchange(terminalId, c1);
      expect(retry1.statusCode).toBe(200);
      const retry2 = await exchange(terminalId, c1);
      expect(retry2.statusCode).toBe(200);
      const c2b = TokenResponseSchema.parse(retry2.json()).credential;
      // The one actually delivered works; having moved on, the fallback c1 is closed.
      const next = await exchange(terminalId, c2b);
      expect(next.statusCode).toBe(200);
      // The never-delivered c2 only a copy can present: the terminal's credential family is revoked (issue 14).
      expect(errorCode(await exchange(terminalId, c2))).toBe('TERMINAL_REVOKED');
      expect((await exchange(terminalId, TokenResponseSchema.parse(next.json()).credential)).statusCode).toBe(401);
    });

    it('after a restore from a backup, an earlier credential the terminal kept opens the door again, without reuse', async () => {
      // The real client token source, through the app (no port).
      const viaApp: typeof fetch = async (input, init) => {
        const url = new URL(String(input));
        const answer = await app.inject({ method: init?.method as 'POST', url: url.pathname, headers: init?.headers as Record<string, string>, payload: init?.body as string });
        return new Response(answer.body, { status: answer.statusCode, headers: { 'content-type': 'application/json' } });
      };
      const { code } = await createEnrolmentCode(tdb.db, seed.merchantId, seed.storeId, 10, 'test');
      const store = memoryCredentialStore();
      const { terminalId } = await enrolClient({ serverUrl: 'http://patron.test', code, deviceName: 'Restored till', store, fetch: viaApp });
      const tokens = createTokenSource({ store, fetch: viaApp });
      await tokens.get();
      // The backup: the terminal's credential state as it is now …
      const saved = (await tdb.db.query<{ credential_hash: string; previous_credential_hash: string | null }>(`SELECT credential_hash, previous_credential_hash FROM terminals WHERE terminal_id = $1`, [terminalId])).rows[0]!;
      const retired = (await tdb.db.query<{ credential_hash: string }>(`SELECT credential_hash FROM retired_credentials WHERE terminal_id = $1`, [terminalId])).rows.map((r) => r.credential_hash);
      // … three rotations later, the database is restored from it.
      for (let i = 0; i < 3; i++) {
        tokens.invalidate();
        await tokens.get();
      }
      await tdb.db.query(`UPDATE terminals SET credential_hash = $2, previous_credential_hash = $3 WHERE terminal_id = $1`, [terminalId, saved.credential_hash, saved.previous_credential_hash]);
      await tdb.db.query(`DELETE FROM retired_credentials WHERE terminal_id = $1 AND NOT credential_hash = ANY($2::text[])`, [terminalId, retired]);
      const lastKnown = (await store.load())!;
      // Without the earlier credentials the till is locked out (it would have to enrol again, with an empty replica).
      await expect(createTokenSource({ store: memoryCredentialStore({ ...lastKnown, earlier: [] }), fetch: viaApp }).get()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      tokens.invalidate();
      await expect(tokens.get()).resolves.toEqual(expect.any(String));
      expect((await store.load())!.earlier?.[0]).toBe(lastKnown.credential);
      expect((await tdb.db.query(`SELECT 1 FROM terminals WHERE terminal_id = $1 AND revoked_at IS NULL`, [terminalId])).rows).toHaveLength(1);
      expect((await auditRows('token.earlier_credential')).at(-1)).toMatchObject({ details: { back: '3' } });
    });

    it('refuses an unknown terminal and a malformed body with 4xx and a code', async () => {
      const before = await databaseSnapshot(tdb.db);
      const unknown = await exchange(newId(), till.credential);
      expect(unknown.statusCode).toBe(401);
      expect(errorCode(unknown)).toBe('UNAUTHORIZED');
      // Another terminal's credential does not open this one.
      expect((await exchange(till.terminalId, otherTill.credential)).statusCode).toBe(401);
      const bad = await app.inject({ method: 'POST', url: '/v1/token', headers: protocolHeaders, payload: { terminalId: 'x', credential: 'short' } });
      expect(bad.statusCode).toBe(400);
      const after = await databaseSnapshot(tdb.db);
      // Only the audit entry of the wrong-credential attempt.
      expect(after).toEqual({ ...before, audit_log: String(Number(before.audit_log) + 1) });
    });
  });

  describe('revoked terminal', () => {
    it('gets 401 TERMINAL_REVOKED on pull, push, stream and token, and nothing is written', async () => {
      const victim = await enrolTerminal(app, tdb.db, seed, 'Stolen till');
      expect((await victim.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
      await revokeTerminal(tdb.db, victim.terminalId, 'operator');
      expect((await auditRows('terminal.revoke')).at(-1)).toMatchObject({ merchant_id: seed.merchantId, details: { terminalId: victim.terminalId } });

      const before = await databaseSnapshot(tdb.db);
      const pull = await victim.request('GET', '/v1/pull/customers');
      const push = await victim.request('POST', '/v1/push/customers', { rows: [insertRow(aCustomer(victim.ctx(seed.cashier)))] });
      const stream = await victim.request('GET', '/v1/stream');
      const token = await exchange(victim.terminalId, victim.credential);
      for (const answer of [pull, push, stream, token]) {
        expect(answer.statusCode).toBe(401);
        expect(errorCode(answer)).toBe('TERMINAL_REVOKED');
      }
      expect(await databaseSnapshot(tdb.db)).toEqual(before);
    });
  });

  describe('access tokens', () => {
    let key: Uint8Array;
    beforeAll(async () => {
      key = await signingKey(tdb.db);
    });

    const claimsOf = (terminal: TestTerminal) => ({ sub: terminal.terminalId, claims: { mid: terminal.merchantId, sid: terminal.storeId } });

    const cases: [string, () => Promise<string>][] = [
      ['signed with another key', async () => craft({ key: new TextEncoder().encode('x'.repeat(32)), ...claimsOf(till) })],
      ['expired', async () => craft({ key, exp: Math.floor(Date.now() / 1000) - 5, ...claimsOf(till) })],
      ['of the wrong audience', async () => craft({ key, aud: 'someone-else', ...claimsOf(till) })],
      ['of the wrong issuer', async () => craft({ key, iss: 'evil', ...claimsOf(till) })],
      ['alg: none', async () => unsecured({ sub: till.terminalId, mid: till.merchantId, sid: till.storeId, aud: 'patron-sync', iss: 'patron', exp: Math.floor(Date.now() / 1000) + 600 })],
      ['alg: none with the real signature appended', async () => {
        const real = till.token.split('.');
        const forged = unsecured(decodeJwt(till.token)).split('.');
        return `${forged[0]}.${real[1]}.${real[2]}`;
      }],
      ['typ JWT instead of at+jwt', async () => craft({ key, typ: 'JWT', ...claimsOf(till) })],
      ['without typ', async () => craft({ key, typ: null, ...claimsOf(till) })],
      ['HS512 with the same key', async () => craft({ key, alg: 'HS512', ...claimsOf(till) })],
      ['without the merchant claim', async () => craft({ key, sub: till.terminalId, claims: { sid: till.storeId } })],
      ['without a subject', async () => craft({ key, claims: { mid: till.merchantId, sid: till.storeId } })],
      ["naming merchant B for A's terminal", async () => craft({ key, sub: till.terminalId, claims: { mid: other.merchantId, sid: other.storeId } })],
      ['of a terminal that does not exist', async () => craft({ key, sub: newId(), claims: { mid: till.merchantId, sid: till.storeId } })],
      ['with a payload tampered to merchant B', async () => {
        const [header, payload, signature] = till.token.split('.');
        const claims = { ...JSON.parse(new TextDecoder().decode(base64url.decode(payload!))), mid: other.merchantId };
        return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
      }],
      ['garbage', async () => 'not.a.token'],
      ['empty', async () => ''],
      ['the device credential (refresh-as-access)', async () => till.credential],
    ];

    it.each(cases)('refuses a token %s with 401 on pull, push and stream, writing nothing', async (_name, make) => {
      const token = await make();
      const before = await databaseSnapshot(tdb.db);
      const customer = aCustomer(till.ctx(seed.cashier));
      const headers = { authorization: `Bearer ${token}` };
      const answers = [
        await till.request('GET', '/v1/pull/customers', undefined, headers),
        await till.request('POST', '/v1/push/customers', { rows: [insertRow(customer)] }, headers),
        await till.request('GET', '/v1/stream', undefined, headers),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(401);
        expect(['UNAUTHORIZED', 'TERMINAL_REVOKED']).toContain(errorCode(answer));
        expect(answer.body).not.toContain(customer.phone);
      }
      expect(await databaseSnapshot(tdb.db)).toEqual(before);
    });

    it('refuses Authorization headers that are not a Bearer token', async () => {
      for (const authorization of [`bearer ${till.token}`, `Basic ${till.token}`, till.token, 'Bearer', `Bearer  `]) {
        const answer = await till.request('GET', '/v1/pull/customers', undefined, { authorization });
        expect(answer.statusCode).toBe(401);
        expect(errorCode(answer)).toBe('UNAUTHORIZED');
      }
      const none = await app.inject({ method: 'GET', url: '/v1/pull/customers', headers: protocolHeaders });
      expect(none.statusCode).toBe(401);
    });

    it('refuses a validly signed token with malformed claims with 401, not 500', async () => {
      // Only a holder of the signing key could make these; the server must still not crash on them.
      for (const token of [
        await craft({ key, sub: 'not-a-uuid', claims: { mid: till.merchantId, sid: till.storeId } }),
        await craft({ key, sub: till.terminalId, claims: { mid: 'not-a-uuid', sid: till.storeId } }),
      ]) {
        const answer = await till.request('GET', '/v1/pull/customers', undefined, { authorization: `Bearer ${token}` });
        expect(answer.statusCode).toBe(401);
      }
    });

    it('accepts the genuine token (the refusals above are not an artefact of the harness)', async () => {
      const crafted = await craft({ key, ...claimsOf(till) });
      const answer = await till.request('GET', '/v1/pull/customers', undefined, { authorization: `Bearer ${crafted}` });
      expect(answer.statusCode).toBe(200);
      expect((await till.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
    });

    it('a token expires after tokenTtlSeconds', async () => {
      const shortLived = await testApp(tdb.db, { tokenTtlSeconds: 1 });
      try {
        // No staff sign-in: its key opening (argon2id) can outlast a one-second token on a loaded machine, and
        // an expired token is refused before any staff check.
        const terminal = await enrolTerminal(shortLived, tdb.db, seed, 'Short-lived', { signIn: false });
        expect((await terminal.request('GET', '/v1/pull/customers')).statusCode).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 2100));
        const before = await databaseSnapshot(tdb.db);
        const pull = await terminal.request('GET', '/v1/pull/customers');
        const push = await terminal.request('POST', '/v1/push/customers', { rows: [insertRow(aCustomer(terminal.ctx(seed.cashier)))] });
        for (const answer of [pull, push]) {
          expect(answer.statusCode).toBe(401);
          expect(errorCode(answer)).toBe('UNAUTHORIZED');
        }
        expect(await databaseSnapshot(tdb.db)).toEqual(before);
      } finally {
        await shortLived.close();
      }
    });
  });
});
