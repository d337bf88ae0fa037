import { z } from 'zod';
import { CustomerFilterSchema, EMPTY_FILTER, SORT_KEYS, selectCustomers, type CustomerFilter } from '../../model/customer-filter.ts';
import type { CustomerGroup } from '../../model/customer-group.ts';
import { buildCustomerStats } from '../../model/customer-stats.ts';
import type { Customer } from '../../model/customer.ts';
import { ExportKindSchema, exportTable, type ExportTable } from '../../model/export-table.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { formatMoney } from '../../model/money.ts';
import { upgradeSettingsV0, type Settings } from '../../model/settings.ts';
import type { Visit } from '../../model/visit.ts';
import type { Queryable } from '../db/database.ts';
import { AdminError } from './admin.ts';
import { resolveMerchant } from './names.ts';

// `patron-sync export`: the directory's customers, visits or ledger lines as the app exports them
// (model/export-table.ts), selected by a customer filter (model/customer-filter.ts) or a saved group's,
// over statistics derived from the stored documents exactly as a terminal derives them.

/** The export operation's input: a filter given field by field (the rest match everyone), or a saved group. */
export const ExportInputSchema = z.strictObject({
  merchant: z.string().trim().min(1).max(100),
  kind: ExportKindSchema,
  filter: z.record(z.string(), z.unknown()).optional(),
  group: z.string().trim().min(1).max(100).optional(),
  sort: z.enum(SORT_KEYS).optional(),
  at: z.iso.datetime().optional(),
});

async function docs<T>(db: Queryable, table: string, merchantId: string): Promise<T[]> {
  const { rows } = await db.query<{ doc: T }>(`SELECT doc FROM ${table} WHERE merchant_id = $1 AND NOT deleted`, [merchantId]);
  return rows.map((r) => r.doc);
}

async function groupFilter(db: Queryable, merchantId: string, ref: string): Promise<CustomerFilter> {
  const groups = await docs<CustomerGroup>(db, 'customer_groups', merchantId);
  const found = groups.filter((g) => g.id === ref || g.name.trim().toLowerCase() === ref.toLowerCase());
  if (found.length !== 1) throw new AdminError(found.length === 0 ? `no saved group "${ref}"` : `several saved groups are named "${ref}"; give its id`);
  return found[0]!.filter;
}

function parsedFilter(raw: Record<string, unknown>): CustomerFilter {
  const parsed = CustomerFilterSchema.safeParse({ ...EMPTY_FILTER, ...raw });
  if (!parsed.success) throw new AdminError(`the filter is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(filter)'} ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The table of one export, headers as column keys, money formatted in English. */
export async function directoryExport(db: Queryable, input: z.output<typeof ExportInputSchema>): Promise<ExportTable & { merchantId: string }> {
  if (input.filter && input.group) throw new AdminError('give a filter or a group, not both');
  const merchantId = await resolveMerchant(db, input.merchant);
  const [settingsDoc] = await docs<Settings>(db, 'settings', merchantId);
  if (!settingsDoc) throw new AdminError(`merchant ${merchantId} has no settings`);
  const settings = upgradeSettingsV0(settingsDoc);
  const filter = input.group ? await groupFilter(db, merchantId, input.group) : parsedFilter(input.filter ?? {});
  const [customers, visits, entries] = await Promise.all([
    docs<Customer>(db, 'customers', merchantId),
    docs<Visit>(db, 'visits', merchantId),
    docs<LoyaltyEntry>(db, 'loyalty_entries', merchantId),
  ]);
  const stats = buildCustomerStats({ customers, visits, entries }, settings, input.at ? new Date(input.at) : new Date());
  const selected = selectCustomers(stats, filter, { key: input.sort ?? 'name', dir: 'asc' });
  const stores = new Map(settings.stores.map((s) => [s.id, s.name]));
  const table = exportTable(input.kind, { selected, customers, visits, entries }, (key) => key, {
    money: (minor) => formatMoney(minor, settings.currency, 'en'),
    storeName: (id) => stores.get(id) ?? id,
  });
  return { ...table, merchantId };
}
