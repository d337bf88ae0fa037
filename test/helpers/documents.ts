import type { Customer } from '../../src/sync/model/customer.ts';
import { newCustomer, newVisit, ledgerEntry, type WriteContext } from '../../src/sync/model/document-builders.ts';
import type { LoyaltyEntry } from '../../src/sync/model/loyalty-entry.ts';
import type { Visit } from '../../src/sync/model/visit.ts';

/** One merchant, store, till and cashier at a fixed instant, for tests that build documents without a server. */
export const FIXED_CONTEXT: WriteContext = {
  merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
  storeId: '01890a5d-ac96-774b-bcce-b302099a8059',
  terminalId: '01890a5d-ac96-774b-bcce-b302099a8057',
  staffId: '01890a5d-ac96-774b-bcce-b302099a8061',
  now: '2025-03-20T10:00:00.000Z',
  offline: false,
};

let phoneCounter = 0;

/** A distinct valid Iranian mobile number per call (0912 000 0001, …). */
export function nextPhone(): string {
  phoneCounter += 1;
  return `0912${String(1_000_000 + phoneCounter).slice(-7)}`;
}

/** A valid customer signed up in `ctx` (Iranian default region). */
export function aCustomer(ctx: WriteContext, overrides: Partial<Parameters<typeof newCustomer>[0]> = {}): Customer {
  return newCustomer({ phone: nextPhone(), name: 'احمد محمدی', ...overrides }, ctx, 'IR');
}

/** A visit of `total` IRR with its earning entry of `points`. */
export function aVisit(ctx: WriteContext, customerId: string, total: number, points: number): { visit: Visit; earn: LoyaltyEntry | null } {
  return newVisit({ customerId, items: [], amount: total, currency: 'IRR', paymentMethod: 'cash' }, points, ctx);
}

/** A redemption of `points` (positive number) for a customer. */
export function aRedeem(ctx: WriteContext, customerId: string, points: number): LoyaltyEntry {
  return ledgerEntry({ kind: 'redeem', points: -points, customerId }, ctx);
}

/** A push row for a new document. */
export function insertRow(doc: object): { newDocumentState: object } {
  return { newDocumentState: doc };
}

/** A push row for an update of `assumed`. */
export function updateRow(doc: object, assumed: object): { newDocumentState: object; assumedMasterState: object } {
  return { newDocumentState: doc, assumedMasterState: assumed };
}
