import { ACTOR, MIB, parse, location, retention, trustProxy, logLevel, envPort, type CliContext, type DataOptions, type ServerCliOptions } from './context.ts';
import type { Command } from 'commander';
import type { DemoResult } from '../demo/load.ts';
import { prepareDemo } from '../demo/prepare.ts';
import { demoSummary, firstStore, startSummary } from '../demo/summary.ts';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_WEB_ROOT, startServer, type RunningServer, type ServerOptions } from '../main.ts';
import { DEFAULT_MIN_FREE_BYTES } from '../db/pglite.ts';
import { POSTGRES_DEFAULTS } from '../db/postgres.ts';
import { createEnrolmentCode } from '../repositories/admin.ts';

/** `serve`, `start` and `demo`: running the server, with or without the demo merchant. */
export function registerServerCommands(program: Command, cli: CliContext): void {
  const { io, out, dataOption } = cli;
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
          demo = await prepareDemo(db, { ...options, actor: ACTOR }, out);
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
  registerDemo(program, cli);
}

function registerDemo(program: Command, cli: CliContext): void {
  const { out, json, admin, dataOption, jsonOption } = cli;
  program
    .command('demo')
    .description('create the demo merchant "Café Patron" with a year of sample data, if absent, and print how to use it')
    .option('--customers <n>', 'customers to create', parse.positive(200_000), 3000)
    .option('--seed <n>', 'seed of the generated data', parse.seed, 1)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { customers: number; seed: number; json?: boolean }) => {
      const { demo, code, lines } = await admin(options, 'demo', { customers: options.customers, seed: options.seed });
      if (options.json) {
        json({ ...demo, enrolmentCode: { code: code.code, storeId: firstStore(demo).id, expiresAt: code.expiresAt } });
      } else {
        for (const line of lines) out(line);
        out(demoSummary(demo, { code: code.code, expiresAt: new Date(code.expiresAt) }));
      }
    });
}
