import { cliContext, UsageError, type CliIo } from './cli/context.ts';
import { registerServerCommands } from './cli/server-commands.ts';
import { registerAdminCommands } from './cli/admin-commands.ts';
import { registerDataCommands } from './cli/data-commands.ts';
import { registerAuditCommand } from './cli/audit-command.ts';
import { registerExportCommand } from './cli/export-command.ts';
import { registerImportCommand } from './cli/import-command.ts';
import { Command, CommanderError } from 'commander';
import { DatabaseUnavailableError } from './db/database.ts';
import { DEFAULT_DATA_DIR } from './main.ts';

// `patron-sync`: the server's command line. Everything runs in-process through `runCli` so tests need no
// child process; bin/patron-sync.mjs only forwards argv and the exit code. Exit codes: 0 done, 1 failed,
// 2 bad usage. Human output by default, `--json` on the data commands for scripts.

export type { CliIo } from './cli/context.ts';

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

function describeFailure(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) return 'database unavailable (is Postgres running, and DATABASE_URL right?)';
  if (error instanceof Error) return error.message;
  return String(error);
}

function buildProgram(io: CliIo): Command {
  const cli = cliContext(io);
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
DATABASE_URL is set. Only one process may open a PGlite folder: while a server runs on it, the admin
commands run inside that server through the socket patron.sock in the folder. Where an id is asked, a name works too.
Environment: DATABASE_URL, PATRON_DATA_DIR, PORT, HOST, LOG_LEVEL, PATRON_WEB_ROOT, PATRON_STAFF_PIN,
PATRON_MIN_FREE_MB, PATRON_PG_LOCK_TIMEOUT_MS, PATRON_PG_STATEMENT_TIMEOUT_MS, PATRON_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS.
Exit codes: 0 done, 1 failed, 2 bad usage.`,
    );

  registerServerCommands(program, cli);
  registerDataCommands(program, cli);
  registerAdminCommands(program, cli);
  registerAuditCommand(program, cli);
  registerExportCommand(program, cli);
  registerImportCommand(program, cli);
  return program;
}
