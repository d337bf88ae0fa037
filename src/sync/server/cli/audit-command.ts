import type { Command } from 'commander';
import { z } from 'zod';
import { textTable } from '../demo/summary.ts';
import type { Trail } from '../repositories/audit-trail.ts';
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
  const { out, json, admin, dataOption, jsonOption } = cli;
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
      const result = await admin(options, 'audit', { customer: options.customer.trim(), merchant: options.merchant, since: options.since, limit: options.limit });
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
      const { purged } = await admin(options, 'purge-audit', { olderThanDays: options.olderThanDays });
      if (options.json) json({ purged });
      else out(`Purged ${purged} audit trail entr${purged === 1 ? 'y' : 'ies'} older than ${options.olderThanDays} days.`);
    });
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
