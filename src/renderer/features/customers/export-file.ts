import { downloadBlob } from '../../lib/download.ts';
import writeExcelFile from 'write-excel-file/browser';
import type { CustomerStats } from '../../../sync/model/customer-filter.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import { exportFileName, exportTable, toCsv, toSheet, type ExportFormat, type ExportKind } from '../../../sync/model/export-table.ts';
import { moneyUnit } from '../../../sync/model/money.ts';
import type { Locale, Settings } from '../../../sync/model/settings.ts';
import type { StatsIndex } from '../../../sync/client/customer-stats.ts';
import { formatAmount } from '../../lib/format.ts';

// The app's export: the shared table (model/export-table.ts) with headers in the user's language and amounts
// formatted for them beside the minor units, written as CSV or xlsx and handed to the browser as a download.

/** Builds the file of `kind` for `selected` and starts its download; resolves to the number of rows. */
export async function downloadExport(input: {
  kind: ExportKind;
  format: ExportFormat;
  selected: readonly CustomerStats[];
  stats: StatsIndex;
  settings: Settings;
  locale: Locale;
  header(key: string): string;
}): Promise<number> {
  const { settings, locale } = input;
  const sources = await input.stats.sources();
  const unit = moneyUnit(settings);
  const stores = new Map(settings.stores.map((s) => [s.id, s.name]));
  const table = exportTable(input.kind, { selected: input.selected, ...sources }, input.header, {
    money: (minor) => formatAmount(minor, unit, locale),
    storeName: (id) => stores.get(id) ?? id,
  });
  const blob = input.format === 'csv' ? new Blob([toCsv(table)], { type: 'text/csv;charset=utf-8' }) : await writeExcelFile(toSheet(table)).toBlob();
  downloadBlob(exportFileName(input.kind, input.format, zonedDate(new Date(), settings.timeZone)), blob);
  return table.rows.length;
}
