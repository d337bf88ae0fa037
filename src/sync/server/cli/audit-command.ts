import type { Command } from 'commander';
import { z } from 'zod';
import { isCompleteMemberCode, memberCodeOf, memberCodeQuery } from '../../model/member-code.ts';
import { parsePhone } from '../../model/phone.ts';
import type { AuditEntry } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import { DataDirBusyError } from '../db/folder-lock.ts';
import { textTable } from '../demo/summary.ts';
import { AdminError } from '../repositories/admin.ts';
import { purgeAudit, readCustomerAudit } from '../sync/audit.ts';
import { parse, UsageError, type CliContext, type DataOptions } from './context.ts';

interface AuditOptions extends DataOptions {
  customer: string;
  merchant?: string;
  since?: string;
  limit: number;
  json?: boolean;
}

const SinceSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((text) => new Date(text).toISOString());

/** `audit`: a customer's audit trail (docs/security.md#audit-trail), newest first; `purge-audit`: its retention. */
export function registerAuditCommand(program: Command, cli: CliContext): void {
  const { out, json, withDatabase, dataOption, jsonOption } = cli;
  program
    .command('audit')
    .description("a customer's audit trail, newest first: every accepted (and refused) write, who, from which terminal, when and which fields")
    .requiredOption('--customer <id|phone|code>', 'customer id, phone number or member code')
    .option('--merchant <id>', 'merchant id (needed when the database holds several)', parse.uuid)
    .option('--since <time>', 'only entries the server recorded at or after this ISO date or time', (value: string) => {
      const parsed = SinceSchema.safeParse(value);
      if (!parsed.success) throw new UsageError('--since: expected an ISO date or time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z');
      return parsed.data;
    })
    .option('--limit <n>', 'most entries to print', parse.positive(10_000), 50)
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: AuditOptions) => {
      const result = await withDatabase(options, (db) => readTrail(db, options)).catch((error: unknown) => {
        // Admin commands open the database directly; the embedded one admits one process at a time.
        if (error instanceof DataDirBusyError) throw new Error(`${error.message}. The change history is also shown on the customer's card to managers in the app.`);
        throw error;
      });
      if (options.json) return json(result);
      out(describe(result));
    });

  program
    .command('purge-audit')
    .description('delete audit trail entries older than N days (the trail is otherwise kept for good)')
    .requiredOption('--older-than-days <n>', 'age in days', parse.positive(36_500))
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (options: DataOptions & { olderThanDays: number; json?: boolean }) => {
      const purged = await withDatabase(options, (db) => purgeAudit(db, options.olderThanDays));
      if (options.json) json({ purged });
      else out(`Purged ${purged} audit trail entr${purged === 1 ? 'y' : 'ies'} older than ${options.olderThanDays} days.`);
    });
}

interface Trail {
  merchantId: string;
  customerIds: string[];
  entries: (AuditEntry & { staffName: string | null })[];
}

async function readTrail(db: Queryable, options: AuditOptions): Promise<Trail> {
  const merchantId = await merchantOf(db, options.merchant);
  const customerIds = await resolveCustomer(db, merchantId, options.customer.trim());
  const entries = await readCustomerAudit(db, merchantId, { customerIds, limit: options.limit, ...(options.since ? { since: options.since } : {}) });
  const staffIds = [...new Set(entries.map((e) => e.staffId).filter((id): id is string => id !== null))];
  const { rows } = await db.query<{ id: string; name: string }>(`SELECT id, doc->>'name' AS name FROM staff WHERE merchant_id = $1 AND id = ANY($2::text[])`, [merchantId, staffIds]);
  const names = new Map(rows.map((row) => [row.id, row.name]));
  return { merchantId, customerIds, entries: entries.map((e) => ({ ...e, staffName: e.staffId === null ? null : (names.get(e.staffId) ?? null) })) };
}

async function merchantOf(db: Queryable, given: string | undefined): Promise<string> {
  const { rows } = await db.query<{ merchant_id: string }>(given ? `SELECT merchant_id FROM merchants WHERE merchant_id = $1` : `SELECT merchant_id FROM merchants ORDER BY created_at LIMIT 2`, given ? [given] : []);
  if (given && rows.length === 0) throw new AdminError(`no merchant ${given}`);
  if (rows.length === 0) throw new AdminError('the database holds no merchant yet');
  if (rows.length > 1) throw new UsageError('the database holds several merchants: name one with --merchant <id>');
  return rows[0]!.merchant_id;
}

/** The customers the text names: an id as is, a member code's holders, or every customer with that phone. */
async function resolveCustomer(db: Queryable, merchantId: string, text: string): Promise<string[]> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return [text.toLowerCase()];
  const code = memberCodeQuery(text);
  if (code !== null && isCompleteMemberCode(code)) {
    // A code is written into the id (model/member-code.ts); reading every id of the merchant is the one rule, applied.
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM customers WHERE merchant_id = $1`, [merchantId]);
    const ids = rows.filter((row) => memberCodeOf(row.id) === code).map((row) => row.id);
    if (ids.length === 0) throw new AdminError(`no customer has member code ${code}`);
    return ids;
  }
  const { rows: settings } = await db.query<{ region: string }>(`SELECT doc->>'defaultRegion' AS region FROM settings WHERE merchant_id = $1`, [merchantId]);
  const phone = parsePhone(text, settings[0]?.region ?? 'IR');
  if (!phone.ok) throw new UsageError('--customer: expected a customer id, a member code (e.g. 7-00012) or a phone number');
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM customers WHERE merchant_id = $1 AND phone = $2 ORDER BY id`, [merchantId, phone.e164]);
  if (rows.length === 0) throw new AdminError(`no customer has phone ${phone.e164}`);
  return rows.map((row) => row.id);
}

function describe(trail: Trail): string {
  const heading = `Audit trail of customer ${trail.customerIds.join(', ')} (merchant ${trail.merchantId}), newest first:`;
  if (trail.entries.length === 0) return `${heading}\nNo entries.`;
  return `${heading}\n${textTable(
    ['#', 'SERVER TIME', 'BUSINESS TIME', 'WRITE', 'OUTCOME', 'BY', 'TERMINAL', 'FIELDS'],
    trail.entries.map((e) => [
      e.id,
      e.serverTime,
      e.businessTime ?? '-',
      `${e.collection} ${e.documentId ?? '?'}`,
      e.outcome === 'accepted' ? `accepted v${e.version ?? '?'}` : `refused ${e.refusalCode ?? ''}`.trim(),
      e.actor === 'system' ? 'system' : `${e.staffName ?? '?'} (${e.staffId ?? '-'})`,
      e.terminalName ?? e.terminalId ?? '-',
      e.fields.join(','),
    ]),
  )}`;
}
