import type { Role } from '../../model/common.ts';
import { priorVisitsOf, type Customer } from '../../model/customer.ts';
import { consentRewrite } from '../../model/customer-profile.ts';
import type { ErrorCode } from '../../model/errors.ts';
import { earnEntryId } from '../../model/ids.ts';
import { inboxResolutionProblem, type InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import { APPEND_ONLY_COLLECTIONS, PULL_ONLY_COLLECTIONS } from '../../model/wire-protocol.ts';
import type { Program } from '../../model/settings.ts';
import { erasureProblem, isErased } from '../../model/privacy.ts';
import { mayWorkAt, staffChangeProblem, type Staff } from '../../model/staff.ts';
import { visitChangeAllowed, type Visit } from '../../model/visit.ts';

/** Why a row was refused: an error code and a reason for the quarantine (never personal data). */
export interface Refusal {
  code: ErrorCode;
  reason: string;
  /** The row may carry an erased customer's personal data: the quarantine keeps its id, not the document. */
  withhold?: boolean;
}

/** The staff member a document says acted, per collection (an inbox item has no author but its resolver). */
export function actingStaffId(collection: CollectionName, doc: Record<string, unknown>): unknown {
  if (collection === 'inbox') return doc.resolvedBy;
  return collection === 'visits' || collection === 'loyaltyEntries' ? doc.staffId : doc.updatedBy;
}

const rank: Record<Role, number> = { cashier: 0, manager: 1, owner: 2 };

/**
 * The role rules of docs/architecture.md#roles for one validated row. `master` is the stored document, if any. Returns a
 * refusal, or null when the write is allowed.
 */
export function checkWrite(input: {
  collection: CollectionName;
  merchantId: string;
  /** The pushing terminal and its store, from the verified token. */
  terminalId: string;
  storeId: string;
  doc: Record<string, unknown>;
  master: Record<string, unknown> | undefined;
  staff: Staff | undefined;
  /** The merchant's programme (the ledger's own rules use it in ledger-checks.ts). */
  program: Program;
  /** For a staff write: the merchant's members as the batch has them so far. */
  members?: readonly Staff[];
}): Refusal | null {
  const { collection, doc, master, staff } = input;
  if (PULL_ONLY_COLLECTIONS.includes(collection)) return { code: 'FORBIDDEN', reason: `${collection} is pull-only for terminals` };
  if (doc.merchantId !== input.merchantId) return { code: 'FORBIDDEN', reason: 'document names another merchant' };
  // Whatever the role: the server raises every finding, so a terminal never inserts one.
  if (collection === 'inbox' && !master) return { code: 'FORBIDDEN', reason: 'inbox items are created by the server only' };
  if (!staff || staff.merchantId !== input.merchantId) return { code: 'FORBIDDEN', reason: 'unknown staff member' };
  if (!staff.active || staff._deleted) return { code: 'FORBIDDEN', reason: 'staff member is not active' };
  if (!mayWorkAt(staff, input.storeId)) return { code: 'FORBIDDEN', reason: "staff member is not allowed at the terminal's store" };
  const origin = originRefusal(collection, doc, master, input);
  if (origin) return origin;
  const isManager = rank[staff.role] >= rank.manager;

  if (master && APPEND_ONLY_COLLECTIONS.includes(collection)) {
    if (collection === 'loyaltyEntries') return { code: 'FORBIDDEN', reason: 'ledger entries are append-only' };
    if (!visitChangeAllowed(master as unknown as Visit, doc as unknown as Visit)) {
      return { code: 'FORBIDDEN', reason: 'a visit may only be voided or given feedback' };
    }
  }
  if (doc._deleted === true && APPEND_ONLY_COLLECTIONS.includes(collection)) {
    return { code: 'FORBIDDEN', reason: 'append-only documents are never deleted' };
  }

  switch (collection) {
    case 'rewards':
    case 'settings':
    case 'customerGroups':
      if (!isManager) return { code: 'FORBIDDEN', reason: `${collection} are edited by managers` };
      if (collection === 'settings' && doc.id !== input.merchantId) return { code: 'FORBIDDEN', reason: 'settings id must be the merchant id' };
      return null;
    case 'customers': {
      const next = doc as unknown as Customer;
      const prev = master as unknown as Customer | undefined;
      const erasure = erasureRefusal(prev, next, isManager);
      if (erasure) return erasure;
      if (!isManager && next._deleted && !prev?._deleted) return { code: 'FORBIDDEN', reason: 'cashiers do not erase customers' };
      if (!isManager && (prev?.mergedInto ?? null) !== next.mergedInto) return { code: 'FORBIDDEN', reason: 'cashiers do not merge customers' };
      // Visits before Patron are the business's own history (an import, a manager's correction); a cashier's
      // count would move the customer's standing with nothing to check it against.
      if (!isManager && priorVisitsOf(prev ?? {}) !== priorVisitsOf(next)) return { code: 'FORBIDDEN', reason: 'cashiers do not change visits before Patron' };
      // Consent is evidence: what a customer agreed to, when, must stay as recorded (an erasure tombstones whole).
      const rewrite = prev && !next._deleted ? consentRewrite(prev.consent, next.consent) : null;
      if (rewrite) return { code: 'FORBIDDEN', reason: rewrite };
      return null;
    }
    case 'loyaltyEntries': {
      // Each kind's own rules (an earn against its visit, a reversal against its line, limits): ledger-checks.ts.
      const entry = doc as unknown as LoyaltyEntry;
      if (entry.kind === 'earn' && entry.visitId !== null && entry.id !== earnEntryId(entry.visitId)) {
        return { code: 'VALIDATION_FAILED', reason: "a visit's earning entry must have the id derived from the visit" };
      }
      return null;
    }
    case 'inbox': {
      if (!isManager) return { code: 'FORBIDDEN', reason: 'inbox items are resolved by managers' };
      const problem = inboxResolutionProblem(master as unknown as InboxItem, doc as unknown as InboxItem);
      return problem === null ? null : { code: 'FORBIDDEN', reason: problem };
    }
    case 'staff': {
      const problem = staffChangeProblem(staff, master as unknown as Staff | undefined, doc as unknown as Staff, input.members ?? []);
      return problem === null ? null : { code: 'FORBIDDEN', reason: STAFF_REFUSALS[problem] };
    }
    default:
      return null;
  }
}

const STAFF_REFUSALS = {
  NOT_OWNER: 'staff are managed by owners',
  LAST_OWNER: 'the last active owner cannot be deactivated or demoted',
  KEY_MISMATCH: 'a new PIN and a new signing key go together',
  NEW_PIN_REQUIRED: 'a cashier made a manager or an owner gets a new PIN',
  DELETED: 'staff are deactivated, never deleted',
} as const;

/**
 * Erasure (docs/privacy.md): only a manager erases, an erasure leaves no personal data, and an erased customer
 * is never written again — a terminal that pushes personal data back onto one is refused, and the quarantine
 * does not keep what it pushed. (An honest terminal's stale edit never gets here: its assumed state is not
 * the erased master, so it is answered with a conflict that its merge resolves to the erasure.)
 */
function erasureRefusal(prev: Customer | undefined, next: Customer, isManager: boolean): Refusal | null {
  if (prev && isErased(prev)) return { code: 'FORBIDDEN', reason: 'an erased customer stays erased', withhold: true };
  if (!isErased(next)) return null;
  if (!isManager) return { code: 'FORBIDDEN', reason: 'cashiers do not erase customers', withhold: true };
  const problem = erasureProblem(next);
  return problem === null ? null : { code: 'VALIDATION_FAILED', reason: problem, withhold: true };
}

/**
 * Identity bound to the token: a new visit or ledger line names the pushing terminal and its store; a new
 * customer signs up at the terminal's store and keeps that store for good. Another terminal's or store's
 * name on a write is a forgery (or a bug), never an honest till's write.
 */
function originRefusal(collection: CollectionName, doc: Record<string, unknown>, master: Record<string, unknown> | undefined, token: { terminalId: string; storeId: string }): Refusal | null {
  if ((collection === 'visits' || collection === 'loyaltyEntries') && !master) {
    if (doc.terminalId !== token.terminalId) return { code: 'FORBIDDEN', reason: 'document names another terminal than the token' };
    if (doc.storeId !== token.storeId) return { code: 'FORBIDDEN', reason: "document names another store than the terminal's" };
  }
  if (collection === 'customers' && doc.storeId !== (master ? master.storeId : token.storeId)) {
    return { code: 'FORBIDDEN', reason: master ? "a customer's sign-up store never changes" : "a new customer signs up at the terminal's store" };
  }
  return null;
}
