import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorBodySchema } from '../../../src/sync/model/wire-protocol.ts';
import { openDatabase } from '../../../src/sync/server/main.ts';
import { customerRows, enrolOver, killGroup, prepareShop, spawnServer, type PreparedShop, type ServerProcess } from '../../helpers/server-process.ts';

// docs/reliability.md#f12: the data folder's disk fills up. A real small file system (tmpfs, mounted by the test as
// root) under a real server process.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const MIB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'patron-full-'));
const mounts: string[] = [];
const running: ServerProcess[] = [];
let shop: PreparedShop;
let prepared: string;

/** A tmpfs of `mib` MiB with a copy of the prepared data folder in it. */
function smallDisk(name: string, mib: number): string {
  const mount = join(root, name);
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', mount]);
  mounts.push(mount);
  const dir = join(mount, 'data');
  cpSync(prepared, dir, { recursive: true });
  return dir;
}

/** Leaves about `mib` MiB free on the disk holding `dir` (a file of zeros takes the rest). */
function fillLeaving(dir: string, mib: number): string {
  const stats = statfsSync(dir);
  const take = Math.max(0, stats.bavail * stats.bsize - mib * MIB);
  const filler = join(dir, '..', 'filler');
  writeFileSync(filler, Buffer.alloc(take));
  return filler;
}

beforeAll(async () => {
  prepared = join(root, 'prepared');
  shop = await prepareShop({ dataDir: prepared }, 2);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map(killGroup));
});
afterAll(() => {
  for (const mount of mounts) execFileSync('umount', ['-l', mount]);
  rmSync(root, { recursive: true, force: true });
});

async function push(url: string, auth: Record<string, string>, rows: unknown[]): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${url}/v1/push/customers`, { method: 'POST', headers: auth, body: JSON.stringify({ rows }), signal: AbortSignal.timeout(30_000) });
  const body: unknown = await response.json();
  return response.status === 200 ? { status: 200 } : { status: response.status, code: ErrorBodySchema.parse(body).error.code };
}

describe.skipIf(process.getuid?.() !== 0)('a full disk under PGlite (F12)', () => {
  it('answers 503 DISK_FULL, turns /ready 503, logs "disk full" with the path, recovers by itself, and stops on SIGTERM', async () => {
    const dir = smallDisk('guarded', 120);
    const server = await spawnServer(['--data', dir, '--min-free-mb', '32']);
    running.push(server);
    const till = await enrolOver(server.url, shop.codes[0]!);
    expect(await push(server.url, till.auth, customerRows(shop, till.terminalId, 0, 20))).toEqual({ status: 200 });

    const filler = fillLeaving(dir, 20);
    const refused = customerRows(shop, till.terminalId, 100, 20);
    expect(await push(server.url, till.auth, refused)).toEqual({ status: 503, code: 'DISK_FULL' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(ErrorBodySchema.parse(await ready.json()).error.code).toBe('DISK_FULL');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const pgdata = join(dir, 'pgdata');
    expect(server.stdout()).toContain(`disk full: ${pgdata} has`);

    // Space returns: the same push goes through, with no restart.
    rmSync(filler);
    expect(await push(server.url, till.auth, refused)).toEqual({ status: 200 });
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect(server.stdout()).toContain(`disk space is back: ${pgdata}`);

    // Full again, then SIGTERM: the shutdown is not held up by the full disk.
    fillLeaving(dir, 20);
    expect(await push(server.url, till.auth, customerRows(shop, till.terminalId, 200, 5))).toEqual({ status: 503, code: 'DISK_FULL' });
    server.proc.kill('SIGTERM');
    expect(await server.exited).toEqual([0, null]);
  });

  it('with the free-space check off, never hangs: each push is answered or the process exits at the PANIC, and nothing acknowledged is lost', async () => {
    const dir = smallDisk('unguarded', 100);
    const server = await spawnServer(['--data', dir, '--min-free-mb', '0']);
    running.push(server);
    const till = await enrolOver(server.url, shop.codes[1]!);
    // Room for table pages but not for the next 16 MiB WAL segment: the case that hung PGlite at 100 % CPU.
    fillLeaving(dir, 12);
    const acknowledged: string[] = [];
    let outcome = 'still serving';
    for (let i = 0; i < 400 && outcome === 'still serving'; i++) {
      const rows = customerRows(shop, till.terminalId, 1000 + i * 200, 200, { notes: () => randomBytes(1200).toString('base64') });
      const answer = await push(server.url, till.auth, rows).catch((error: unknown) => ({ status: 0, code: String((error as Error).name) }));
      if (answer.status === 200) acknowledged.push(...rows.map((row) => row.newDocumentState.id));
      else outcome = answer.status === 503 ? `503 ${answer.code}` : `no answer (${answer.code})`;
    }
    // Either Postgres refused the write (ENOSPC on a table file) or it PANICked on the WAL and the process
    // ended itself; a request left hanging would show as an AbortSignal timeout here.
    expect(['503 DISK_FULL', 'no answer (TypeError)']).toContain(outcome);
    if (outcome.startsWith('no answer')) {
      expect(await server.exited).toEqual([70, null]);
      expect(server.stdout() + server.stderr()).toMatch(/PANIC.*No space left on device/);
    } else {
      server.proc.kill('SIGTERM');
      await server.exited;
    }
    rmSync(join(dir, '..', 'filler'));
    console.log(`disk full without the check: ${outcome} after ${acknowledged.length} acknowledged rows`);
    const opened = await openDatabase({ dataDir: dir, minFreeBytes: 0 });
    try {
      const { rows } = await opened.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::text[])`, [acknowledged]);
      expect(rows[0]?.n).toBe(acknowledged.length);
    } finally {
      await opened.close();
    }
  });
});
