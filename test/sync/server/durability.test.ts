import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../src/sync/server/main.ts';
import { customerRows, enrolOver, killGroup, prepareShop, spawnServer, type PreparedShop, type ServerProcess } from '../../helpers/server-process.ts';

// docs/reliability.md#f11: a power cut on the embedded default loses no acknowledged write. Real server processes
// on real folders; each start is a WASM start of PGlite (seconds on a loaded two-core machine).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const VOLATILE = fileURLToPath(new URL('../../helpers/volatile-disk.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'patron-durable-'));
let shop: PreparedShop;
let prepared: string;
let serial = 0;
const running: ServerProcess[] = [];

beforeAll(async () => {
  prepared = join(root, 'prepared');
  shop = await prepareShop({ dataDir: prepared });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map(killGroup));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the prepared folder (each test enrols with its own code). */
function copy(): string {
  serial += 1;
  const dir = join(root, `copy${serial}`);
  cpSync(prepared, dir, { recursive: true });
  return dir;
}

async function push(url: string, auth: Record<string, string>, rows: unknown[]): Promise<number> {
  const response = await fetch(`${url}/v1/push/customers`, { method: 'POST', headers: auth, body: JSON.stringify({ rows }) });
  await response.arrayBuffer();
  return response.status;
}

describe('PGlite on disk (F11)', () => {
  it('fsyncs the WAL after a push commits and before it answers (strace of a real server)', async () => {
    const dir = copy();
    const trace = join(root, 'strace.txt');
    const server = await spawnServer(['--data', dir], { command: ['strace', '-f', '-y', '-s', '24', '-e', 'trace=fsync,fdatasync,write,writev', '-o', trace] });
    running.push(server);
    const till = await enrolOver(server.url, shop.codes[0]!);
    const pushes = 3;
    for (let i = 0; i < pushes; i++) {
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      expect(await push(server.url, till.auth, customerRows(shop, till.terminalId, i * 10, 10))).toBe(200);
    }
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    await killGroup(server);

    const lines = readFileSync(trace, 'utf8').split('\n');
    // The answers, in order: …, ready, push, ready, push, ready, push, ready.
    const answers = lines.flatMap((line, i) => (/\bwritev?\(\d+<(?:TCP|socket)[^>]*>, .*"HTTP\/1\.1 /.test(line) ? [i] : []));
    const last = answers.slice(-(2 * pushes + 1));
    expect(last).toHaveLength(2 * pushes + 1);
    const walSync = /\bf(data)?sync\(\d+<[^>]*\/pg_wal\/[0-9A-F]{24}>\) = 0/;
    for (let p = 0; p < pushes; p++) {
      const [before, answer] = [last[2 * p]!, last[2 * p + 1]!];
      const between = lines.slice(before + 1, answer);
      expect(between.some((line) => walSync.test(line)), `push ${p + 1}: no WAL fsync between the request and its answer`).toBe(true);
    }
  });

  it('keeps every acknowledged push through a power cut (only synced bytes reach the disk)', async () => {
    const dir = copy();
    const platter = copy();
    const server = await spawnServer(['--data', dir], {
      nodeArgs: ['--import', 'tsx', '--import', VOLATILE],
      env: { PATRON_VOLATILE_ROOT: dir, PATRON_VOLATILE_PLATTER: platter },
    });
    running.push(server);
    const till = await enrolOver(server.url, shop.codes[1]!);
    const acknowledged: string[] = [];
    for (let i = 0; i < 8; i++) {
      const rows = customerRows(shop, till.terminalId, i * 20, 20);
      expect(await push(server.url, till.auth, rows)).toBe(200);
      acknowledged.push(...rows.map((row) => row.newDocumentState.id));
    }
    // The power goes: the page cache is gone, the platter is what the disk holds.
    await killGroup(server);

    const opened = await openDatabase({ dataDir: platter });
    try {
      const { rows } = await opened.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::text[])`, [acknowledged]);
      expect(rows[0]?.n).toBe(acknowledged.length);
    } finally {
      await opened.close();
    }
  });
});
