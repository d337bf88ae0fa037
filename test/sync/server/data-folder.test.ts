import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, openSync, writeSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../../src/sync/server/db/migrate.ts';
import { ErrorBodySchema } from '../../../src/sync/model/wire-protocol.ts';
import { openDatabase, startServer } from '../../../src/sync/server/main.ts';
import { enrolOver, prepareShop } from '../../helpers/server-process.ts';

// Each open of a PGlite folder is a WASM start (seconds each; minutes in all when the machine is loaded).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const CONTENDER = fileURLToPath(new URL('../../helpers/lock-contender.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'patron-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let serial = 0;
function folder(): string {
  serial += 1;
  return join(root, `f${serial}`);
}

/** Overwrites `length` bytes at `offset` with junk, as a bad sector or a torn copy would. */
function garble(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Every path below `dir` (what must stay unchanged when a folder is refused). */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('the data folder', () => {
  let good: string;
  beforeAll(async () => {
    // One real database, copied for each kind of damage.
    good = folder();
    const opened = await openDatabase({ dataDir: good });
    await migrate(opened.db);
    await opened.close();
  });

  it('is created fresh only when absent or empty, and a creation cut short is redone', async () => {
    expect(existsSync(join(good, 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(good, 'pgdata.creating'))).toBe(false);
    // What a kill -9 during the first start leaves: a half-built pgdata.creating and the lock file.
    const interrupted = folder();
    mkdirSync(join(interrupted, 'pgdata.creating', 'base'), { recursive: true });
    writeFileSync(join(interrupted, 'patron.lock'), '12345\n');
    const opened = await openDatabase({ dataDir: interrupted });
    try {
      expect(opened.embedded?.created).toBe(true);
      expect(await migrate(opened.db)).not.toEqual([]);
    } finally {
      await opened.close();
    }
    expect(readdirSync(interrupted).sort()).toEqual(['patron.lock', 'pgdata']);
  });

  const damages: [string, (dir: string) => void, RegExp][] = [
    ['a folder with files but no pgdata', (dir) => rmSync(join(dir, 'pgdata'), { recursive: true }), /holds "patron-notes\.txt" but no database folder "pgdata"/],
    ['an empty pgdata (a volume that did not mount)', (dir) => { rmSync(join(dir, 'pgdata'), { recursive: true }); mkdirSync(join(dir, 'pgdata')); }, /"pgdata" is empty/],
    ['pgdata without PG_VERSION', (dir) => rmSync(join(dir, 'pgdata', 'PG_VERSION')), /pgdata\/PG_VERSION missing/],
    ['a damaged control file', (dir) => garble(join(dir, 'pgdata', 'global', 'pg_control'), 100, 64), /damaged \(FATAL: incorrect checksum in control file/],
    ['a truncated WAL (PGlite aborts)', (dir) => { for (const wal of readdirSync(join(dir, 'pgdata', 'pg_wal')).filter((n) => /^[0-9A-F]{24}$/.test(n))) truncateSync(join(dir, 'pgdata', 'pg_wal', wal), 0); }, /damaged \(.*PANIC: could not locate a valid checkpoint record/],
  ];

  it.each(damages)('refuses %s, naming the folder and what is wrong, and changes nothing', async (_what, damage, problem) => {
    const dir = folder();
    cpSync(good, dir, { recursive: true });
    writeFileSync(join(dir, 'patron-notes.txt'), 'the operator keeps notes here\n');
    damage(dir);
    const before = listing(dir);
    const refusal = await openDatabase({ dataDir: dir }).then(
      async (opened) => {
        await opened.close();
        return 'opened';
      },
      (error: unknown) => (error as Error).message,
    );
    expect(refusal).toContain(`the data folder ${dir} is not a usable database`);
    expect(refusal).toMatch(problem);
    expect(refusal).not.toMatch(/Aborted\(\)|ASSERTIONS/);
    expect(listing(dir)).toEqual(before);
  });
});

interface Contender {
  proc: ChildProcess;
  said: string[];
  exited: Promise<void>;
}

function contender(dir: string): Contender {
  const proc = spawn(process.execPath, ['--import', 'tsx', CONTENDER, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const said: string[] = [];
  proc.stdout?.on('data', (chunk: Buffer) => said.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return { proc, said, exited };
}

async function until(check: () => boolean, what: string): Promise<void> {
  // Starting node with tsx takes seconds each on a loaded two-core machine; this bounds a hang, not a speed.
  const deadline = Date.now() + 120_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the data-folder lock across processes', () => {
  it('lets exactly one of several simultaneous starts win, every time; kill -9 frees it at once', async () => {
    const dir = folder();
    mkdirSync(dir);
    const trials = 2;
    for (let trial = 0; trial < trials; trial++) {
      const all = [0, 1, 2, 3].map(() => contender(dir));
      try {
        await until(() => all.every((c) => c.said.includes('ready')), 'the contenders to start');
        // Released together: each tries once, as several servers started at the same moment would.
        for (const c of all) c.proc.stdin?.write('go\n');
        await until(() => all.every((c) => c.said.length >= 2), 'every contender to answer');
        const winners = all.filter((c) => c.said[1] === 'won');
        expect(winners, `trial ${trial}: ${all.map((c) => c.said[1]).join(' | ')}`).toHaveLength(1);
        for (const loser of all.filter((c) => c.said[1] !== 'won')) {
          // The winner may not have written its pid into the file yet; then the message says "another process".
          expect(loser.said[1]).toMatch(new RegExp(`the data folder ${dir} is in use by (process ${winners[0]?.proc.pid}|another process)`));
        }
        // The winner dies without any cleanup; a new start takes the folder straight away, its pid left behind.
        winners[0]?.proc.kill('SIGKILL');
        await winners[0]?.exited;
        const next = contender(dir);
        await until(() => next.said.includes('ready'), 'the next contender');
        next.proc.stdin?.write('go\n');
        await until(() => next.said.length >= 2, 'the next contender to answer');
        expect(next.said[1]).toBe('won');
        next.proc.stdin?.end();
        await next.exited;
      } finally {
        for (const c of all) c.proc.kill('SIGKILL');
        await Promise.all(all.map((c) => c.exited));
      }
    }
  });
});

describe('a page damaged while the folder looks complete', () => {
  it('answers 503 DATABASE_DAMAGED on the reads that meet it and keeps /ready at 503', async () => {
    const dir = folder();
    const shop = await prepareShop({ dataDir: dir }, 1);
    const opened = await openDatabase({ dataDir: dir });
    const { rows } = await opened.db.query<{ path: string }>(`SELECT pg_relation_filepath('staff') AS path`);
    await opened.close();
    // A bad sector in the staff table's first page: its checksum no longer matches.
    garble(join(dir, 'pgdata', rows[0]!.path), 200, 64);
    const server = await startServer({ dataDir: dir, port: 0, app: { logger: false, rateLimit: false }, print: () => {} });
    try {
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      const till = await enrolOver(server.url, shop.codes[0]!);
      const pull = await fetch(`${server.url}/v1/pull/staff`, { headers: till.auth });
      expect(pull.status).toBe(503);
      expect(ErrorBodySchema.parse(await pull.json()).error.code).toBe('DATABASE_DAMAGED');
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(ErrorBodySchema.parse(await ready.json()).error.code).toBe('DATABASE_DAMAGED');
    } finally {
      await server.close();
    }
  });
});
