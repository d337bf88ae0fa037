import { consentState } from '../model/customer-profile.ts';
import { strToU8, zipSync } from 'fflate';
import Papa from 'papaparse';
import { priorVisitsOf, type Customer } from '../model/customer.ts';
import type { InboxItem } from '../model/inbox.ts';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import type { Visit } from '../model/visit.ts';

// A customer's subject-access / portability archive (GDPR Arts. 15 and 20; docs/privacy.md#export): one zip
// holding a JSON document of everything this replica holds about the customer and CSV tables of the visits
// and ledger lines, the formats a person or another system reads without Patron.

/** Everything a replica holds about one customer (its merge group: the person and their merged duplicates). */
export interface CustomerRecords {
  customer: Customer;
  /** Duplicates merged into the customer: the same person, signed up twice. */
  duplicates: Customer[];
  visits: Visit[];
  ledger: LoyaltyEntry[];
  /** The managers' inbox items about the customer (conflicts, duplicates, refused writes). */
  inbox: InboxItem[];
}

/** The archive's file names. */
export const EXPORT_FILES = { json: 'customer.json', visits: 'visits.csv', ledger: 'ledger.csv' } as const;

/** Format tag of the JSON document, for a reader that meets it without context. */
export const EXPORT_FORMAT = 'patron.customer-export/1';

/** The JSON document: the profile as stored (every field), consent and notes called out, and the history. */
export function exportDocument(records: CustomerRecords, meta: { exportedAt: string; exportedBy: string }) {
  const people = [records.customer, ...records.duplicates];
  return {
    format: EXPORT_FORMAT,
    exportedAt: meta.exportedAt,
    exportedBy: meta.exportedBy,
    merchantId: records.customer.merchantId,
    customer: records.customer,
    mergedDuplicates: records.duplicates,
    // Each channel's state now and the whole history behind it (who, when, where it was recorded).
    consent: people.map((c) => ({ customerId: c.id, email: consentState(c.consent, 'email'), sms: consentState(c.consent, 'sms'), history: c.consent })),
    notes: people.flatMap((c) => c.timeline.map((note) => ({ customerId: c.id, ...note }))),
    // Not personal data on its own (a count, kept by an erasure), but what the shop holds about the person.
    visitsBeforePatron: people.reduce((sum, c) => sum + priorVisitsOf(c), 0),
    visits: records.visits,
    ledger: records.ledger,
    redemptions: records.ledger.filter((entry) => entry.kind === 'redeem'),
    inbox: records.inbox,
  };
}

function visitRows(visits: readonly Visit[]) {
  return visits.map((v) => ({
    id: v.id,
    customerId: v.customerId,
    occurredAt: v.occurredAt,
    storeId: v.storeId,
    items: v.items.map((item) => `${item.quantity}× ${item.name}`).join('; '),
    subtotal: v.subtotal,
    discount: v.discount,
    total: v.total,
    currency: v.currency,
    paymentMethod: v.paymentMethod,
    pointsEarned: v.pointsEarned,
    notes: v.notes,
    feedbackRating: v.feedback?.rating ?? '',
    feedbackComment: v.feedback?.comment ?? '',
    voided: v.voided,
    voidReason: v.voidReason ?? '',
  }));
}

function ledgerRows(ledger: readonly LoyaltyEntry[]) {
  return ledger.map((e) => ({
    id: e.id,
    customerId: e.customerId,
    occurredAt: e.occurredAt,
    kind: e.kind,
    points: e.points,
    visitId: e.visitId ?? '',
    rewardId: e.rewardId ?? '',
    reversesId: e.reversesId ?? '',
    storeId: e.storeId,
    offline: e.offline,
    note: e.note,
  }));
}

/**
 * A CSV table with its header even when empty (papaparse writes nothing for no rows and no fields). Text that a
 * spreadsheet would run as a formula (notes, item names typed at the counter) is defused as in the directory's
 * export (model/export-table.ts `toCsv`); numbers stay numbers.
 */
function csv(rows: readonly Record<string, unknown>[], fields: readonly string[]): string {
  return Papa.unparse({ fields: [...fields], data: rows.map((row) => fields.map((field) => row[field])) }, { escapeFormulae: true });
}

const VISIT_FIELDS = Object.keys(visitRows([{ items: [], feedback: null } as unknown as Visit])[0]!);
const LEDGER_FIELDS = Object.keys(ledgerRows([{} as LoyaltyEntry])[0]!);

/** The zip archive of a customer's records, oldest history first. */
export function customerArchive(records: CustomerRecords, meta: { exportedAt: string; exportedBy: string }): Uint8Array {
  const byTime = <T extends { occurredAt: string; id: string }>(a: T, b: T) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id);
  const sorted = { ...records, visits: [...records.visits].sort(byTime), ledger: [...records.ledger].sort(byTime) };
  return zipSync({
    [EXPORT_FILES.json]: strToU8(JSON.stringify(exportDocument(sorted, meta), null, 2)),
    [EXPORT_FILES.visits]: strToU8(csv(visitRows(sorted.visits), VISIT_FIELDS)),
    [EXPORT_FILES.ledger]: strToU8(csv(ledgerRows(sorted.ledger), LEDGER_FIELDS)),
  });
}
