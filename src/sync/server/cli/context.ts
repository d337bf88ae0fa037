import { InvalidArgumentError, Option } from 'commander';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { LocaleSchema } from '../../model/settings.ts';
import { PinSchema } from '../../model/staff.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { DataDirBusyError } from '../db/folder-lock.ts';
import { requestAdminOperation } from '../admin-socket.ts';
import { runAdminOperation, type AdminInput, type AdminOperationName, type AdminOutput } from '../repositories/admin-operations.ts';
import { resolve } from 'node:path';
import { parseTrustProxy } from '../app.ts';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, openDatabase, type DatabaseLocation, type RunningServer } from '../main.ts';

// Shared by every patron-sync command: where output goes, how values are parsed, where the data lives.
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
export class UsageError extends Error {}

export const ACTOR = 'cli';

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

export const parse = {
  uuid: parser(UuidSchema),
  /** An id or a name (resolved to exactly one id where the data is: repositories/names.ts). */
  ref: parser(NameSchema),
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

export const MIB = 1024 * 1024;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

export interface DataOptions {
  data?: string;
}

/** What every command registration needs: output, the data options, and a scoped database. */
export interface CliContext {
  io: CliIo;
  out: (text: string) => void;
  json: (value: unknown) => void;
  /** Resolves where the data lives and opens it (migrated: admin commands work on a fresh folder), runs `fn`, and always closes it. */
  withDatabase: <T>(options: DataOptions, fn: (db: Database) => Promise<T>, migrateFirst?: boolean) => Promise<T>;
  /**
   * Runs an administrative operation where the data is: in this process, or — when a running server holds the
   * embedded database's folder — inside that server, through the admin socket in the folder.
   */
  admin: <N extends AdminOperationName>(options: DataOptions, name: N, input: AdminInput<N>, migrateFirst?: boolean) => Promise<AdminOutput<N>>;
  /** As `admin`, for a command that runs many operations: the database is opened once for all of them. */
  adminSession: <T>(options: DataOptions, fn: (run: AdminRunner) => Promise<T>) => Promise<T>;
  dataOption: () => Option;
  jsonOption: () => Option;
}

/** Runs one administrative operation where the data is. */
export type AdminRunner = <N extends AdminOperationName>(name: N, input: AdminInput<N>) => Promise<AdminOutput<N>>;

/** The context of one run of the CLI. */
export function cliContext(io: CliIo): CliContext {
  const out = (text: string) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const json = (value: unknown) => out(JSON.stringify(value, null, 2));
  const withDatabase = async <T>(options: DataOptions, fn: (db: Database) => Promise<T>, migrateFirst = true): Promise<T> => {
    const opened = await openDatabase(location(options, io.env));
    try {
      if (migrateFirst) await migrate(opened.db);
      return await fn(opened.db);
    } finally {
      await opened.close();
    }
  };
  const admin = async <N extends AdminOperationName>(options: DataOptions, name: N, input: AdminInput<N>, migrateFirst = true): Promise<AdminOutput<N>> => {
    const where = location(options, io.env);
    let opened;
    try {
      opened = await openDatabase(where);
    } catch (error) {
      if (error instanceof DataDirBusyError && where.dataDir) return (await requestAdminOperation(resolve(where.dataDir), name, input, error)) as AdminOutput<N>;
      throw error;
    }
    try {
      if (migrateFirst) await migrate(opened.db);
      return (await runAdminOperation(opened.db, name, input, ACTOR)) as AdminOutput<N>;
    } finally {
      await opened.close();
    }
  };
  const adminSession = async <T>(options: DataOptions, fn: (run: AdminRunner) => Promise<T>): Promise<T> => {
    const where = location(options, io.env);
    let opened;
    try {
      opened = await openDatabase(where);
    } catch (error) {
      if (error instanceof DataDirBusyError && where.dataDir) {
        const dir = resolve(where.dataDir);
        return fn(async (name, input) => (await requestAdminOperation(dir, name, input, error)) as AdminOutput<typeof name>);
      }
      throw error;
    }
    try {
      await migrate(opened.db);
      const db = opened.db;
      return await fn(async (name, input) => (await runAdminOperation(db, name, input, ACTOR)) as AdminOutput<typeof name>);
    } finally {
      await opened.close();
    }
  };
  const dataOption = () => new Option('--data <dir>', `PGlite data folder (default: PATRON_DATA_DIR or ${DEFAULT_DATA_DIR})`).argParser(parse.dir);
  const jsonOption = () => new Option('--json', 'print JSON for scripts');
  return { io, out, json, withDatabase, admin, adminSession, dataOption, jsonOption };
}

export interface ServerCliOptions extends DataOptions, LimitOptions {
  backupDir?: string;
  backupKeep: number;
  backupEveryHours: number;
  tombstoneRetentionDays?: number;
  trustProxy?: string;
  port?: number;
  host?: string;
  webRoot?: string;
}

export function location(options: DataOptions & LimitOptions, env: CliIo['env']): DatabaseLocation {
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

export function retention(options: { tombstoneRetentionDays?: number }, env: CliIo['env']): { tombstoneRetentionDays?: number } {
  const days = options.tombstoneRetentionDays ?? envNumber(env, 'PATRON_TOMBSTONE_RETENTION_DAYS', parse.positive(36_500));
  return days === undefined ? {} : { tombstoneRetentionDays: days };
}

/** `--trust-proxy` or PATRON_TRUST_PROXY as the app's `trustProxy` (absent: the app's default, false). */
export function trustProxy(options: { trustProxy?: string }, env: CliIo['env']): { app?: { trustProxy: boolean | number | string[] } } {
  const text = options.trustProxy ?? env.PATRON_TRUST_PROXY;
  return text === undefined || text === '' ? {} : { app: { trustProxy: parseTrustProxy(text) } };
}

/** The session and disk limits of `serve` and `start` (environment variables cover every command). */
export interface LimitOptions {
  minFreeMb?: number;
  pgLockTimeout?: number;
  pgStatementTimeout?: number;
  pgIdleInTransactionTimeout?: number;
}

export function envNumber(env: CliIo['env'], name: string, parseValue: (value: string) => number): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    return parseValue(value);
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function logLevel(env: CliIo['env']): string | undefined {
  const level = env.LOG_LEVEL;
  if (!level) return undefined;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

export function envPort(env: CliIo['env']): number {
  if (!env.PORT) return DEFAULT_PORT;
  try {
    return parse.port(env.PORT);
  } catch {
    throw new UsageError(`PORT must be a port number 0–65535`);
  }
}

// PINs are checked here rather than by commander, whose message would echo the rejected value.
export function checkedPin(pin: string): string {
  if (!PinSchema.safeParse(pin).success) throw new UsageError('--pin must be 4–8 digits');
  return pin;
}

export function pinFromEnv(env: CliIo['env']): string {
  const pin = env.PATRON_STAFF_PIN;
  if (pin === undefined || pin === '') throw new UsageError('give the PIN with --pin or in PATRON_STAFF_PIN');
  if (!PinSchema.safeParse(pin).success) throw new UsageError('PATRON_STAFF_PIN must be 4–8 digits');
  return pin;
}
