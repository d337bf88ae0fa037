import Papa from 'papaparse';
import { z } from 'zod';
import type { CustomerStats } from './customer-filter.ts';
import { mergeRoots } from './customer-stats.ts';
import type { Customer } from './customer.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import { memberCodeOf } from './member-code.ts';
import type { Visit } from './visit.ts';

// The columns of the directory's exports and the rows they are built from, shared by the app's download and
// `patron-sync export`: customers (one row per listed customer, with their statistics), visits and ledger
// lines (those of the exported customers' merge groups). Amounts are integers in minor units beside a
// formatted column; times are ISO-8601 UTC as stored. Headers are column keys here: the app translates them.

/** What can be exported. */
export const EXPORT_KINDS = ['customers', 'visits', 'ledger'] as const;
/** An export kind. */
export const ExportKindSchema = z.enum(EXPORT_KINDS);
/** An export kind. */
export type ExportKind = z.infer<typeof ExportKindSchema>;
/** File formats. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
/** A file format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A cell: text, a number, a yes/no, or empty. */
export type Cell = string | number | boolean | null;

/** How the edge formats what the table does not: money in the user's locale, store names. */
export interface ExportFormatters {
  money(minor: number): string;
  storeName(storeId: string): string;
}

interface Column<R> {
  key: string;
  value(row: R, f: ExportFormatters): Cell;
}

/** A visit or ledger line with the name of its (surviving) customer. */
interface Owned<T> {
  doc: T;
  customer: CustomerStats;
}

const CUSTOMER_COLUMNS: readonly Column<CustomerStats>[] = [
  { key: 'id', value: (c) => c.id },
  { key: 'memberCode', value: (c) => memberCodeOf(c.id) },
  { key: 'name', value: (c) => c.name },
  { key: 'phone', value: (c) => c.phone },
  { key: 'email', value: (c) => c.email },
  { key: 'status', value: (c) => c.status },
  { key: 'tier', value: (c) => c.tier },
  { key: 'segment', value: (c) => c.segment },
  { key: 'tags', value: (c) => c.tags.join('; ') },
  { key: 'birthday', value: (c) => c.birthday },
  { key: 'marketingConsent', value: (c) => c.marketingConsent },
  { key: 'store', value: (c, f) => f.storeName(c.storeId) },
  { key: 'signedUpAt', value: (c) => c.createdAt },
  { key: 'visits', value: (c) => c.visits },
  // The part of `visits` from before Patron (imported or corrected by a manager), so a reader can tell them apart.
  { key: 'priorVisits', value: (c) => c.priorVisits },
  { key: 'spendMinor', value: (c) => c.spend },
  { key: 'spend', value: (c, f) => f.money(c.spend) },
  { key: 'points', value: (c) => c.points },
  { key: 'firstVisitAt', value: (c) => c.firstVisitAt },
  { key: 'lastVisitAt', value: (c) => c.lastVisitAt },
];

const VISIT_COLUMNS: readonly Column<Owned<Visit>>[] = [
  { key: 'id', value: (r) => r.doc.id },
  { key: 'occurredAt', value: (r) => r.doc.occurredAt },
  { key: 'customerId', value: (r) => r.customer.id },
  { key: 'name', value: (r) => r.customer.name },
  { key: 'store', value: (r, f) => f.storeName(r.doc.storeId) },
  { key: 'subtotalMinor', value: (r) => r.doc.subtotal },
  { key: 'discountMinor', value: (r) => r.doc.discount },
  { key: 'totalMinor', value: (r) => r.doc.total },
  { key: 'total', value: (r, f) => f.money(r.doc.total) },
  { key: 'currency', value: (r) => r.doc.currency },
  { key: 'paymentMethod', value: (r) => r.doc.paymentMethod },
  { key: 'pointsEarned', value: (r) => r.doc.pointsEarned },
  { key: 'voided', value: (r) => r.doc.voided },
  { key: 'rating', value: (r) => r.doc.feedback?.rating ?? null },
  { key: 'notes', value: (r) => r.doc.notes },
];

const LEDGER_COLUMNS: readonly Column<Owned<LoyaltyEntry>>[] = [
  { key: 'id', value: (r) => r.doc.id },
  { key: 'occurredAt', value: (r) => r.doc.occurredAt },
  { key: 'customerId', value: (r) => r.customer.id },
  { key: 'name', value: (r) => r.customer.name },
  { key: 'kind', value: (r) => r.doc.kind },
  { key: 'points', value: (r) => r.doc.points },
  { key: 'visitId', value: (r) => r.doc.visitId },
  { key: 'rewardId', value: (r) => r.doc.rewardId },
  { key: 'store', value: (r, f) => f.storeName(r.doc.storeId) },
  { key: 'offline', value: (r) => r.doc.offline },
  { key: 'note', value: (r) => r.doc.note },
];

/** Column keys of each kind, in order (the app's i18n has a header for each). */
export const EXPORT_COLUMNS: Readonly<Record<ExportKind, readonly string[]>> = {
  customers: CUSTOMER_COLUMNS.map((c) => c.key),
  visits: VISIT_COLUMNS.map((c) => c.key),
  ledger: LEDGER_COLUMNS.map((c) => c.key),
};

/** A table ready to be written: header row and rows. */
export interface ExportTable {
  headers: string[];
  rows: Cell[][];
}

/** What a table is built from: the exported customers, and every document of the replica or database. */
export interface ExportSources {
  /** The customers to export (filtered, perhaps a selection), in the order wanted. */
  selected: readonly CustomerStats[];
  customers: Iterable<Customer>;
  visits: Iterable<Visit>;
  entries: Iterable<LoyaltyEntry>;
}

function owned<T extends { customerId: string; occurredAt: string; _deleted: boolean; id: string }>(docs: Iterable<T>, sources: ExportSources): Owned<T>[] {
  const { rootOf } = mergeRoots(sources.customers);
  const byId = new Map(sources.selected.map((c) => [c.id, c]));
  const out: Owned<T>[] = [];
  for (const doc of docs) {
    const customer = doc._deleted ? undefined : byId.get(rootOf(doc.customerId));
    if (customer) out.push({ doc, customer });
  }
  // Oldest first, as a ledger or a till roll reads; ties by id so two runs agree.
  return out.sort((a, b) => (a.doc.occurredAt === b.doc.occurredAt ? (a.doc.id < b.doc.id ? -1 : 1) : a.doc.occurredAt < b.doc.occurredAt ? -1 : 1));
}

function build<R>(columns: readonly Column<R>[], rows: readonly R[], header: (key: string) => string, f: ExportFormatters): ExportTable {
  return { headers: columns.map((c) => header(c.key)), rows: rows.map((row) => columns.map((c) => c.value(row, f))) };
}

/** The table of `kind` for the selected customers; `header` names a column from its key. */
export function exportTable(kind: ExportKind, sources: ExportSources, header: (key: string) => string, f: ExportFormatters): ExportTable {
  if (kind === 'customers') return build(CUSTOMER_COLUMNS, sources.selected, header, f);
  if (kind === 'visits') return build(VISIT_COLUMNS, owned(sources.visits, sources), header, f);
  return build(LEDGER_COLUMNS, owned(sources.entries, sources), header, f);
}

/**
 * CSV (RFC 4180, CRLF) with a byte-order mark so spreadsheet programs read UTF-8 (Persian names). Text cells
 * that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe;
 * numbers are never touched, so negative points stay numbers.
 */
export function toCsv(table: ExportTable): string {
  return `\uFEFF${Papa.unparse({ fields: table.headers, data: table.rows }, { escapeFormulae: true, newline: '\r\n' })}`;
}

/** The sheet as write-excel-file takes it: the header row, then the rows (empty cells null). */
export function toSheet(table: ExportTable): Cell[][] {
  return [table.headers, ...table.rows];
}

/** File name of an export: `patron-customers-2026-12-07.csv`. */
export function exportFileName(kind: ExportKind, format: ExportFormat, day: string): string {
  return `patron-${kind}-${day}.${format}`;
}
