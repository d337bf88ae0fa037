import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import { ledgerEntry } from '../../model/document-builders.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { programKinds, stampCardProgress } from '../../model/stamp-card.ts';
import { forStorage, fromReplica } from '../documents.ts';
import { command, refuse } from './command.ts';
import { isOnline, writeContext } from './env.ts';
import { groupEntries } from './redeem.ts';

/** A full stamp card redeemed for a customer. */
export const RedeemStampCardInputSchema = z.strictObject({ customerId: IdSchema });

/**
 * Redeems a full stamp card (docs/loyalty.md#stamp-cards): one `stamp_redeem` line taking exactly one card's
 * stamps from the merge group's count, which starts the next card with whatever was past the full one. Offline
 * too: the count is the replica's; a card two offline tills both redeemed goes negative once they meet, and
 * the server raises it in the inbox as it does a points overdraft.
 */
export const redeemStampCard = command({
  role: 'cashier',
  input: RedeemStampCardInputSchema,
  async run(env, input, staff): Promise<LoyaltyEntry> {
    const doc = await env.db.customers.findOne(input.customerId).exec();
    if (!doc) refuse('CUSTOMER_NOT_FOUND');
    const customer = fromReplica<Customer>(doc);
    if (customer.status === 'blocked') refuse('CUSTOMER_BLOCKED');
    const card = programKinds(env.settings().program).stampCard;
    if (!card) refuse('NO_STAMP_CARD');
    const group = env.merges.groupOf(env.merges.rootOf(customer.id));
    const progress = stampCardProgress(await groupEntries(env, group), card);
    if (!progress.full) refuse('STAMP_CARD_NOT_FULL', undefined, { count: String(progress.count), size: String(card.cardSize) });
    const ctx = { ...writeContext(env, staff), offline: !isOnline(env) };
    const entry = ledgerEntry({ kind: 'stamp_redeem', points: 0, stamps: -card.cardSize, customerId: customer.id, note: card.reward.slice(0, 500) }, ctx);
    await env.db.loyaltyEntries.insert(forStorage(entry));
    return entry;
  },
});
