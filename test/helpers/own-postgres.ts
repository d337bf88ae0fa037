import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A Postgres of the test's own — its own data directory and port — that a fault test may stop and start
// (fast or immediate shutdown) without touching the shared one at 127.0.0.1:5432.

const BIN = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

/** A private Postgres cluster. */
export interface OwnPostgres {
  /** Connection string of its `postgres` database. */
  url: string;
  /** pg_ctl stop with this shutdown mode (`fast` ends sessions with 57P01; `immediate` is a crash). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it (immediately) and removes its data directory. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** initdb into a temp folder and pg_ctl start on a free port, as the `postgres` user (Postgres refuses root). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const uid = Number(stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  const dir = mkdtempSync(join(tmpdir(), 'patron-pg-'));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const as = { uid, gid, cwd: dir, env: { ...process.env, LC_ALL: 'C' } };
  await run(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], as);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=40`;
  const start = async () => {
    await run(`${BIN}/pg_ctl`, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'], as);
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    await run(`${BIN}/pg_ctl`, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], as);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      await stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
