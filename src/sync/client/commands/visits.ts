import { z } from 'zod';
import { IdSchema, NonNegativeIntSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import { ledgerEntry, newVisit, stampLine, stampReversal, voidVisit } from '../../model/document-builders.ts';
import { earnEntryId, newId, stampEntryId } from '../../model/ids.ts';
import { REFUND_MARK, voidImpact, type VoidImpact } from '../../model/ledger-rules.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { pointsForVisit } from '../../model/loyalty.ts';
import { programKinds, stampsForVisit } from '../../model/stamp-card.ts';
import { PaymentMethodSchema, VisitItemSchema, itemsSubtotal, type Visit } from '../../model/visit.ts';
import { fromReplica } from '../documents.ts';
import type { JournalWrite } from '../journal.ts';
import { ApprovalSchema, requireApproval } from './approval.ts';
import { command, refuse } from './command.ts';
import { writeContext, type CommandEnv } from './env.ts';
import { saleRewards, VisitRewardsInputSchema } from './visit-rewards.ts';

/**
 * A sale at the counter: item lines, or a paid amount when there are none; a discount no larger than the
 * subtotal. `id` (the form's, kept until the visit is recorded) makes a retry complete the same visit.
 */
export const VisitInputSchema = z
  .strictObject({
    id: IdSchema.optional(),
    customerId: IdSchema,
    items: z.array(VisitItemSchema).max(200),
    amount: NonNegativeIntSchema.optional(),
    discount: NonNegativeIntSchema.default(0),
    paymentMethod: PaymentMethodSchema,
    notes: z.string().max(1000).default(''),
    /** Rewards redeemed on the sale, applied in this order after the discount (visit-rewards.ts). */
    rewards: VisitRewardsInputSchema,
  })
  .check((ctx) => {
    const input = ctx.value;
    if (input.items.length === 0 && input.amount === undefined) ctx.issues.push({ code: 'custom', message: 'REQUIRED', input: input.amount, path: ['amount'] });
    const subtotal = input.items.length > 0 ? itemsSubtotal(input.items) : (input.amount ?? 0);
    if (!Number.isSafeInteger(subtotal)) ctx.issues.push({ code: 'custom', message: 'TOO_LARGE', input: subtotal, path: ['amount'] });
    if (input.discount > subtotal) ctx.issues.push({ code: 'custom', message: 'TOO_LARGE', input: input.discount, path: ['discount'] });
  });

async function liveCustomer(env: CommandEnv, id: string): Promise<Customer> {
  const doc = await env.db.customers.findOne(id).exec();
  if (!doc) refuse('CUSTOMER_NOT_FOUND');
  return fromReplica<Customer>(doc);
}

/** Points the visit earns at the tier of the customer's merge group now; a blocked customer, or a stamps-only programme, earns none. */
async function pointsAtTier(env: CommandEnv, customer: Customer, total: number): Promise<number> {
  if (customer.status === 'blocked' || !programKinds(env.settings().program).points) return 0;
  const group = env.merges.groupOf(env.merges.rootOf(customer.id));
  const summary = await env.ledger.groupSummary(group);
  return pointsForVisit({ total, tier: summary.tier }, env.settings().program);
}

/**
 * Records a visit, its earning, its stamps and the redemptions of the rewards applied to it: one journaled intent
 * (a restart between the writes completes them all, so no reward is ever half applied), the earning's, stamps'
 * and redemptions' ids derived from the visit's so none can count twice (docs/architecture.md#deterministic-ids,
 * docs/loyalty.md#stamp-cards). The visit earns on what is paid after every discount.
 */
export const recordVisit = command({
  role: 'cashier',
  input: VisitInputSchema,
  async run(env, input, staff) {
    if (input.id) {
      const existing = await env.db.visits.findOne(input.id).exec();
      if (existing) {
        // A retry of a visit already recorded: finish anything an interrupted attempt left, write nothing new.
        await env.journal.replay();
        return fromReplica<Visit>(existing);
      }
    }
    const customer = await liveCustomer(env, input.customerId);
    const subtotal = input.items.length > 0 ? itemsSubtotal(input.items) : (input.amount ?? 0);
    const ctx = writeContext(env, staff);
    const { id = newId(), rewards: choices, ...fields } = input;
    const sale = await saleRewards(env, { visitId: id, customer, subtotal, discount: input.discount, items: input.items, choices }, ctx);
    const points = await pointsAtTier(env, customer, sale.total);
    const settings = env.settings();
    const { visit, earn } = newVisit({ ...fields, discount: sale.discount, rewards: sale.applied, currency: settings.currency }, points, ctx, id);
    const writes: JournalWrite[] = [{ op: 'insert', collection: 'visits', doc: visit }];
    if (earn) writes.push({ op: 'insert', collection: 'loyaltyEntries', doc: earn });
    for (const entry of sale.entries) writes.push({ op: 'insert', collection: 'loyaltyEntries', doc: entry });
    const stamps = customer.status === 'blocked' ? 0 : stampsForVisit(visit, programKinds(settings.program).stampCard);
    const stamp = stampLine(visit, stamps, ctx);
    if (stamp) writes.push({ op: 'insert', collection: 'loyaltyEntries', doc: stamp });
    await env.journal.apply({ id: visit.id, writes });
    return visit;
  },
});

/**
 * A void's (or refund's) reason: required, at most 500 characters; `approval` when a manager must confirm it
 * (the balance would go negative, or the visit is older than the approval age — ledger-rules.ts voidImpact).
 */
export const VoidInputSchema = z.strictObject({
  visitId: IdSchema,
  refund: z.boolean().default(false),
  approval: ApprovalSchema.optional(),
  reason: z.string().transform((value, ctx) => {
    const reason = value.trim();
    if (reason === '') ctx.addIssue({ code: 'custom', message: 'REQUIRED' });
    else if (reason.length > 500) ctx.addIssue({ code: 'custom', message: 'TOO_LONG' });
    return reason;
  }),
});

/**
 * The earning a visit's void reverses. The visit says how many points it earned and the earning's id derives
 * from it, so the reversal is right even before this replica has pulled the earning itself.
 */
function earningOf(visit: Visit, stored: LoyaltyEntry | null, env: CommandEnv): LoyaltyEntry | null {
  if (stored) return stored;
  if (visit.pointsEarned <= 0) return null;
  const { merchantId } = env.identity;
  const ctx = { merchantId, storeId: visit.storeId, terminalId: visit.terminalId, staffId: visit.staffId, now: visit.occurredAt, offline: false };
  return ledgerEntry({ id: earnEntryId(visit.id), kind: 'earn', points: visit.pointsEarned, customerId: visit.customerId, visitId: visit.id }, ctx);
}

/**
 * The stamps a visit's stamp line gave (0 without one). Unlike an earning, a visit does not state its stamps,
 * so only a line this replica holds is taken back (docs/loyalty.md#stamp-cards).
 */
async function stampsOf(env: CommandEnv, visitId: string): Promise<number> {
  const doc = await env.db.loyaltyEntries.findOne(stampEntryId(visitId)).exec();
  const line = doc ? fromReplica<LoyaltyEntry>(doc) : null;
  return line && !line._deleted ? (line.stamps ?? 0) : 0;
}

/** The visit and its earning (stored, or derived from the visit) a void would reverse. */
async function voidable(env: CommandEnv, visitId: string): Promise<{ visit: Visit; earn: LoyaltyEntry | null }> {
  const [visitDoc, earnDoc] = await Promise.all([env.db.visits.findOne(visitId).exec(), env.db.loyaltyEntries.findOne(earnEntryId(visitId)).exec()]);
  if (!visitDoc) refuse('NOT_FOUND');
  const visit = fromReplica<Visit>(visitDoc);
  if (visit.voided) refuse('ALREADY_VOIDED');
  return { visit, earn: earningOf(visit, earnDoc ? fromReplica<LoyaltyEntry>(earnDoc) : null, env) };
}

/** What voiding or refunding a visit would do to its customer's balance now, and whether a manager must approve. */
export async function impactOfVoid(env: CommandEnv, visitId: string): Promise<VoidImpact> {
  const { visit, earn } = await voidable(env, visitId);
  const group = env.merges.groupOf(env.merges.rootOf(visit.customerId));
  const { balance } = await env.ledger.groupStanding(group, env.now());
  return voidImpact(visit, earn?.points ?? 0, balance, env.now(), env.settings().program);
}

/**
 * Voids (or refunds) a visit: the flag on the visit and the reversal of its earning, written as one journaled
 * pair. When the balance would go negative or the visit is old, a manager's PIN is needed; the void is then
 * written in the approver's name (the server checks that member's role).
 */
export const voidVisitCommand = command({
  role: 'cashier',
  input: VoidInputSchema,
  async run(env, input, staff) {
    const { visit, earn } = await voidable(env, input.visitId);
    const impact = await impactOfVoid(env, input.visitId);
    const actor = impact.approval ? await requireApproval(env, staff, 'manager', input.approval) : staff;
    const reason = input.refund ? `${REFUND_MARK}${input.reason}`.slice(0, 500) : input.reason;
    const ctx = writeContext(env, actor);
    const { visit: voided, reversal } = voidVisit(visit, earn, reason, ctx);
    const { voidedAt, voidedBy, voidReason, updatedAt } = voided;
    const writes: JournalWrite[] = [
      { op: 'patch', collection: 'visits', id: visit.id, when: { voided: false }, patch: { voided: true, voidedAt, voidedBy, voidReason, updatedAt } },
    ];
    if (reversal) writes.push({ op: 'insert', collection: 'loyaltyEntries', doc: reversal });
    const stamped = await stampsOf(env, visit.id);
    if (stamped > 0) writes.push({ op: 'insert', collection: 'loyaltyEntries', doc: stampReversal(visit, stamped, ctx) });
    await env.journal.apply({ id: `void:${visit.id}`, writes });
    return voided;
  },
});
