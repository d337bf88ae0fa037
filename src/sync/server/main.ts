import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAdminSocket } from './admin-socket.ts';
import { buildApp, type AppOptions, type PatronApp } from './app.ts';
import type { Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createDatabaseFolder, inspectDataFolder, openExisting } from './db/data-folder.ts';
import { lockDataFolder } from './db/folder-lock.ts';
import { createPgliteDatabase, type DatabaseEvent, type PgliteDatabase } from './db/pglite.ts';
import { createPostgresDatabase, type PostgresOptions } from './db/postgres.ts';
import { startMaintenance, type BackupSchedule } from './maintenance.ts';

// The server's entry point (fastify/demo's server.ts): open the database, migrate, build the app, listen,
// and shut down gracefully. `app.ts` knows nothing about ports, folders or signals.

/** Default port of `patron-sync serve` and `npm start`. */
export const DEFAULT_PORT = 8787;
/**
 * Default interface: loopback only, so a first `npm start` does not expose the demo merchant to the
 * network. Pass `--host 0.0.0.0` (or HOST) to let tablets on the same network reach it.
 */
export const DEFAULT_HOST = '127.0.0.1';
/** Default folder of the embedded database (relative to the working directory). */
export const DEFAULT_DATA_DIR = './.patron';
/** The built counter app (`npm run build:web`), served at `/` when present. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

/** Where the data lives: Postgres when a URL is given, otherwise embedded PGlite in a folder. */
export interface DatabaseLocation {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Postgres session limits and keepalives (db/postgres.ts has the defaults). */
  postgres?: PostgresOptions | undefined;
  /** Free space the embedded database's disk keeps, in bytes (db/pglite.ts has the default). */
  minFreeBytes?: number | undefined;
  /** Disk full, damage, PANIC: what the embedded database reports for the log. */
  onEvent?: ((event: DatabaseEvent) => void) | undefined;
}

/** An open database and how to let go of it. */
export interface OpenedDatabase {
  db: Database;
  /** For humans: "PGlite in /abs/dir" or "Postgres" (never the URL: it may hold a password). */
  description: string;
  /** The embedded database and its folder (absent on Postgres): backups read it. */
  embedded?: { db: PgliteDatabase; dir: string; created: boolean };
  /** Closes the database and releases the data folder. */
  close(): Promise<void>;
}

export { DataDirBusyError } from './db/folder-lock.ts';

/**
 * Opens Postgres (DATABASE_URL) or PGlite in `<dataDir>/pgdata`. PGlite is a single-process database, so the
 * folder is guarded by an OS lock (db/folder-lock.ts): an admin command run next to a running server fails
 * clearly instead of opening the same files twice. A new database is made only in an empty or absent
 * folder; anything else that is not a complete database is refused (db/data-folder.ts).
 */
export async function openDatabase(location: DatabaseLocation): Promise<OpenedDatabase> {
  if (location.databaseUrl) {
    const db = createPostgresDatabase(location.databaseUrl, location.postgres);
    return { db, description: 'Postgres', close: () => db.close() };
  }
  const dir = resolve(location.dataDir ?? DEFAULT_DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const lock = await lockDataFolder(dir);
  try {
    const created = inspectDataFolder(dir) === 'empty';
    if (created) await createDatabaseFolder(dir);
    const db = await openExisting(dir, (pgdata) => createPgliteDatabase(pgdata, { minFreeBytes: location.minFreeBytes, onEvent: location.onEvent }));
    let closed = false;
    return {
      db,
      description: `PGlite in ${dir}`,
      embedded: { db, dir, created },
      async close() {
        if (closed) return;
        closed = true;
        try {
          await db.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** How to run the server. */
export interface ServerOptions extends DatabaseLocation {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  webRoot?: string;
  /** pino level of the request log (info by default). */
  logLevel?: string;
  /** Overrides for buildApp (tests: a log stream, rate limits). */
  app?: Partial<Omit<AppOptions, 'db'>>;
  /**
   * Runs after the migrations and before the app is built (the demo merchant of `npm start`); what it
   * returns is added to the app's options.
   */
  prepare?: (db: Database) => Promise<Partial<Omit<AppOptions, 'db'>> | void>;
  /** Where the one human line with the URL goes (stdout by default). */
  print?: (line: string) => void;
  /** Shut down on SIGTERM/SIGINT and exit the process (the CLI); a second signal forces exit(1). */
  handleSignals?: boolean;
  /** How long a graceful shutdown may take before the process exits with 1 anyway. */
  shutdownTimeoutMs?: number;
  /** Scheduled backups of the embedded database (ignored on Postgres: use pg_dump / pg_basebackup). */
  backups?: BackupSchedule;
  /** Tombstones older than this many days are purged daily (off when absent): see sync/horizons.ts. */
  tombstoneRetentionDays?: number;
}

/** A listening server. */
export interface RunningServer {
  app: PatronApp;
  db: Database;
  /** Base URL reachable from this machine (loopback when listening on every interface). */
  url: string;
  /** Stops accepting, lets in-flight requests finish, ends streams, closes the database. Idempotent. */
  close(): Promise<void>;
  /** Settles when `close` has finished. */
  closed: Promise<void>;
}

/** Opens the database, applies migrations, builds the app and listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  let app: PatronApp | undefined;
  const opened = await openDatabase({ ...options, onEvent: (event) => logDatabaseEvent(app?.log, event) });
  let draining = false;
  // Known once listening; the Devices page offers them to managers who reach the server as localhost.
  let networkUrls: readonly string[] = [];
  try {
    await migrate(opened.db);
    const prepared = (await options.prepare?.(opened.db)) ?? {};
    app = await buildApp({ db: opened.db, webRoot: options.webRoot ?? DEFAULT_WEB_ROOT, networkUrls: () => networkUrls, ...options.app, ...prepared });
    // Settable after the fact: request loggers are children created per request, so they inherit it.
    if (options.logLevel) app.log.level = options.logLevel;
    if (opened.embedded?.created) app.log.info({ dir: opened.embedded.dir }, `created a new, empty database in ${opened.embedded.dir}`);
    // Node's server.close() drops the keep-alive connections idle at that moment, but a request still running
    // then leaves its connection open afterwards — for as long as the client's keep-alive lasts (~70 s with
    // fetch against Fastify's 72 s hint), holding the shutdown up. Answers sent while draining say so.
    app.addHook('onSend', async (_request, reply) => {
      if (draining) reply.header('connection', 'close');
    });
    await app.listen({ port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST });
  } catch (error) {
    await app?.close().catch(() => {});
    await opened.close().catch(() => {});
    throw error;
  }
  const listening = app;
  const stopMaintenance = startMaintenance({ db: opened.db, embedded: opened.embedded?.db, backups: options.backups, tombstoneRetentionDays: options.tombstoneRetentionDays, log: listening.log });
  const closeSocket = opened.embedded ? await openAdminSocket(opened.embedded, listening) : async () => {};
  const address = listening.server.address() as AddressInfo;
  const url = `http://${urlHost(address.address)}:${address.port}`;
  const others = everyInterface(address.address) ? lanUrls(address.port) : [];
  networkUrls = others;
  print(`Patron sync server listening on ${url} (${opened.description})${others.length > 0 ? ` — on this network: ${others.join(', ')}` : ''}`);

  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((done) => (markClosed = done));
  const close = () => {
    // Fastify's close stops accepting (new requests get 503 while it drains), runs the app's preClose hook
    // that ends the poke streams, and waits for in-flight requests — a push answers after its COMMIT.
    // Only then does the database close.
    draining = true;
    closing ??= Promise.all([stopMaintenance(), closeSocket()])
      .then(() => listening.close())
      .finally(() => opened.close())
      .finally(() => markClosed());
    return closing;
  };
  if (options.handleSignals) installSignalHandlers(listening, close, options.shutdownTimeoutMs ?? 30_000);
  return { app: listening, db: opened.db, url, close, closed };
}

function installSignalHandlers(app: PatronApp, close: () => Promise<void>, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      app.log.error({ timeoutMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, timeoutMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

// Online backups ask the running server through a socket in its data folder; a folder whose path is too
// long for a Unix socket still serves, without that door.
async function openAdminSocket(embedded: NonNullable<OpenedDatabase['embedded']>, app: PatronApp): Promise<() => Promise<void>> {
  try {
    return await startAdminSocket(embedded.dir, embedded.db, (error) => app.log.error({ err: error }, 'a request on the admin socket failed'));
  } catch (error) {
    app.log.warn({ err: error, dir: embedded.dir }, 'no admin socket in the data folder: patron-sync cannot reach this server');
    return async () => {};
  }
}

/** The embedded database's reports, as log lines an operator can grep ("disk full", "damaged", "PANIC"). */
function logDatabaseEvent(log: PatronApp['log'] | undefined, event: DatabaseEvent): void {
  const mib = (bytes: number) => Math.floor(bytes / 1024 / 1024);
  const write = log ?? { error: (o: object, m: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`), info: () => {}, fatal: (o: object, m: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`) };
  switch (event.kind) {
    case 'disk-full':
      write.error({ path: event.path, freeMiB: mib(event.freeBytes), neededMiB: mib(event.neededBytes) }, `disk full: ${event.path} has ${mib(event.freeBytes)} MiB free, below the ${mib(event.neededBytes)} MiB the server keeps; answering 503 DISK_FULL until space returns`);
      break;
    case 'disk-ok':
      write.info({ path: event.path, freeMiB: mib(event.freeBytes) }, `disk space is back: ${event.path} has ${mib(event.freeBytes)} MiB free; serving again`);
      break;
    case 'damaged':
      write.error({ detail: event.detail }, `database damaged: ${event.detail}; restore it from a backup (patron-sync restore)`);
      break;
    case 'panic':
      write.fatal({ line: event.line }, 'the embedded database PANICked; exiting so it restarts and replays its WAL');
      break;
  }
}

function everyInterface(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

function lanUrls(port: number): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && info.family === 'IPv4' && !info.internal)
    .map((info) => `http://${info?.address}:${port}`);
}
