import type { Customer } from './customer.ts';
import { ledgerEntry, newCustomer, type WriteContext } from './document-builders.ts';
import { importedCustomerId, openingEntryId } from './ids.ts';
import { fillBlanks, type MergeableFields } from './import-dedupe.ts';
import type { ImportRow } from './import-rows.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';

// The documents an import writes, built once for the terminal's command and `patron-sync import`: a customer
// per created row (a deterministic id, so a retried batch collides instead of doubling) and its opening
// balance as one `adjust` line, which the server checks against the importer's adjustment limit like any other.

/** The note of an opening-balance line. */
export function openingNote(fileName: string): string {
  return `opening balance (import: ${fileName})`.slice(0, 500);
}

/** The customer and opening line of a created row. */
export function importedCustomer(row: ImportRow, importId: string, fileName: string, ctx: WriteContext, region: string): { customer: Customer; opening: LoyaltyEntry | null } {
  const { name, phone, email, birthday, anniversary, notes, tags, marketingConsent } = row;
  const consent = { email: marketingConsent, sms: marketingConsent };
  const customer = newCustomer({ name, phone, email, birthday, anniversary, notes, tags, consent, consentSource: 'import' }, ctx, region, importedCustomerId(importId, row.line));
  const opening = row.points > 0 ? ledgerEntry({ id: openingEntryId(customer.id), kind: 'adjust', points: row.points, customerId: customer.id, note: openingNote(fileName) }, ctx) : null;
  return { customer, opening };
}

/** What merging `rows` (in order) into `current` changes, with each changed field's value before. */
export function mergedChanges(current: MergeableFields, rows: readonly ImportRow[]): { before: Partial<MergeableFields>; after: Partial<MergeableFields> } {
  let state: MergeableFields = { ...current };
  for (const row of rows) state = { ...state, ...fillBlanks(state, row) };
  const before: Partial<MergeableFields> = {};
  const after: Partial<MergeableFields> = {};
  for (const field of Object.keys(state) as (keyof MergeableFields)[]) {
    if (JSON.stringify(state[field]) === JSON.stringify(current[field])) continue;
    Object.assign(before, { [field]: current[field] });
    Object.assign(after, { [field]: state[field] });
  }
  return { before, after };
}

/** The mergeable fields of a customer. */
export function mergeableOf(customer: Customer): MergeableFields {
  const { email, birthday, anniversary, tags } = customer;
  return { email, birthday, anniversary, tags };
}
