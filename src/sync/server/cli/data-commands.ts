import { parse, location, UsageError, type CliContext, type DataOptions } from './context.ts';
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { openDatabase, type DatabaseLocation } from '../main.ts';
import { requestBackup } from '../admin-socket.ts';
import { dumpDatabase, restoreBackup, writeDurably } from '../backup.ts';
import { DataDirBusyError } from '../db/folder-lock.ts';

/** `migrate`, `backup`, `restore` and `purge-tombstones`: looking after the data. */
export function registerDataCommands(program: Command, cli: CliContext): void {
  const { io, out, json, admin, dataOption, jsonOption } = cli;
  program
    .command('migrate')
    .description('apply the pending database migrations (safe to run while other instances start)')
    .addOption(dataOption())
    .action(async (options: DataOptions) => {
      const { applied } = await admin(options, 'migrate', {}, false);
      out(applied.length > 0 ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'The database is up to date; nothing to apply.');
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
      const purged = await admin(options, 'purge-tombstones', { olderThanDays: options.olderThanDays });
      if (options.json) json(purged);
      else out(`Purged ${Object.values(purged).reduce((a, b) => a + b, 0)} tombstone(s) older than ${options.olderThanDays} days.`);
    });
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
