import { priorVisitsOf, type Customer } from './customer.ts';
import { ledgerEntry, newCustomer, type WriteContext } from './document-builders.ts';
import { importedCustomerId, openingEntryId } from './ids.ts';
import { fillBlanks, type MergeableFields } from './import-dedupe.ts';
import type { ImportRow } from './import-rows.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';

// The documents an import writes, built once for the terminal's command and `patron-sync import`: a customer
// per created row (a deterministic id, so a retried batch collides instead of doubling) and its opening
// balance as one `adjust` line, which the server checks against the importer's adjustment limit like any other.
// Visits before Patron go on the created customer; merged into an existing one, they fill a count of 0 (the
// rule of every other blank) and never add to one the customer has: the same past counted twice would inflate it.

/** The fields an import's merge may fill on an existing customer: `fillBlanks`' and the visits before Patron. */
export interface ImportMergeFields extends MergeableFields {
  priorVisits: number;
}

/** The note of an opening-balance line. */
export function openingNote(fileName: string): string {
  return `opening balance (import: ${fileName})`.slice(0, 500);
}

/** The customer and opening line of a created row. */
export function importedCustomer(row: ImportRow, importId: string, fileName: string, ctx: WriteContext, region: string): { customer: Customer; opening: LoyaltyEntry | null } {
  const { name, phone, email, birthday, anniversary, notes, tags, marketingConsent } = row;
  const consent = { email: marketingConsent, sms: marketingConsent };
  const customer = newCustomer({ name, phone, email, birthday, anniversary, notes, tags, consent, consentSource: 'import', priorVisits: row.visits }, ctx, region, importedCustomerId(importId, row.line));
  const opening = row.points > 0 ? ledgerEntry({ id: openingEntryId(customer.id), kind: 'adjust', points: row.points, customerId: customer.id, note: openingNote(fileName) }, ctx) : null;
  return { customer, opening };
}

/** What merging `rows` (in order) into `current` changes, with each changed field's value before. */
export function mergedChanges(current: ImportMergeFields, rows: readonly ImportRow[]): { before: Partial<ImportMergeFields>; after: Partial<ImportMergeFields> } {
  let state: ImportMergeFields = { ...current };
  for (const row of rows) state = { ...state, ...fillBlanks(state, row), priorVisits: state.priorVisits === 0 ? row.visits : state.priorVisits };
  const before: Partial<ImportMergeFields> = {};
  const after: Partial<ImportMergeFields> = {};
  for (const field of Object.keys(state) as (keyof ImportMergeFields)[]) {
    if (JSON.stringify(state[field]) === JSON.stringify(current[field])) continue;
    Object.assign(before, { [field]: current[field] });
    Object.assign(after, { [field]: state[field] });
  }
  return { before, after };
}

/** The mergeable fields of a customer. */
export function mergeableOf(customer: Customer): ImportMergeFields {
  const { email, birthday, anniversary, tags } = customer;
  return { email, birthday, anniversary, tags, priorVisits: priorVisitsOf(customer) };
}
