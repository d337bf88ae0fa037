import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readSheet } from 'read-excel-file/node';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../../src/sync/model/wire-protocol.ts';
import { verifyPin } from '../../../src/sync/model/pin.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';
import { runCli, type CliIo } from '../../../src/sync/server/cli.ts';
import { requestAdminOperation } from '../../../src/sync/server/admin-socket.ts';
import { openDatabase, startServer, type DatabaseLocation } from '../../../src/sync/server/main.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { aCustomer, insertRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant } from '../../helpers/sync-server.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import type { LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import { memberCodeOf } from '../../../src/sync/model/member-code.ts';
import writeXlsxFile from 'write-excel-file/node';

// The CLI runs in-process (runCli) against a PGlite folder in a temp directory and against a real Postgres
// database (DATABASE_URL in the io's env), exactly as `patron-sync` would with those settings.

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

function json<T>(result: CliResult): T {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

// Each CLI call opens PGlite from scratch (a WASM start, an initdb the first time): seconds each on a
// loaded two-core machine.
vi.setConfig({ testTimeout: 120_000 });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ABSENT = '0196a3b2-0000-7000-8000-000000000000';

describe.each(DATABASE_KINDS)('patron-sync administration on %s', (kind) => {
  let dir: string;
  let tdb: TestDatabase | undefined;
  let env: Record<string, string | undefined>;
  let where: DatabaseLocation;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patron-cli-'));
    if (kind === 'postgres') {
      tdb = await createTestDatabase('postgres');
      await tdb.db.close();
      env = { DATABASE_URL: tdb.url ?? '' };
      where = { databaseUrl: tdb.url ?? '' };
    } else {
      env = { PATRON_DATA_DIR: join(dir, 'data') };
      where = { dataDir: join(dir, 'data') };
    }
  });
  afterAll(async () => {
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, and a second run has nothing to apply', async () => {
    const first = await cli(['migrate'], env);
    expect(first.code).toBe(0);
    // createTestDatabase has already migrated the Postgres database.
    // A fresh PGlite folder gets every migration in the folder, in order.
    const all = readdirSync(new URL('../../../src/sync/server/db/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql')).sort().map((f) => f.replace(/\.sql$/, ''));
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(first.stdout.trim()).toBe(kind === 'pglite' ? `Applied ${all.length} migration(s): ${all.join(', ')}` : 'The database is up to date; nothing to apply.');
    const second = await cli(['migrate'], env);
    expect(second).toEqual({ code: 0, stdout: 'The database is up to date; nothing to apply.\n', stderr: '' });
  });

  it('creates a merchant, a store, staff and an enrolment code; lists and revokes the enrolled terminal', async () => {
    const merchant = json<{ merchantId: string; name: string; currency: string; defaultRegion: string; locale: string; timeZone: string }>(
      await cli(['merchant', 'create', '--name', ' Café Round Trip ', '--currency', 'IRR', '--region', 'IR', '--locale', 'fa', '--time-zone', 'Asia/Tehran', '--json'], env),
    );
    expect(merchant).toEqual({ merchantId: expect.stringMatching(UUID), name: 'Café Round Trip', currency: 'IRR', defaultRegion: 'IR', locale: 'fa', timeZone: 'Asia/Tehran' });
    const m = merchant.merchantId;

    // Ids are accepted in any case and stored lower-case.
    const store = json<{ storeId: string; merchantId: string; name: string; address: string }>(
      await cli(['store', 'create', '--merchant', m.toUpperCase(), '--name', 'Valiasr', '--address', 'Tehran, Valiasr St.', '--json'], env),
    );
    expect(store).toEqual({ storeId: expect.stringMatching(UUID), merchantId: m, name: 'Valiasr', address: 'Tehran, Valiasr St.' });

    // The PIN comes from the environment, out of the shell history, and never appears in the output.
    const added = await cli(['staff', 'add', '--merchant', m, '--name', 'Leila', '--role', 'manager', '--store', store.storeId, '--json'], { ...env, PATRON_STAFF_PIN: '482135' });
    const staff = json<{ staffId: string; merchantId: string; name: string; role: string; storeIds: string[] }>(added);
    expect(staff).toEqual({ staffId: expect.stringMatching(UUID), merchantId: m, name: 'Leila', role: 'manager', storeIds: [store.storeId] });
    expect(added.stdout).not.toContain('48213');
    expect(added.stdout).not.toContain('argon2');
    const human = await cli(['staff', 'add', '--merchant', m, '--name', 'Omid', '--role', 'cashier', '--pin', '7391'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Added cashier [0-9a-f-]{36} "Omid" at every store\./);
    expect(human.stdout).not.toContain('7391');

    const code = json<{ code: string; merchantId: string; storeId: string; expiresAt: string }>(
      await cli(['enrol-code', '--merchant', m, '--store', store.storeId, '--ttl-minutes', '5', '--json'], env),
    );
    expect(code.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(code.storeId).toBe(store.storeId);
    expect(Date.parse(code.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(Date.parse(code.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);

    expect(json<unknown[]>(await cli(['terminal', 'list', '--merchant', m, '--json'], env))).toEqual([]);
    expect((await cli(['terminal', 'list', '--merchant', m], env)).stdout).toMatch(/No terminals enrolled yet/);

    // A real server enrols a terminal with the printed code.
    const server = await startServer({ ...where, port: 0, app: { logger: false }, print: () => {} });
    let terminalId: string;
    try {
      const response = await fetch(`${server.url}/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
        // A device name with a terminal escape sequence: shown defused in the human table.
        body: JSON.stringify({ code: code.code, deviceName: 'Till 1\u001b[2J' }),
      });
      expect(response.status).toBe(200);
      terminalId = ((await response.json()) as { terminalId: string }).terminalId;
    } finally {
      await server.close();
    }

    const listed = json<{ terminalId: string; storeId: string; name: string; createdAt: string; lastSeenAt: string | null; revokedAt: string | null }[]>(
      await cli(['terminal', 'list', '--merchant', m, '--json'], env),
    );
    expect(listed).toEqual([{ terminalId, number: 1, storeId: store.storeId, storeName: 'Valiasr', name: 'Till 1\u001b[2J', createdAt: expect.any(String), lastSeenAt: null, revokedAt: null }]);
    const table = await cli(['terminal', 'list', '--merchant', m], env);
    expect(table.stdout).toMatch(/^TERMINAL\s+NO\s+STORE\s+NAME\s+ENROLLED\s+LAST SEEN\s+STATUS\n/);
    expect(table.stdout).toMatch(new RegExp(`${terminalId}.*Till 1\\?\\[2J.*active`));
    expect(table.stdout).not.toContain('\u001b');

    expect(await cli(['terminal', 'revoke', terminalId], env)).toEqual({ code: 0, stdout: `Revoked terminal ${terminalId}.\n`, stderr: '' });
    const after = json<{ revokedAt: string | null }[]>(await cli(['terminal', 'list', '--merchant', m, '--json'], env));
    expect(after[0]?.revokedAt).toEqual(expect.any(String));
    expect((await cli(['terminal', 'list', '--merchant', m], env)).stdout).toMatch(/revoked \d{4}-/);
    // Revoking twice is harmless (the first revocation time stays).
    expect((await cli(['terminal', 'revoke', terminalId], env)).code).toBe(0);

    // What the CLI wrote, read back from the database: the PIN only as a verifiable argon2id hash, the
    // store in the settings document, and an audit trail of every action.
    const opened = await openDatabase(where);
    try {
      const { rows: staffRows } = await opened.db.query<{ doc: Staff }>(`SELECT doc FROM staff WHERE merchant_id = $1 AND id = $2`, [m, staff.staffId]);
      const pinHash = staffRows[0]?.doc.pinHash ?? '';
      expect(pinHash.startsWith('$argon2id$')).toBe(true);
      expect(await verifyPin('482135', pinHash)).toBe(true);
      const { rows: settings } = await opened.db.query<{ doc: { stores: { id: string; name: string; address: string }[] } }>(`SELECT doc FROM settings WHERE merchant_id = $1`, [m]);
      expect(settings[0]?.doc.stores).toEqual([{ id: store.storeId, name: 'Valiasr', address: 'Tehran, Valiasr St.' }]);
      const { rows: actions } = await opened.db.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_log WHERE merchant_id = $1 ORDER BY id`, [m]);
      expect(actions.filter((a) => a.actor === 'cli').map((a) => a.action)).toEqual([
        'merchant.create', 'store.create', 'staff.add', 'staff.add', 'enrolment_code.create', 'terminal.revoke', 'terminal.revoke',
      ]);
    } finally {
      await opened.close();
    }
  });

  it.each([
    ['store create', ['store', 'create', '--merchant', ABSENT, '--name', 'Nowhere'], /no merchant/],
    ['staff add', ['staff', 'add', '--merchant', ABSENT, '--name', 'Nobody', '--role', 'cashier', '--pin', '1234'], /no merchant/],
    ['enrol-code', ['enrol-code', '--merchant', ABSENT, '--store', ABSENT], /no merchant/],
    ['terminal list', ['terminal', 'list', '--merchant', ABSENT], /no merchant/],
    ['terminal revoke', ['terminal', 'revoke', ABSENT], /no terminal/],
    ['staff pin', ['staff', 'pin', '--merchant', ABSENT, '--staff', ABSENT, '--pin', '123456'], /no merchant|does not belong/],
    ['a manager with a 4-digit PIN', ['staff', 'add', '--merchant', ABSENT, '--name', 'Short', '--role', 'manager', '--pin', '1234'], /a manager's PIN has at least 6 digits/],
  ])('fails with exit code 1 and a message for an unknown merchant or terminal (%s)', async (_name, argv, message) => {
    const result = await cli(argv, env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^error: /);
  });

  it('refuses a staff member for a store of another merchant', async () => {
    const a = json<{ merchantId: string }>(await cli(['merchant', 'create', '--name', 'A', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin', '--json'], env));
    const b = json<{ merchantId: string }>(await cli(['merchant', 'create', '--name', 'B', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin', '--json'], env));
    const storeOfB = json<{ storeId: string }>(await cli(['store', 'create', '--merchant', b.merchantId, '--name', 'B1', '--json'], env));
    const result = await cli(['staff', 'add', '--merchant', a.merchantId, '--name', 'Mallory', '--role', 'owner', '--pin', '123456', '--store', storeOfB.storeId], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`no store ${storeOfB.storeId} in merchant ${a.merchantId}`));
    const code = await cli(['enrol-code', '--merchant', a.merchantId, '--store', storeOfB.storeId], env);
    expect(code.code).toBe(1);
  });

  // On the embedded default, while a server holds the folder: the CLI cannot open it and asks the server to
  // run the command through the admin socket in the folder (the folder lock holds within one process too).
  // The folder made by the tests above is reused, so this costs one server start, not a fresh database.
  it.runIf(kind === 'pglite')('runs every admin command inside a running server, by name, with the same output — a CSV and an .xlsx import too', async () => {
    const server = await startServer({ ...where, port: 0, app: { logger: false }, print: () => {} });
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) }, body: JSON.stringify(body) });
    try {
      expect(await cli(['migrate'], env)).toEqual({ code: 0, stdout: 'The database is up to date; nothing to apply.\n', stderr: '' });
      const merchant = json<{ merchantId: string }>(await cli(['merchant', 'create', '--name', 'Café Sol', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin', '--json'], env));
      expect((await cli(['merchant', 'list'], env)).stdout).toMatch(new RegExp(`^MERCHANT\\s+NAME\\s+STORES\\s+CREATED\\n[\\s\\S]*${merchant.merchantId}\\s+Café Sol\\s+0\\s`));

      const store = json<{ storeId: string; merchantId: string }>(await cli(['store', 'create', '--merchant', 'café sol', '--name', 'Main', '--json'], env));
      expect(store.merchantId).toBe(merchant.merchantId);
      expect(json(await cli(['store', 'list', '--merchant', 'Café Sol', '--json'], env))).toEqual([{ storeId: store.storeId, merchantId: merchant.merchantId, name: 'Main', createdAt: expect.any(String) }]);
      const member = json<{ staffId: string; storeIds: string[] }>(await cli(['staff', 'add', '--merchant', 'Café Sol', '--name', 'Leila', '--role', 'manager', '--store', 'Main', '--json'], { ...env, PATRON_STAFF_PIN: '482150' }));
      expect(member.storeIds).toEqual([store.storeId]);
      expect(json(await cli(['staff', 'list', '--merchant', 'Café Sol', '--json'], env))).toEqual([{ staffId: member.staffId, name: 'Leila', role: 'manager', active: true, storeIds: [store.storeId] }]);

      const code = json<{ code: string; storeId: string }>(await cli(['enrol-code', '--merchant', 'Café Sol', '--store', 'main', '--json'], env));
      expect(code.storeId).toBe(store.storeId);
      const enrolled = (await (await post('/v1/enrol', { code: code.code, deviceName: 'Front till' })).json()) as { terminalId: string; credential: string };
      expect(json(await cli(['terminal', 'list', '--merchant', 'Café Sol', '--json'], env))).toMatchObject([{ terminalId: enrolled.terminalId, number: 1, storeName: 'Main', name: 'Front till', revokedAt: null }]);
      expect(await cli(['terminal', 'revoke', 'front till', '--merchant', 'Café Sol'], env)).toEqual({ code: 0, stdout: `Revoked terminal ${enrolled.terminalId}.\n`, stderr: '' });
      // Revoked through the server's own path: the credential stops at once.
      expect((await post('/v1/token', { terminalId: enrolled.terminalId, credential: enrolled.credential })).status).toBe(401);
      expect((await cli(['purge-tombstones', '--older-than-days', '30'], env)).stdout).toMatch(/^Purged 0 tombstone/);
      // The audit trail too: read and pruned inside the running server.
      const audited = json<{ merchantId: string; entries: unknown[] }>(await cli(['audit', '--customer', enrolled.terminalId, '--merchant', merchant.merchantId, '--json'], env));
      expect(audited).toMatchObject({ merchantId: merchant.merchantId, entries: [] });
      expect((await cli(['purge-audit', '--older-than-days', '30'], env)).stdout).toMatch(/^Purged 0 audit trail entries/);
      const demo = await cli(['demo', '--customers', '5'], env);
      expect(demo).toMatchObject({ code: 0, stderr: '' });
      expect(demo.stdout).toMatch(/^Creating the demo merchant "Café Patron" \(5 customers\)…\n[\s\S]*Enrolment code: [A-Z0-9]{4}-[A-Z0-9]{4}/);
      // The directory's export too: the table is built inside the running server, the file written here.
      const exported = join(dir, 'demo-customers.xlsx');
      expect(json(await cli(['export', '--kind', 'customers', '--merchant', 'Café Patron', '--output', exported, '--json'], env))).toMatchObject({ kind: 'customers', format: 'xlsx', rows: 5 });
      expect((await readSheet(readFileSync(exported))).slice(1).map((row) => row[0])).toHaveLength(5);

      // Names: an ambiguous one fails and lists the candidates; an unknown one says so; ids keep working.
      const twins: string[] = [];
      for (let i = 0; i < 2; i++) twins.push(json<{ merchantId: string }>(await cli(['merchant', 'create', '--name', 'Twin', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin', '--json'], env)).merchantId);
      const ambiguous = await cli(['store', 'create', '--merchant', 'twin', '--name', 'North'], env);
      expect(ambiguous).toMatchObject({ code: 1, stdout: '' });
      expect(ambiguous.stderr).toMatch(/^error: 2 merchants are named "twin"; give one of these ids instead:/);
      for (const id of twins) expect(ambiguous.stderr).toContain(id);
      const unknown = await cli(['enrol-code', '--merchant', 'Nowhere Café', '--store', 'Main'], env);
      expect(unknown).toMatchObject({ code: 1, stdout: '' });
      expect(unknown.stderr).toMatch(/^error: no merchant named "Nowhere Café"/);
      json(await cli(['store', 'create', '--merchant', twins[0]!, '--name', 'North', '--json'], env));
      expect((await cli(['enrol-code', '--merchant', twins[1]!, '--store', 'North'], env)).stderr).toMatch(new RegExp(`^error: no store named "North" in merchant ${twins[1]}`));

      // `patron-sync import` (docs/directory.md#import) here too: the command reads and checks the file itself and
      // writes through the admin socket; the rows are read back as a terminal pulls them from this server.
      const seed = await seedMerchant(server.db, 'Café Import');
      const till = await enrolTerminal(server.app, server.db, seed);
      const existing = aCustomer(till.ctx(seed.cashier), { phone: '09121110000', phone2: '09121110009', name: 'Existing One', email: null, tags: ['old'] });
      expect((await till.push('customers', [insertRow(existing)])).conflicts).toEqual([]);

      const csv = [
        'نام,موبایل,ایمیل,امتیاز,برچسب,تعداد مراجعه',
        'Mina Karimi,۰۹۱۲ ۲۲۲ ۰۰۰۱,mina@example.com,250,vip,۳۰',
        'Existing Again,+98 912 111 0000,existing@example.com,40,new,8',
        'Mina Twin,09122220001,,10,,5',
        'Bad Phone,12345,,0,,',
        'Too Rich,09122220002,,20000,,many',
        'Family Phone,09121110009,,0,family,',
      ].join('\n');
      writeFileSync(join(dir, 'customers.csv'), csv);
      const imported = await cli(['import', join(dir, 'customers.csv'), '--merchant', seed.merchantId, '--staff', seed.manager.name, '--on-duplicate', 'merge', '--errors', join(dir, 'errors.csv'), '--json'], env);
      expect(imported.stderr).toBe('');
      const report = JSON.parse(imported.stdout) as { created: number; merged: number; points: number; errorRows: number; skipped: number };
      // Row 4 (same phone as row 2) folds into Mina; row 3 merges into the existing customer, and so does row 7
      // (its phone is their second phone); 5 and 6 are refused.
      expect(report).toMatchObject({ created: 1, merged: 1, points: 250, errorRows: 2, skipped: 0 });
      const errors = readFileSync(join(dir, 'errors.csv'), 'utf8');
      expect(errors).toContain('5,phone,12345,INVALID_PHONE_FORMAT');
      expect(errors).toContain('6,points,20000,POINTS_ABOVE_LIMIT');
      expect(errors).toContain('6,visits,many,INVALID_VISITS');

      const customers = (await till.pullAll('customers')) as unknown as Customer[];
      const mina = customers.find((c) => c.phone === '+989122220001');
      // Visits before Patron: on the created customer, and filling the existing customer's none.
      expect(mina).toMatchObject({ name: 'Mina Karimi', email: 'mina@example.com', tags: ['vip'], storeId: seed.storeId, updatedBy: seed.manager.id, priorVisits: 30 });
      expect(customers.find((c) => c.id === existing.id)).toMatchObject({ name: 'Existing One', email: 'existing@example.com', tags: ['old', 'new', 'family'], priorVisits: 8 });
      expect(customers.filter((c) => c.name === 'Family Phone')).toEqual([]);
      const lines = (await till.pullAll('loyaltyEntries')) as unknown as LoyaltyEntry[];
      expect(lines.filter((l) => l.customerId === mina!.id)).toMatchObject([{ kind: 'adjust', points: 250, staffId: seed.manager.id }]);
      expect(lines.filter((l) => l.customerId === existing.id)).toEqual([]);

      const rows = [
        ['Client', 'Tel', 'Card', 'Born'],
        ['Omid Rad', '09123330001', '', new Date(Date.UTC(1988, 4, 2))],
        ['Existing Card', '09123330002', memberCodeOf(existing.id), null],
      ].map((row) => row.map((value) => (value instanceof Date ? { value, type: Date, format: 'yyyy-mm-dd' } : { value: value ?? '' })));
      await writeXlsxFile(rows as never).toFile(join(dir, 'customers.xlsx'));
      const sheet = await cli(['import', join(dir, 'customers.xlsx'), '--merchant', 'Café Import', '--staff', seed.manager.id, '--map', 'name=Client', '--map', 'phone=2', '--map', 'memberCode=Card', '--map', 'birthday=Born'], env);
      expect(sheet).toMatchObject({ code: 0, stderr: '' });
      expect(sheet.stdout).toMatch(/^Imported 2 rows of customers\.xlsx for Reza: 1 created, 0 merged, 1 duplicates skipped, 0 rows refused\./);
      const after = (await till.pullAll('customers')) as unknown as Customer[];
      expect(after.find((c) => c.phone === '+989123330001')).toMatchObject({ name: 'Omid Rad', birthday: '1988-05-02' });
      expect(after.some((c) => c.phone === '+989123330002')).toBe(false);

      writeFileSync(join(dir, 'no-phone.csv'), 'name,email\nNo Phone,x@y.co\n');
      expect(await cli(['import', join(dir, 'no-phone.csv'), '--merchant', seed.merchantId, '--staff', seed.manager.name], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/no column for phone/) });
      const before = (await till.pullAll('customers')).length;
      const cashier = await cli(['import', join(dir, 'customers.csv'), '--merchant', seed.merchantId, '--staff', seed.cashier.name], env);
      expect(cashier).toMatchObject({ code: 1, stderr: expect.stringMatching(/manager or the owner/) });
      // The server checks a batch again: one sent straight to the socket with a balance above the manager's limit
      // (the CLI would have refused the row) writes nothing.
      const forged = { line: 2, name: 'Forged Balance', phone: '+989124440001', email: null, birthday: null, anniversary: null, notes: '', tags: [], marketingConsent: false, memberCode: null, points: 20_000, visits: 0 };
      const batch = { merchant: seed.merchantId, staff: seed.manager.id, importId: '0196a3b2-0000-7000-8000-00000000f0f0', fileName: 'forged.csv', region: 'IR', creates: [forged], merges: [] };
      await expect(requestAdminOperation(where.dataDir!, 'import.batch', batch, new Error('busy'))).rejects.toThrow(/adjustment limit/);
      expect((await till.pullAll('customers')).length).toBe(before);
    } finally {
      await server.close();
    }
  });
});

describe('patron-sync usage', () => {
  let dir: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'patron-cli-usage-'));
    env = { PATRON_DATA_DIR: join(dir, 'data') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const merchantArgs = ['merchant', 'create', '--name', 'X', '--currency', 'IRR', '--region', 'IR', '--locale', 'fa', '--time-zone', 'Asia/Tehran'];
  const withOption = (option: string, value: string) => merchantArgs.map((arg, i) => (merchantArgs[i - 1] === option ? value : arg));

  it.each([
    ['no command', [], /Usage: patron-sync \[options\] \[command\]/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a group without its subcommand', ['merchant'], /Usage: patron-sync merchant/],
    ['an unknown option', ['migrate', '--verbose'], /unknown option '--verbose'/],
    ['an extra argument', ['migrate', 'now'], /too many arguments/],
    ['a lower-case currency', withOption('--currency', 'irr'), /'--currency <code>' argument 'irr' is invalid\. expected an ISO 4217 code/],
    ['a currency of four letters', withOption('--currency', 'IRRR'), /--currency/],
    ['an unknown region', withOption('--region', 'XX'), /--region <code>' argument 'XX' is invalid/],
    ['a lower-case region', withOption('--region', 'ir'), /--region/],
    ['an unsupported locale', withOption('--locale', 'de'), /--locale/],
    ['an unknown time zone', withOption('--time-zone', 'Mars/Olympus'), /expected an IANA time zone/],
    ['a blank name', withOption('--name', '   '), /--name <name>' argument ' {3}' is invalid\. must not be empty/],
    ['a missing required option', ['merchant', 'create', '--name', 'X'], /required option '--currency <code>' not specified/],
    ['a blank merchant', ['store', 'create', '--merchant', ' ', '--name', 'S'], /--merchant <id\|name>' argument ' ' is invalid\. must not be empty/],
    ['an unknown role', ['staff', 'add', '--merchant', ABSENT, '--name', 'N', '--role', 'boss', '--pin', '1234'], /Allowed choices are cashier, manager, owner/],
    ['no PIN at all', ['staff', 'add', '--merchant', ABSENT, '--name', 'N', '--role', 'cashier'], /give the PIN with --pin or in PATRON_STAFF_PIN/],
    ['a zero TTL', ['enrol-code', '--merchant', ABSENT, '--store', ABSENT, '--ttl-minutes', '0'], /--ttl-minutes <minutes>' argument '0' is invalid/],
    ['a fractional TTL', ['enrol-code', '--merchant', ABSENT, '--store', ABSENT, '--ttl-minutes', '1.5'], /expected a whole number/],
    ['revoke without a terminal', ['terminal', 'revoke'], /missing required argument 'terminal'/],
    ['a port out of range', ['serve', '--port', '70000'], /--port <port>' argument '70000' is invalid/],
    ['a negative demo size', ['demo', '--customers', '-5'], /--customers/],
    ['an empty data folder', ['migrate', '--data', ''], /--data <dir>' argument '' is invalid\. must not be empty/],
  ])('exits 2 with a usage message for %s', async (_name, argv, message) => {
    const result = await cli(argv, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('exits 2 for a malformed PIN without echoing it', async () => {
    const flag = await cli(['staff', 'add', '--merchant', ABSENT, '--name', 'N', '--role', 'cashier', '--pin', '99x'], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--pin must be 4–8 digits/);
    expect(flag.stderr).not.toContain('99x');
    const fromEnv = await cli(['staff', 'add', '--merchant', ABSENT, '--name', 'N', '--role', 'cashier'], { ...env, PATRON_STAFF_PIN: '123456789' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/PATRON_STAFF_PIN must be 4–8 digits/);
    expect(fromEnv.stderr).not.toContain('123456789');
  });

  it('exits 2 when --data and DATABASE_URL disagree, and for a bad PORT or LOG_LEVEL', async () => {
    const both = await cli(['migrate', '--data', join(dir, 'other')], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/DATABASE_URL is set/);
    const port = await cli(['serve'], { ...env, PORT: 'eighty' });
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/PORT must be a port number/);
    const level = await cli(['serve'], { ...env, LOG_LEVEL: 'loud' });
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/LOG_LEVEL must be one of fatal, error, warn, info/);
  });

  it('touches no database for bad usage', () => {
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('prints help for the program and every command with exit code 0', async () => {
    const top = await cli(['--help'], env);
    expect(top.code).toBe(0);
    expect(top.stderr).toBe('');
    for (const command of ['serve', 'start', 'migrate', 'merchant', 'store', 'staff', 'enrol-code', 'terminal', 'demo']) expect(top.stdout).toContain(command);
    expect(top.stdout).toMatch(/DATABASE_URL/);
    expect(top.stdout).toMatch(/Exit codes: 0 done, 1 failed, 2 bad usage/);

    const cases: [string[], RegExp][] = [
      [['serve', '--help'], /--port <port>[\s\S]*--host <address>[\s\S]*--data <dir>/],
      [['start', '--help'], /--customers <n>/],
      [['migrate', '--help'], /--data <dir>/],
      [['merchant', '--help'], /create \[options\]/],
      [['merchant', 'create', '--help'], /--currency <code>[\s\S]*--time-zone <zone>[\s\S]*--json/],
      [['store', 'create', '--help'], /--address <text>/],
      [['staff', 'add', '--help'], /--role <role>[\s\S]*choices: "cashier", "manager",\s+"owner"[\s\S]*PATRON_STAFF_PIN/],
      [['enrol-code', '--help'], /--ttl-minutes <minutes>[\s\S]*default: 60/],
      [['terminal', 'list', '--help'], /--merchant <id\|name>/],
      [['terminal', 'revoke', '--help'], /terminal id or device name/],
      [['demo', '--help'], /--customers <n>[\s\S]*default: 3000[\s\S]*--seed <n>/],
      [['help', 'staff'], /add \[options\]/],
    ];
    for (const [argv, pattern] of cases) {
      const result = await cli(argv, env);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout, argv.join(' ')).toMatch(pattern);
    }
  });

  it('refuses a PGlite folder held by an open in this process; a pid left in the lock file means nothing', async () => {
    const data = join(dir, 'locked');
    const held = await openDatabase({ dataDir: data });
    try {
      const busy = await cli(['migrate'], { PATRON_DATA_DIR: data });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
    } finally {
      await held.close();
    }
    // The lock is the kernel's (test/sync/server/data-folder.test.ts tries other processes): a pid left in the
    // file — of a process long gone, or our own, as for a container restarted as PID 1 — is not "busy".
    for (const pid of [2 ** 22 + 7, process.pid]) {
      writeFileSync(join(data, 'patron.lock'), String(pid));
      expect(await cli(['migrate'], { PATRON_DATA_DIR: data })).toMatchObject({ code: 0, stderr: '' });
    }
  });

  it('reports an unreachable Postgres as a failure without printing the connection string', async () => {
    const result = await cli(['migrate'], { DATABASE_URL: 'postgres://patron:s3cret@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/database unavailable/);
    expect(result.stderr).not.toContain('s3cret');
  });
});
