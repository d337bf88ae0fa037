import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import writeExcelFile from 'write-excel-file/node';
import { SORT_KEYS } from '../../model/customer-filter.ts';
import { EXPORT_FORMATS, EXPORT_KINDS, toCsv, toSheet, type ExportFormat, type ExportKind } from '../../model/export-table.ts';
import { parse, UsageError, type CliContext, type DataOptions } from './context.ts';

interface ExportOptions extends DataOptions {
  kind: ExportKind;
  format?: ExportFormat;
  output: string;
  merchant: string;
  filter?: Record<string, unknown>;
  group?: string;
  sort?: (typeof SORT_KEYS)[number];
  json?: boolean;
}

function choice<T extends string>(name: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) throw new UsageError(`${name}: expected one of ${values.join(', ')}`);
    return value as T;
  };
}

function filterJson(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError('--filter: expected a JSON object, e.g. \'{"tier":"gold","visitsMin":3}\'');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--filter: expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** `export`: customers, visits or ledger lines as CSV or xlsx, selected by a filter or a saved group. */
export function registerExportCommand(program: Command, cli: CliContext): void {
  const { out, json, admin, dataOption, jsonOption } = cli;
  program
    .command('export')
    .description("export the directory's customers, visits or ledger lines as CSV or Excel, with a customer filter or a saved group")
    .requiredOption('--kind <kind>', `what to export: ${EXPORT_KINDS.join(', ')}`, choice('--kind', EXPORT_KINDS))
    .requiredOption('--output <file>', 'the file to write (its extension picks the format unless --format is given)')
    .requiredOption('--merchant <id|name>', 'merchant id or name', parse.ref)
    .option('--format <format>', `file format: ${EXPORT_FORMATS.join(', ')}`, choice('--format', EXPORT_FORMATS))
    .option('--filter <json>', 'customer filter as the app saves it (docs/directory.md), fields left out match everyone', filterJson)
    .option('--group <id|name>', "a saved group's filter", parse.ref)
    .option('--sort <key>', `customer order: ${SORT_KEYS.join(', ')}`, choice('--sort', SORT_KEYS))
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: ExportOptions) => {
      const format = options.format ?? (options.output.toLowerCase().endsWith('.xlsx') ? 'xlsx' : options.output.toLowerCase().endsWith('.csv') ? 'csv' : undefined);
      if (!format) throw new UsageError('--format: give csv or xlsx (the output file has neither extension)');
      const table = await admin(options, 'export', {
        merchant: options.merchant,
        kind: options.kind,
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.group ? { group: options.group } : {}),
        ...(options.sort ? { sort: options.sort } : {}),
      });
      if (format === 'csv') await writeFile(options.output, toCsv(table), 'utf8');
      else await writeExcelFile(toSheet(table)).toFile(options.output);
      const summary = { kind: options.kind, format, rows: table.rows.length, output: options.output, merchantId: table.merchantId };
      if (options.json) json(summary);
      else out(`Wrote ${summary.rows} ${options.kind} row(s) to ${options.output} (${format}).`);
    });
}
