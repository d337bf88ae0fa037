import { Option, type Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { zonedDate } from '../../model/dates.ts';
import { newId } from '../../model/ids.ts';
import {
  findConflicts,
  planImport,
  type ConflictChoice,
  type ExistingCustomers,
  type ImportPlan,
} from '../../model/import-dedupe.ts';
import {
  guessMapping,
  headerKey,
  IMPORT_FIELDS,
  missingFields,
  type ColumnMapping,
  type ImportField,
} from '../../model/import-mapping.ts';
import { checkRows, type ImportRow } from '../../model/import-rows.ts';
import {
  decodeText,
  errorFileCsv,
  readCsv,
  readXlsx,
  TableError,
  tableKind,
  type Table,
} from '../../model/import-table.ts';
import { SERVER_IMPORT_BATCH } from '../repositories/customer-import.ts';
import { parse, UsageError, type AdminRunner, type CliContext, type DataOptions } from './context.ts';

// `patron-sync import`: a customer file (CSV or .xlsx) read and checked here with the model's rules — the same
// code the app's import worker runs — then written batch by batch through the admin operations, in this process
// or inside the running server (admin socket) when it holds the embedded database.

interface ImportOptions extends DataOptions {
  merchant: string;
  staff: string;
  store?: string;
  map: string[];
  region?: string;
  onDuplicate: ConflictChoice;
  errors?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Largest JSON body of one batch request (the admin socket takes 64 KiB). */
const MAX_BATCH_BYTES = 48 * 1024;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The mapping: guessed from the headers, then each `--map field=Header` (or `field=3`, a 1-based column) applied. */
export function mappingFrom(headers: readonly string[], flags: readonly string[]): ColumnMapping {
  const mapping = guessMapping(headers);
  for (const flag of flags) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(flag);
    const field = match?.[1] as ImportField | undefined;
    if (!match || !field || !IMPORT_FIELDS.includes(field))
      throw new UsageError(`--map ${flag}: expected field=column with a field of ${IMPORT_FIELDS.join(', ')}`);
    const target = match[2]!.trim();
    const column = /^\d+$/.test(target)
      ? Number(target) - 1
      : headers.findIndex((h) => headerKey(h) === headerKey(target));
    if (target === '') delete mapping[field];
    else if (column < 0 || column >= headers.length)
      throw new UsageError(`--map ${flag}: the file has no column ${JSON.stringify(target)}`);
    else {
      for (const other of IMPORT_FIELDS) if (mapping[other] === column) delete mapping[other];
      mapping[field] = column;
    }
  }
  return mapping;
}

async function readTable(file: string): Promise<Table> {
  const kind = tableKind(file);
  if (!kind) throw new UsageError(`${file}: expected a .csv or .xlsx file`);
  const bytes = readFileSync(file);
  try {
    return kind === 'xlsx'
      ? await readXlsx(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
      : readCsv(decodeText(bytes));
  } catch (error) {
    if (error instanceof TableError)
      throw new UsageError(
        `${file}: ${error.problem === 'EMPTY_FILE' ? 'the file has no rows' : error.problem === 'TOO_MANY_ROWS' ? 'more than 200,000 rows' : 'not readable as CSV or .xlsx'}`,
      );
    throw error;
  }
}

/** Batches of rows whose request stays under the socket's limit. */
function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = JSON.stringify(item).length * 2;
    if (current.length > 0 && (current.length >= SERVER_IMPORT_BATCH || bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** `import`: customers from a CSV or .xlsx file. */
export function registerImportCommand(program: Command, cli: CliContext): void {
  const { out, json, adminSession, dataOption, jsonOption } = cli;
  program
    .command('import')
    .description(
      'import customers from a CSV or Excel (.xlsx) file: columns mapped from the headers (English or Persian) or --map, phones normalised in the region, duplicates by member code, phone and e-mail',
    )
    .argument('<file>', 'the .csv or .xlsx file (the first row names the columns)')
    .requiredOption('--merchant <id|name>', 'the merchant', parse.ref)
    .requiredOption(
      '--staff <id|name>',
      'the manager or owner the import is written by (opening balances within their adjustment limit)',
      parse.ref,
    )
    .option('--store <id|name>', "store the customers sign up at (default: the member's first store)", parse.ref)
    .option(
      '--map <field=column>',
      `a column for a field, by header or 1-based number (repeatable); fields: ${IMPORT_FIELDS.join(', ')}`,
      collect,
      [],
    )
    .option('--region <CC>', "phone region (default: the merchant's)", parse.region)
    .addOption(
      new Option(
        '--on-duplicate <policy>',
        'what to do with a row that repeats a customer or an earlier row (create falls back to skip when the phone is taken)',
      )
        .choices(['skip', 'merge', 'create'])
        .default('skip'),
    )
    .option('--errors <file>', 'write the refused rows to this CSV file')
    .option('--dry-run', 'check the file and report, write nothing')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (file: string, options: ImportOptions) => {
      const table = await readTable(resolve(file));
      const mapping = mappingFrom(table.headers, options.map);
      const missing = missingFields(mapping);
      if (missing.length > 0)
        throw new UsageError(`no column for ${missing.join(' and ')}: give --map ${missing[0]}=<header>`);
      await adminSession(options, async (admin) => {
        const context = await admin('import.context', {
          merchant: options.merchant,
          staff: options.staff,
          ...(options.store ? { store: options.store } : {}),
        });
        const region = options.region ?? context.region;
        const rules = {
          region,
          today: zonedDate(new Date(), context.timeZone),
          pointsLimit: context.pointsLimit ?? Number.POSITIVE_INFINITY,
        };
        const { rows, errors } = checkRows(table.rows, mapping, rules);
        const plan = planImport(rows, findConflicts(rows, existingOf(context.customers)), () => options.onDuplicate);
        if (options.errors)
          writeFileSync(
            resolve(options.errors),
            errorFileCsv(errors, {
              headers: ['line', 'column', 'value', 'problem'],
              field: (f) => f,
              problem: (p) => p,
            }),
          );
        const totals = options.dryRun
          ? { created: 0, merged: 0, points: 0 }
          : await writePlan(admin, plan, { merchantId: context.merchantId, fileName: basename(file), region, options });
        const errorRows = new Set(errors.map((e) => e.line)).size;
        const report = {
          rows: table.rows.length,
          ...totals,
          skipped: plan.skipped.length,
          errorRows,
          dryRun: options.dryRun === true,
          errors: errors.slice(0, 1000),
        };
        if (options.json) return json(report);
        out(
          `${options.dryRun ? 'Checked' : 'Imported'} ${table.rows.length} rows of ${basename(file)} for ${context.staffName}: ${totals.created} created, ${totals.merged} merged, ${plan.skipped.length} duplicates skipped, ${errorRows} rows refused.`,
        );
        for (const error of errors.slice(0, 20))
          out(`  line ${error.line}, ${error.field}: ${error.problem} (${JSON.stringify(error.value)})`);
        if (errors.length > 20)
          out(
            `  … ${errors.length - 20} more${options.errors ? ` in ${options.errors}` : ' (give --errors <file> for all)'}`,
          );
      });
    });
}

/** Writes a plan batch by batch through `import.batch`; the totals of what was written. */
async function writePlan(
  admin: AdminRunner,
  plan: ImportPlan,
  meta: { merchantId: string; fileName: string; region: string; options: ImportOptions },
) {
  const { options } = meta;
  const totals = { created: 0, merged: 0, points: 0 };
  const importId = newId();
  const items: ({ create: ImportRow } | { merge: { customerId: string; rows: ImportRow[] } })[] = [
    ...plan.creates.map((create) => ({ create })),
    ...plan.merges.map((merge) => ({ merge: { customerId: merge.customerId, rows: merge.rows.slice(0, 100) } })),
  ];
  for (const batch of batches(items)) {
    const creates = batch.flatMap((item) => ('create' in item ? [item.create] : []));
    const merges = batch.flatMap((item) => ('merge' in item ? [item.merge] : []));
    const store = options.store ? { store: options.store } : {};
    const written = await admin('import.batch', {
      merchant: meta.merchantId,
      staff: options.staff,
      ...store,
      importId,
      fileName: meta.fileName,
      region: meta.region,
      creates,
      merges,
    });
    totals.created += written.created;
    totals.merged += written.merged;
    totals.points += written.points;
  }
  return totals;
}

function existingOf(
  customers: readonly (readonly [id: string, code: string, phone: string, email: string | null, phone2: string | null])[],
): ExistingCustomers {
  const byCode = new Map<string, string>();
  const byPhone = new Map<string, string>();
  const bySecondPhone = new Map<string, string>();
  const byEmail = new Map<string, string>();
  for (const [id, code, phone, email, phone2] of customers) {
    if (!byCode.has(code)) byCode.set(code, id);
    if (!byPhone.has(phone)) byPhone.set(phone, id);
    if (phone2 && !bySecondPhone.has(phone2)) bySecondPhone.set(phone2, id);
    if (email && !byEmail.has(email)) byEmail.set(email, id);
  }
  return {
    byMemberCode: (c) => byCode.get(c) ?? null,
    byPhone: (p) => byPhone.get(p) ?? null,
    bySecondPhone: (p) => bySecondPhone.get(p) ?? null,
    byEmail: (e) => byEmail.get(e) ?? null,
  };
}
