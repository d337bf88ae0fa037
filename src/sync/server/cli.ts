import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from '../model/common.ts';
import { LocaleSchema, type Locale } from '../model/settings.ts';
import { PinSchema } from '../model/staff.ts';
import type { Database } from './db/database.ts';
import { DatabaseUnavailableError } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { ensureDemoMerchant, type DemoResult } from './demo/load.ts';
import { demoSummary, firstStore, startSummary, textTable } from './demo/summary.ts';
import {
  DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_WEB_ROOT, openDatabase, startServer, type DatabaseLocation, type RunningServer, type ServerOptions,
} from './main.ts';
import { requestBackup } from './admin-socket.ts';
import { parseTrustProxy } from './app.ts';
import { dumpDatabase, restoreBackup, writeDurably } from './backup.ts';
import { DataDirBusyError } from './db/folder-lock.ts';
import { DEFAULT_MIN_FREE_BYTES } from './db/pglite.ts';
import { purgeTombstones } from './sync/horizons.ts';
import { POSTGRES_DEFAULTS } from './db/postgres.ts';
import { AdminError, addStaff, createEnrolmentCode, createMerchant, createStore, listTerminals, revokeTerminal } from './repositories/admin.ts';

// `patron-sync`: the server's command line. Everything runs in-process through `runCli` so tests need no
// child process; bin/patron-sync.mjs only forwards argv and the exit code. Exit codes: 0 done, 1 failed,
// 2 bad usage. Human output by default, `--json` on the data commands for scripts.

/** Where the CLI writes and what it reads from the environment. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Stops `serve`/`start` gracefully when aborted (tests). Without it they install SIGTERM/SIGINT handlers
   * and exit the process when done (the bin).
   */
  signal?: AbortSignal;
  /** Receives the running server of `serve`/`start`. */
  onListening?: (server: RunningServer) => void;
}

/** Bad usage that commander's own parsing cannot see (a missing PIN, conflicting sources). Exit code 2. */
class UsageError extends Error {}

const ACTOR = 'cli';

const UuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a UUID such as 0196a3b2-…')
  .transform((s) => s.toLowerCase());
const NameSchema = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');

/** A commander argument parser from a zod schema: a bad value becomes a usage error naming the option. */
function parser<T>(schema: z.ZodType<T, string>): (value: string) => T {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'invalid value');
    return parsed.data;
  };
}

const parse = {
  uuid: parser(UuidSchema),
  name: parser(NameSchema),
  address: parser(z.string().trim().max(300, 'at most 300 characters')),
  currency: parser(z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code in capitals, e.g. IRR, EUR')),
  region: parser(z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code in capitals, e.g. IR, DE').refine((r) => isSupportedCountry(r), 'not a country libphonenumber knows')),
  locale: parser(LocaleSchema),
  timeZone: parser(z.string().refine(validTimeZone, 'expected an IANA time zone, e.g. Asia/Tehran')),
  port: parser(z.string().regex(/^\d{1,5}$/, 'expected a port number 0–65535').transform(Number).refine((n) => n <= 65535, 'expected a port number 0–65535')),
  host: parser(z.string().min(1).max(255)),
  dir: parser(z.string().min(1, 'must not be empty')),
  positive: (max: number) => parser(z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).refine((n) => n >= 1 && n <= max, `expected 1–${max}`)),
  seed: parser(z.string().regex(/^\d{1,9}$/, 'expected a whole number').transform(Number)),
  count: parser(z.string().regex(/^\d{1,7}$/, 'expected a whole number').transform(Number)),
  ms: parser(z.string().regex(/^\d{1,9}$/, 'expected milliseconds').transform(Number).refine((n) => n >= 1, 'expected at least 1 ms')),
};

const MIB = 1024 * 1024;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

/** Runs `patron-sync` with `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the help (exit code 0) or the usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n(run with --help for usage)\n`);
      return 2;
    }
    io.stderr.write(`error: ${describeFailure(error)}\n`);
    return 1;
  }
}

// The archive of a folder: straight from the database when no server holds it, else from the server itself.
async function dumpOf(dir: string, where: DatabaseLocation): Promise<Uint8Array> {
  let opened;
  try {
    opened = await openDatabase(where);
  } catch (error) {
    if (error instanceof DataDirBusyError) return requestBackup(dir);
    throw error;
  }
  try {
    return await dumpDatabase(opened.embedded!.db);
  } finally {
    await opened.close();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) return 'database unavailable (is Postgres running, and DATABASE_URL right?)';
  if (error instanceof Error) return error.message;
  return String(error);
}

interface DataOptions {
  data?: string;
}

function buildProgram(io: CliIo): Command {
  const out = (text: string) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const json = (value: unknown) => out(JSON.stringify(value, null, 2));

  const program = new Command('patron-sync')
    .description('The Patron sync server and its administration.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false)
    .addHelpText(
      'after',
      `
Database: embedded PGlite in --data <dir> (or PATRON_DATA_DIR; default ${DEFAULT_DATA_DIR}), or Postgres when
DATABASE_URL is set. Only one process may open a PGlite folder at a time.
Environment: DATABASE_URL, PATRON_DATA_DIR, PORT, HOST, LOG_LEVEL, PATRON_WEB_ROOT, PATRON_STAFF_PIN,
PATRON_MIN_FREE_MB, PATRON_PG_LOCK_TIMEOUT_MS, PATRON_PG_STATEMENT_TIMEOUT_MS, PATRON_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS.
Exit codes: 0 done, 1 failed, 2 bad usage.`,
    );

  // Resolves where the data lives and opens it (migrated: admin commands work on a fresh folder), runs `fn`,
  // and always closes it.
  const withDatabase = async <T>(options: DataOptions, fn: (db: Database) => Promise<T>, migrateFirst = true): Promise<T> => {
    const opened = await openDatabase(location(options, io.env));
    try {
      if (migrateFirst) await migrate(opened.db);
      return await fn(opened.db);
    } finally {
      await opened.close();
    }
  };
  const dataOption = () => new Option('--data <dir>', `PGlite data folder (default: PATRON_DATA_DIR or ${DEFAULT_DATA_DIR})`).argParser(parse.dir);
  const jsonOption = () => new Option('--json', 'print JSON for scripts');

  const serverOptions = (command: Command) =>
    command
      .option('--port <port>', `port to listen on, 0 for any free one (default: PORT or ${DEFAULT_PORT})`, parse.port)
      .option('--host <address>', `interface to listen on; 0.0.0.0 for the whole network (default: HOST or ${DEFAULT_HOST})`, parse.host)
      .addOption(dataOption())
      .option('--trust-proxy <value>', 'proxies allowed to set X-Forwarded-For: true, false, a hop count or comma-separated addresses/CIDRs (default: PATRON_TRUST_PROXY or false)')
      .option('--web-root <dir>', 'built counter app to serve at / (default: PATRON_WEB_ROOT or dist/web)', parse.dir)
      .option('--min-free-mb <n>', `PGlite: free disk space to keep; below it requests get 503 DISK_FULL (default: PATRON_MIN_FREE_MB or ${DEFAULT_MIN_FREE_BYTES / MIB})`, parse.count)
      .option('--pg-lock-timeout <ms>', `Postgres: how long a write waits for a merchant's clock (default: PATRON_PG_LOCK_TIMEOUT_MS or ${POSTGRES_DEFAULTS.lockTimeoutMs})`, parse.ms)
      .option('--pg-statement-timeout <ms>', `Postgres: longest statement (default: PATRON_PG_STATEMENT_TIMEOUT_MS or ${POSTGRES_DEFAULTS.statementTimeoutMs})`, parse.ms)
      .option('--backup-dir <dir>', 'PGlite: write a backup into this folder every --backup-every-hours (off when absent)', parse.dir)
      .option('--backup-keep <n>', 'how many scheduled backups to keep (default 7)', parse.positive(10_000), 7)
      .option('--backup-every-hours <n>', 'hours between scheduled backups (default 24)', parse.positive(24 * 365), 24)
      .option('--tombstone-retention-days <n>', 'purge deletions older than this many days, daily; terminals further behind resync in full (default: PATRON_TOMBSTONE_RETENTION_DAYS, or keep them all)', parse.positive(36_500))
      .option('--pg-idle-in-transaction-timeout <ms>', `Postgres: how long a session may idle inside a transaction (default: PATRON_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS or ${POSTGRES_DEFAULTS.idleInTransactionTimeoutMs})`, parse.ms);

  // Runs a server until the io's abort signal fires or the process gets SIGTERM/SIGINT.
  const serveUntilStopped = async (options: ServerCliOptions, extra: { logLevel: string; prepare?: ServerOptions['prepare']; after?: (server: RunningServer) => void }) => {
    const server = await startServer({
      ...location(options, io.env),
      port: options.port ?? envPort(io.env),
      host: options.host ?? (io.env.HOST || DEFAULT_HOST),
      webRoot: options.webRoot ?? (io.env.PATRON_WEB_ROOT || DEFAULT_WEB_ROOT),
      logLevel: logLevel(io.env) ?? extra.logLevel,
      print: out,
      ...(options.backupDir ? { backups: { dir: options.backupDir, keep: options.backupKeep, everyMs: options.backupEveryHours * 3_600_000 } } : {}),
      ...retention(options, io.env),
      handleSignals: io.signal === undefined,
      ...trustProxy(options, io.env),
      ...(extra.prepare ? { prepare: extra.prepare } : {}),
    });
    extra.after?.(server);
    io.onListening?.(server);
    if (io.signal) {
      if (io.signal.aborted) void server.close();
      else io.signal.addEventListener('abort', () => void server.close(), { once: true });
    }
    await server.closed;
  };

  serverOptions(program.command('serve').description('run the sync server (migrates first)')).action(async (options: ServerCliOptions) => {
    await serveUntilStopped(options, { logLevel: 'info' });
  });

  serverOptions(program.command('start').description('what `npm start` runs: the server with the demo merchant, a fresh enrolment code and the demo PINs'))
    .option('--customers <n>', 'demo customers to create on the first run', parse.positive(200_000), 3000)
    .option('--seed <n>', 'seed of the demo data on the first run', parse.seed, 1)
    .action(async (options: ServerCliOptions & { customers: number; seed: number }) => {
      let demo: DemoResult | undefined;
      let code: { code: string; expiresAt: Date } | undefined;
      await serveUntilStopped(options, {
        // The operator's terminal shows the summary below; request logs only when asked for (LOG_LEVEL=info).
        logLevel: 'warn',
        prepare: async (db) => {
          demo = await prepareDemo(db, options, out);
          code = await createEnrolmentCode(db, demo.merchantId, firstStore(demo).id, 60, `${ACTOR}:start`);
          // A browser on this machine may also ask the server for a code (one-click demo enrolment).
          return { demo: { merchantId: demo.merchantId, storeId: firstStore(demo).id } };
        },
        after: (server) => {
          const address = server.app.server.address();
          const everyInterface = typeof address === 'object' && address !== null && (address.address === '0.0.0.0' || address.address === '::');
          const webRoot = options.webRoot ?? (io.env.PATRON_WEB_ROOT || DEFAULT_WEB_ROOT);
          if (demo && code) out(startSummary(server.url, demo, code, { webRoot, everyInterface }));
        },
      });
    });

  program
    .command('migrate')
    .description('apply the pending database migrations (safe to run while other instances start)')
    .addOption(dataOption())
    .action(async (options: DataOptions) => {
      const applied = await withDatabase(options, (db) => migrate(db), false);
      out(applied.length > 0 ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date; nothing to apply.');
    });

  const merchant = program.command('merchant').description('manage merchants');
  merchant
    .command('create')
    .description('create a merchant with its settings and the default loyalty program')
    .requiredOption('--name <name>', 'business name', parse.name)
    .requiredOption('--currency <code>', 'ISO 4217 currency, e.g. IRR', parse.currency)
    .requiredOption('--region <code>', 'country for reading national phone numbers, e.g. IR', parse.region)
    .requiredOption('--locale <locale>', 'UI language: en or fa', parse.locale)
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. Asia/Tehran', parse.timeZone)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { name: string; currency: string; region: string; locale: Locale; timeZone: string; json?: boolean }) => {
      const input = { name: options.name, currency: options.currency, defaultRegion: options.region, locale: options.locale, timeZone: options.timeZone };
      const merchantId = await withDatabase(options, (db) => createMerchant(db, input, ACTOR));
      if (options.json) json({ merchantId, ...input });
      else out(`Created merchant ${merchantId} "${input.name}" (${input.currency}, ${input.defaultRegion}, ${input.locale}, ${input.timeZone}).\nNext: patron-sync store create --merchant ${merchantId} --name <name>`);
    });

  const store = program.command('store').description('manage stores');
  store
    .command('create')
    .description("create a store and list it in the merchant's settings")
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--name <name>', 'store name', parse.name)
    .option('--address <text>', 'street address', parse.address)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; name: string; address?: string; json?: boolean }) => {
      const input = { name: options.name, address: options.address ?? '' };
      const storeId = await withDatabase(options, (db) => createStore(db, options.merchant, input, ACTOR));
      if (options.json) json({ storeId, merchantId: options.merchant, ...input });
      else out(`Created store ${storeId} "${input.name}".\nNext: patron-sync enrol-code --merchant ${options.merchant} --store ${storeId}`);
    });

  const staff = program.command('staff').description('manage staff');
  staff
    .command('add')
    .description('add a staff member; terminals check the PIN offline against its argon2id hash')
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--name <name>', 'name shown at sign-in', parse.name)
    .addOption(new Option('--role <role>', 'what the member may do').choices(ROLES).makeOptionMandatory())
    .option('--pin <digits>', '4–8 digit PIN (better: PATRON_STAFF_PIN, which stays out of the shell history)')
    .option('--store <id>', 'a store the member may sign in at (repeatable; default: every store)', (value: string, previous: string[] = []) => [...previous, parse.uuid(value)])
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; name: string; role: Role; pin?: string; store?: string[]; json?: boolean }) => {
      const pin = options.pin === undefined ? pinFromEnv(io.env) : checkedPin(options.pin);
      const storeIds = options.store ?? [];
      const member = await withDatabase(options, async (db) => {
        for (const storeId of storeIds) {
          const { rows } = await db.query(`SELECT 1 FROM stores WHERE merchant_id = $1 AND store_id = $2`, [options.merchant, storeId]);
          if (rows.length === 0) throw new AdminError(`store ${storeId} does not belong to merchant ${options.merchant}`);
        }
        return addStaff(db, options.merchant, { name: options.name, role: options.role, pin, storeIds }, ACTOR);
      });
      const view = { staffId: member.id, merchantId: member.merchantId, name: member.name, role: member.role, storeIds: member.storeIds };
      if (options.json) json(view);
      else out(`Added ${member.role} ${member.id} "${member.name}"${storeIds.length > 0 ? ` at ${storeIds.length} store(s)` : ' at every store'}. Terminals receive the member on their next sync.`);
    });

  program
    .command('enrol-code')
    .description('create a one-time code that enrols one terminal for one store')
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .requiredOption('--store <id>', 'store the terminal will belong to', parse.uuid)
    .option('--ttl-minutes <minutes>', 'minutes until the code expires', parse.positive(7 * 24 * 60), 60)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; store: string; ttlMinutes: number; json?: boolean }) => {
      const { code, expiresAt } = await withDatabase(options, (db) => createEnrolmentCode(db, options.merchant, options.store, options.ttlMinutes, ACTOR));
      if (options.json) json({ code, merchantId: options.merchant, storeId: options.store, expiresAt: expiresAt.toISOString() });
      else out(`Enrolment code: ${code}\nSingle use, for store ${options.store}, valid until ${expiresAt.toISOString()}.`);
    });

  const terminal = program.command('terminal').description('manage enrolled terminals');
  terminal
    .command('list')
    .description("list a merchant's terminals")
    .requiredOption('--merchant <id>', 'merchant id', parse.uuid)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { merchant: string; json?: boolean }) => {
      const terminals = await withDatabase(options, async (db) => {
        const { rows } = await db.query(`SELECT 1 FROM merchants WHERE merchant_id = $1`, [options.merchant]);
        if (rows.length === 0) throw new AdminError(`no merchant ${options.merchant}`);
        return listTerminals(db, options.merchant);
      });
      if (options.json) return json(terminals);
      if (terminals.length === 0) return out('No terminals enrolled yet. Create a code with: patron-sync enrol-code');
      out(textTable(
        ['TERMINAL', 'STORE', 'NAME', 'ENROLLED', 'LAST SEEN', 'STATUS'],
        terminals.map((t) => [t.terminalId, t.storeId, t.name, t.createdAt, t.lastSeenAt ?? '-', t.revokedAt ? `revoked ${t.revokedAt}` : 'active']),
      ));
    });
  terminal
    .command('revoke')
    .description("revoke a terminal: its tokens and credential stop working and its streams close")
    .argument('<terminalId>', 'terminal id', parse.uuid)
    .addOption(dataOption())
    .action(async (terminalId: string, options: DataOptions) => {
      await withDatabase(options, (db) => revokeTerminal(db, terminalId, ACTOR));
      out(`Revoked terminal ${terminalId}.`);
    });

  program
    .command('backup')
    .description('write a backup of the embedded database (online: a running server on the folder takes it)')
    .requiredOption('--to <file>', 'the archive to write (.tar.gz)', parse.dir)
    .addOption(dataOption())
    .action(async (options: DataOptions & { to: string }) => {
      const where = location(options, io.env);
      if (!where.dataDir) throw new UsageError('on Postgres, back up with pg_dump -Fc (or pg_basebackup for point-in-time recovery); patron-sync backup is for the embedded database');
      const dir = resolve(where.dataDir);
      const bytes = await dumpOf(dir, where);
      writeDurably(resolve(options.to), bytes);
      out(`Wrote a backup of ${dir} to ${resolve(options.to)} (${(bytes.length / 1024 / 1024).toFixed(1)} MiB).`);
    });

  program
    .command('restore')
    .description('replace the embedded database with a backup, after checking the backup opens and reads whole (stop the server first)')
    .requiredOption('--from <file>', 'the archive written by patron-sync backup', parse.dir)
    .addOption(dataOption())
    .action(async (options: DataOptions & { from: string }) => {
      const where = location(options, io.env);
      if (!where.dataDir) throw new UsageError('on Postgres, restore with pg_restore (or from a base backup); patron-sync restore is for the embedded database');
      const dir = resolve(where.dataDir);
      const { previous, documents } = await restoreBackup(dir, resolve(options.from));
      out(`Restored ${resolve(options.from)} into ${dir} (${documents} rows read back).${previous ? ` The database it replaced is kept in ${previous}.` : ''}\nEvery terminal will resync in full on its next pull and push what the backup lacks.`);
    });

  program
    .command('purge-tombstones')
    .description('delete deletions (tombstones) older than N days; terminals further behind resync in full')
    .requiredOption('--older-than-days <n>', 'age in days', parse.positive(36_500))
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { olderThanDays: number; json?: boolean }) => {
      const purged = await withDatabase(options, (db) => purgeTombstones(db, options.olderThanDays));
      if (options.json) json(purged);
      else out(`Purged ${Object.values(purged).reduce((a, b) => a + b, 0)} tombstone(s) older than ${options.olderThanDays} days.`);
    });

  program
    .command('demo')
    .description('create the demo merchant "Café Patron" with a year of sample data, if absent, and print how to use it')
    .option('--customers <n>', 'customers to create', parse.positive(200_000), 3000)
    .option('--seed <n>', 'seed of the generated data', parse.seed, 1)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { customers: number; seed: number; json?: boolean }) => {
      const { demo, code } = await withDatabase(options, async (db) => {
        const demo = await prepareDemo(db, options, options.json ? () => {} : out);
        return { demo, code: await createEnrolmentCode(db, demo.merchantId, firstStore(demo).id, 60, `${ACTOR}:demo`) };
      });
      if (options.json) {
        json({ ...demo, enrolmentCode: { code: code.code, storeId: firstStore(demo).id, expiresAt: code.expiresAt.toISOString() } });
      } else {
        out(demoSummary(demo, code));
      }
    });

  return program;
}

interface ServerCliOptions extends DataOptions, LimitOptions {
  backupDir?: string;
  backupKeep: number;
  backupEveryHours: number;
  tombstoneRetentionDays?: number;
  trustProxy?: string;
  port?: number;
  host?: string;
  webRoot?: string;
}

function location(options: DataOptions & LimitOptions, env: CliIo['env']): DatabaseLocation {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && options.data) throw new UsageError('--data names a PGlite folder but DATABASE_URL is set; use one or the other');
  if (databaseUrl) {
    const postgres = {
      lockTimeoutMs: options.pgLockTimeout ?? envNumber(env, 'PATRON_PG_LOCK_TIMEOUT_MS', parse.ms),
      statementTimeoutMs: options.pgStatementTimeout ?? envNumber(env, 'PATRON_PG_STATEMENT_TIMEOUT_MS', parse.ms),
      idleInTransactionTimeoutMs: options.pgIdleInTransactionTimeout ?? envNumber(env, 'PATRON_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', parse.ms),
    };
    return { databaseUrl, postgres };
  }
  const minFreeMb = options.minFreeMb ?? envNumber(env, 'PATRON_MIN_FREE_MB', parse.count);
  return { dataDir: options.data ?? (env.PATRON_DATA_DIR || DEFAULT_DATA_DIR), minFreeBytes: minFreeMb === undefined ? undefined : minFreeMb * MIB };
}

function retention(options: { tombstoneRetentionDays?: number }, env: CliIo['env']): { tombstoneRetentionDays?: number } {
  const days = options.tombstoneRetentionDays ?? envNumber(env, 'PATRON_TOMBSTONE_RETENTION_DAYS', parse.positive(36_500));
  return days === undefined ? {} : { tombstoneRetentionDays: days };
}

/** `--trust-proxy` or PATRON_TRUST_PROXY as the app's `trustProxy` (absent: the app's default, false). */
function trustProxy(options: { trustProxy?: string }, env: CliIo['env']): { app?: { trustProxy: boolean | number | string[] } } {
  const text = options.trustProxy ?? env.PATRON_TRUST_PROXY;
  return text === undefined || text === '' ? {} : { app: { trustProxy: parseTrustProxy(text) } };
}

/** The session and disk limits of `serve` and `start` (environment variables cover every command). */
interface LimitOptions {
  minFreeMb?: number;
  pgLockTimeout?: number;
  pgStatementTimeout?: number;
  pgIdleInTransactionTimeout?: number;
}

function envNumber(env: CliIo['env'], name: string, parseValue: (value: string) => number): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    return parseValue(value);
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: CliIo['env']): string | undefined {
  const level = env.LOG_LEVEL;
  if (!level) return undefined;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function envPort(env: CliIo['env']): number {
  if (!env.PORT) return DEFAULT_PORT;
  try {
    return parse.port(env.PORT);
  } catch {
    throw new UsageError(`PORT must be a port number 0–65535`);
  }
}

// PINs are checked here rather than by commander, whose message would echo the rejected value.
function checkedPin(pin: string): string {
  if (!PinSchema.safeParse(pin).success) throw new UsageError('--pin must be 4–8 digits');
  return pin;
}

function pinFromEnv(env: CliIo['env']): string {
  const pin = env.PATRON_STAFF_PIN;
  if (pin === undefined || pin === '') throw new UsageError('give the PIN with --pin or in PATRON_STAFF_PIN');
  if (!PinSchema.safeParse(pin).success) throw new UsageError('PATRON_STAFF_PIN must be 4–8 digits');
  return pin;
}

async function prepareDemo(db: Database, options: { customers: number; seed: number }, out: (line: string) => void): Promise<DemoResult> {
  const demo = await ensureDemoMerchant(db, {
    customers: options.customers,
    seed: options.seed,
    actor: ACTOR,
    onProgress: (done, total) => out(done === 0 ? `Creating the demo merchant "Café Patron" (${total} customers)…` : `  ${done} / ${total} customers`),
  });
  if (demo.created) {
    const { customers, visits, loyaltyEntries, rewards } = demo.counts;
    out(`Demo data: ${customers} customers, ${visits} visits, ${loyaltyEntries} ledger entries, ${rewards} rewards, loaded in ${(demo.elapsedMs / 1000).toFixed(1)} s.`);
  } else {
    const { customers, visits, loyaltyEntries } = demo.counts;
    out(`Using the demo merchant "Café Patron" (${customers} customers, ${visits} visits, ${loyaltyEntries} ledger entries).`);
  }
  if (!demo.created && demo.seed !== options.seed) {
    out(`(The demo merchant already exists, made with seed ${demo.seed}; --seed and --customers only apply to the first run.)`);
  }
  return demo;
}
