import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StaffKey } from '../../src/sync/model/staff-proof.ts';
import { openKey, sessionAround } from './staff-sessions.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/sync/model/wire-protocol.ts';
import { newCustomer } from '../../src/sync/model/document-builders.ts';
import { migrate } from '../../src/sync/server/db/migrate.ts';
import { openDatabase, type DatabaseLocation } from '../../src/sync/server/main.ts';
import { addStaff, createEnrolmentCode, createMerchant, createStore } from '../../src/sync/server/repositories/admin.ts';

// `patron-sync serve` as a real process, for the fault tests that kill it, trace it or fill its disk.

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const headers = { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };

/** A merchant with a store, a cashier and enrolment codes, written through one open of the database. */
export interface PreparedShop {
  merchantId: string;
  storeId: string;
  staffId: string;
  codes: string[];
}

export async function prepareShop(location: DatabaseLocation, codes = 2): Promise<PreparedShop> {
  const opened = await openDatabase(location);
  try {
    await migrate(opened.db);
    const merchantId = await createMerchant(opened.db, { name: 'Fault Café', currency: 'IRR', defaultRegion: 'IR', locale: 'fa', timeZone: 'Asia/Tehran' }, 'test');
    const storeId = await createStore(opened.db, merchantId, { name: 'Main' }, 'test');
    const staff = await addStaff(opened.db, merchantId, { name: 'Sara', role: 'cashier', pin: SHOP_PIN }, 'test');
    const made: string[] = [];
    for (let i = 0; i < codes; i++) made.push((await createEnrolmentCode(opened.db, merchantId, storeId, 60, 'test')).code);
    return { merchantId, storeId, staffId: staff.id, codes: made };
  } finally {
    await opened.close();
  }
}

/** A running `patron-sync serve` child: its URL, output and exit. */
export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Spawns `patron-sync serve --port 0` with `args` and waits for its URL line. `command` wraps it (strace);
 * `nodeArgs` go to node (preloads). The child leads its own process group so a wrapper dies with it.
 */
export async function spawnServer(args: string[], options: { env?: Record<string, string>; nodeArgs?: string[]; command?: string[] } = {}): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...options.env };
  for (const name of ['DATABASE_URL', 'PATRON_DATA_DIR', 'PORT', 'HOST']) if (!options.env?.[name]) delete env[name];
  const node = [process.execPath, ...(options.nodeArgs ?? []), 'bin/patron-sync.mjs', 'serve', '--port', '0', ...args];
  const [file, ...rest] = [...(options.command ?? []), ...node];
  const proc = spawn(file!, rest, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('exit', (code, signal) => resolve([code, signal])));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url) return { proc, url, stdout: () => out, stderr: () => err, exited };
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start: ${err || out}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kills the child's whole process group (the server and any wrapper) with SIGKILL: a power cut or a crash. */
export async function killGroup(server: ServerProcess): Promise<void> {
  if (server.proc.exitCode === null && server.proc.signalCode === null) {
    try {
      process.kill(-(server.proc.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await server.exited;
}

/** The PIN of the cashier prepareShop adds. */
export const SHOP_PIN = '1234';

/**
 * Enrols with a code and returns authorised headers for pushes and pulls. The shop's cashier signs in on the
 * new terminal (a signed session the server records), so pushes in their name are accepted.
 */
export async function enrolOver(url: string, code: string): Promise<{ terminalId: string; auth: Record<string, string> }> {
  const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });
  const enrolled = (await (await post('/v1/enrol', { code, deviceName: 'Fault till' })).json()) as { terminalId: string; credential: string; merchantId: string };
  const token = (await (await post('/v1/token', { terminalId: enrolled.terminalId, credential: enrolled.credential })).json()) as { accessToken: string };
  const auth = { ...headers, authorization: `Bearer ${token.accessToken}`, 'content-type': 'application/json' };
  await signInOver(url, auth, enrolled);
  return { terminalId: enrolled.terminalId, auth };
}

/**
 * Signs in, on a terminal of a running server, every member whose key SHOP_PIN opens (a session for the 12
 * hours around now). A server that cannot list the keys (a damaged database) is left as it is.
 */
export async function signInOver(url: string, auth: Record<string, string>, terminal: { merchantId: string; terminalId: string }): Promise<void> {
  const listed = await fetch(`${url}/v1/staff-keys`, { headers: auth });
  if (!listed.ok) return;
  const { keys } = (await listed.json()) as { keys: StaffKey[] };
  for (const key of keys) {
    const opened = await openKey(key, SHOP_PIN);
    if (!opened) continue;
    const session = await sessionAround(opened, { merchantId: terminal.merchantId, terminalId: terminal.terminalId, staffId: key.staffId });
    const recorded = await fetch(`${url}/v1/staff-sessions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(session) });
    if (!recorded.ok) throw new Error(`staff session → ${recorded.status} ${await recorded.text()}`);
  }
}

/** `count` new customers as push rows, phones numbered from `first`. */
export function customerRows(shop: PreparedShop, terminalId: string, first: number, count: number, options: { name?: (n: number) => string; notes?: () => string } = {}) {
  const ctx = { merchantId: shop.merchantId, storeId: shop.storeId, terminalId, staffId: shop.staffId, now: new Date().toISOString(), offline: false };
  const name = options.name ?? ((n: number) => `مشتری ${n}`);
  return Array.from({ length: count }, (_, i) => ({
    newDocumentState: newCustomer({ phone: `0912${String(3_000_000 + first + i).slice(-7)}`, name: name(first + i), ...(options.notes ? { notes: options.notes() } : {}) }, ctx, 'IR'),
  }));
}
