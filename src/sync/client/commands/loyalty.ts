import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import { ledgerEntry } from '../../model/document-builders.ts';
import { reversalEntryId } from '../../model/ids.ts';
import { reversalProblem, roleForAdjustment } from '../../model/ledger-rules.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { fromReplica, forStorage } from '../documents.ts';
import { ApprovalSchema, requireApproval } from './approval.ts';
import { command, refuse } from './command.ts';
import { writeContext, type CommandEnv } from './env.ts';

// Corrections of the ledger (docs/loyalty.md), offline too: each is one ledger line, written under the rules
// the server checks again (model/ledger-rules.ts). Above the signed-in member's authority they need a manager's
// PIN on the spot; the line is then written in the approver's name — the server checks the approver's role.

/** A required reason: trimmed, 1–500 characters. */
const ReasonSchema = z.string().transform((value, ctx) => {
  const reason = value.trim();
  if (reason === '') ctx.addIssue({ code: 'custom', message: 'REQUIRED' });
  else if (reason.length > 500) ctx.addIssue({ code: 'custom', message: 'TOO_LONG' });
  return reason;
});

/** A manual adjustment: signed points (not 0) with a reason; `approval` when it exceeds the member's limit. */
export const AdjustInputSchema = z.strictObject({
  customerId: IdSchema,
  points: z.int().min(-1_000_000_000).max(1_000_000_000).refine((n) => n !== 0, { message: 'REQUIRED' }),
  reason: ReasonSchema,
  approval: ApprovalSchema.optional(),
});

async function customerOf(env: CommandEnv, id: string): Promise<Customer> {
  const doc = await env.db.customers.findOne(id).exec();
  if (!doc) refuse('CUSTOMER_NOT_FOUND');
  return fromReplica<Customer>(doc);
}

/**
 * Adds or removes points by hand with a reason, within the role's limit (cashier small, manager larger, owner
 * any — ledger-rules.ts); above it, a PIN of someone whose limit covers it, typed on the spot.
 */
export const adjustPoints = command({
  role: 'cashier',
  input: AdjustInputSchema,
  async run(env, input, staff) {
    await customerOf(env, input.customerId);
    const least = roleForAdjustment(input.points, env.settings().program);
    const actor = await requireApproval(env, staff, least, input.approval);
    const entry = ledgerEntry({ kind: 'adjust', points: input.points, customerId: input.customerId, note: input.reason }, writeContext(env, actor));
    await env.db.loyaltyEntries.insert(forStorage(entry));
    return entry;
  },
});

/** Which redemption to undo, and why. */
export const UndoRedemptionInputSchema = z.strictObject({ entryId: IdSchema, reason: ReasonSchema });

/**
 * Undoes a redemption: a reversal giving its points back, at most once (the reversal's id derives from the
 * redemption's, so a second undo here or on another terminal collides) and for exactly its amount.
 */
export const undoRedemption = command({
  role: 'cashier',
  input: UndoRedemptionInputSchema,
  async run(env, input, staff) {
    const doc = await env.db.loyaltyEntries.findOne(input.entryId).exec();
    if (!doc) refuse('NOT_FOUND');
    const target = fromReplica<LoyaltyEntry>(doc);
    if (target.kind !== 'redeem') refuse('VALIDATION_FAILED');
    if (await env.db.loyaltyEntries.findOne(reversalEntryId(target.id)).exec()) refuse('ALREADY_REVERSED');
    const entry = ledgerEntry(
      { id: reversalEntryId(target.id), kind: 'reversal', points: -target.points, customerId: target.customerId, reversesId: target.id, rewardId: target.rewardId, note: input.reason },
      writeContext(env, staff),
    );
    if (reversalProblem(entry, target) !== null) refuse('VALIDATION_FAILED');
    await env.db.loyaltyEntries.insert(forStorage(entry));
    return entry;
  },
});
