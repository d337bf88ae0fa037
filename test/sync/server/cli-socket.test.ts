import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, type CliIo } from '../../../src/sync/server/cli.ts';
import { startServer, type RunningServer } from '../../../src/sync/server/main.ts';
import { headers } from '../../helpers/server-process.ts';

// Every admin command of `patron-sync` while a server holds the embedded database's folder: the CLI cannot
// open it (the folder lock holds within one process too) and asks the server to run the command through the
// admin socket in the folder. One server for every case; server and CLI run in-process, as in cli.test.ts.

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('patron-sync against a running server on PGlite', () => {
  let dir: string;
  let server: RunningServer | undefined;
  let env: Record<string, string>;

  const cli = async (argv: string[], extra: Record<string, string> = {}): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { ...env, ...extra } };
    return { code: await runCli(argv, io), stdout, stderr };
  };
  const json = async <T>(argv: string[], extra?: Record<string, string>): Promise<T> => {
    const result = await cli([...argv, '--json'], extra);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };
  const post = (path: string, body: unknown) =>
    fetch(`${server!.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patron-cli-socket-'));
    env = { PATRON_DATA_DIR: join(dir, 'data') };
    server = await startServer({ dataDir: join(dir, 'data'), port: 0, app: { logger: false }, print: () => {} });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets a shop up by name, enrols a terminal and revokes it, all inside the server', async () => {
    expect(await cli(['migrate'])).toEqual({ code: 0, stdout: 'The database is up to date; nothing to apply.\n', stderr: '' });
    const merchant = await json<{ merchantId: string }>(['merchant', 'create', '--name', 'Café Sol', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin']);
    const listed = await cli(['merchant', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^MERCHANT\\s+NAME\\s+STORES\\s+CREATED\\n${merchant.merchantId}\\s+Café Sol\\s+0\\s`));

    const store = await json<{ storeId: string; merchantId: string }>(['store', 'create', '--merchant', 'café sol', '--name', 'Main']);
    expect(store.merchantId).toBe(merchant.merchantId);
    expect(await json<{ storeId: string; name: string }[]>(['store', 'list', '--merchant', 'Café Sol'])).toEqual([{ storeId: store.storeId, merchantId: merchant.merchantId, name: 'Main', createdAt: expect.any(String) }]);

    const member = await json<{ staffId: string; storeIds: string[] }>(['staff', 'add', '--merchant', 'Café Sol', '--name', 'Leila', '--role', 'manager', '--store', 'Main'], { PATRON_STAFF_PIN: '4821' });
    expect(member.storeIds).toEqual([store.storeId]);
    expect(await json<unknown[]>(['staff', 'list', '--merchant', 'Café Sol'])).toEqual([{ staffId: member.staffId, name: 'Leila', role: 'manager', active: true, storeIds: [store.storeId] }]);

    const code = await json<{ code: string; storeId: string }>(['enrol-code', '--merchant', 'Café Sol', '--store', 'main']);
    expect(code.storeId).toBe(store.storeId);
    const enrolled = (await (await post('/v1/enrol', { code: code.code, deviceName: 'Front till' })).json()) as { terminalId: string; credential: string };
    const terminals = await json<{ terminalId: string; storeName: string; revokedAt: string | null }[]>(['terminal', 'list', '--merchant', 'Café Sol']);
    expect(terminals).toMatchObject([{ terminalId: enrolled.terminalId, number: 1, storeName: 'Main', name: 'Front till', revokedAt: null }]);

    expect(await cli(['terminal', 'revoke', 'front till', '--merchant', 'Café Sol'])).toEqual({ code: 0, stdout: `Revoked terminal ${enrolled.terminalId}.\n`, stderr: '' });
    // The revocation went through the server's own revoke path: the credential stops at once.
    expect((await post('/v1/token', { terminalId: enrolled.terminalId, credential: enrolled.credential })).status).toBe(401);
    expect((await cli(['purge-tombstones', '--older-than-days', '30'])).stdout).toMatch(/^Purged 0 tombstone/);
  });

  it('fails with the candidates for an ambiguous name and clearly for an unknown one; ids keep working', async () => {
    const twins: string[] = [];
    for (let i = 0; i < 2; i++) {
      twins.push((await json<{ merchantId: string }>(['merchant', 'create', '--name', 'Twin', '--currency', 'EUR', '--region', 'DE', '--locale', 'en', '--time-zone', 'Europe/Berlin'])).merchantId);
    }
    const ambiguous = await cli(['store', 'create', '--merchant', 'twin', '--name', 'North']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stdout).toBe('');
    expect(ambiguous.stderr).toMatch(/^error: 2 merchants are named "twin"; give one of these ids instead:/);
    for (const id of twins) expect(ambiguous.stderr).toContain(id);

    const unknown = await cli(['enrol-code', '--merchant', 'Nowhere Café', '--store', 'Main']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/^error: no merchant named "Nowhere Café"/);
    await json(['store', 'create', '--merchant', twins[0]!, '--name', 'North']);
    const noStore = await cli(['enrol-code', '--merchant', twins[1]!, '--store', 'North']);
    expect(noStore.stderr).toMatch(new RegExp(`^error: no store named "North" in merchant ${twins[1]}`));
    expect((await json<{ storeId: string }[]>(['store', 'list', '--merchant', twins[0]!])).map((s) => s.storeId)).toHaveLength(1);
  });
});
