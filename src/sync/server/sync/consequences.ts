import type { InboxItem } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Visit } from '../../model/visit.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { recordRefusedWrites } from './audit.ts';
import { recordedConflictFindings } from './customer-conflicts.ts';
import { mergeDuplicateCustomers } from './duplicate-customers.ts';
import { eraseMergedDuplicates, newlyErased, redactErasedHistory } from './erasures.ts';
import { holdEntries, recordProgramRevisions, releaseHeldEntries } from './held-entries.ts';
import { currentProgram } from './ledger-checks.ts';
import { raiseFindings } from './inbox-findings.ts';
import { overdraftFindings } from './overdrafts.ts';
import { quarantine } from './quarantine.ts';
import { stampOverdraftFindings } from './stamp-overdrafts.ts';
import { rewardCapFindings } from './reward-checks.ts';
import { sharedPhoneFindings } from './shared-phones.ts';
import { consumeRewardStock } from './reward-stock.ts';
import { storeWrittenStaffKeys } from '../repositories/staff-proof.ts';

/**
 * What the server makes of a batch, inside the same transaction, after its rows are written: quarantine the
 * refused rows, merge duplicate customers (and flag sign-ups sharing a second phone), raise recorded merge conflicts, redact the history of erased customers, keep programme revisions, hold earns
 * until their visit arrives (and release them when it does), flag ledger overdrafts and take redeemed rewards
 * from stock, store the signing keys of members an owner added or re-keyed — each finding an inbox item. Adds every collection it wrote to `changed`.
 */
export async function applyConsequences(tx: Queryable, ctx: PushContext, collection: CollectionName, batch: BatchWrites, changed: Set<CollectionName>): Promise<void> {
  const now = new Date().toISOString();
  const findings: InboxItem[] = await quarantine(tx, ctx, collection, batch.rejected, now);
  await recordRefusedWrites(tx, ctx, collection, batch.rejected);
  if (collection === 'customers') {
    const duplicates = await mergeDuplicateCustomers(tx, ctx, batch, now);
    if (duplicates.merged) changed.add('customers');
    const mergedAway = new Set(duplicates.findings.map((item) => item.relatedId ?? ''));
    findings.push(...duplicates.findings, ...(await sharedPhoneFindings(tx, ctx, batch, mergedAway, now)), ...recordedConflictFindings(ctx.merchantId, batch.written, now));
    const erased = newlyErased(batch.written);
    if (erased.length > 0) {
      const all = await eraseMergedDuplicates(tx, ctx, erased);
      if (all.length > erased.length) changed.add('customers');
      if (await redactErasedHistory(tx, ctx, all, now)) changed.add('inbox');
    }
  }
  if (collection === 'settings') await recordProgramRevisions(tx, ctx, batch.written);
  // A member's key is verified against `staff_keys`: an owner's new member or new PIN takes effect with it.
  if (collection === 'staff') await storeWrittenStaffKeys(tx, ctx.merchantId, batch.written);
  if (collection === 'visits') {
    const released = await releaseHeldEntries(tx, ctx, batch.written.filter((w) => w.inserted).map((w) => w.doc as unknown as Visit), now);
    findings.push(...released.findings);
    if (released.written) changed.add('loyaltyEntries');
    // A void's reversal held until its visit came is a debit like any other: it can overdraw.
    if (released.accepted.some((entry) => entry.points < 0)) findings.push(...(await overdraftFindings(tx, ctx, released.accepted, await currentProgram(tx, ctx.merchantId), now)));
    findings.push(...(await stampOverdraftFindings(tx, ctx, released.accepted, now)));
  }
  if (collection === 'loyaltyEntries') {
    await holdEntries(tx, ctx, batch.held);
    const inserted = batch.written.filter((w) => w.inserted).map((w) => w.doc as unknown as LoyaltyEntry);
    // Only a debit can overdraw: a batch of earns reads nothing more.
    if (inserted.some((entry) => entry.points < 0)) findings.push(...(await overdraftFindings(tx, ctx, inserted, await currentProgram(tx, ctx.merchantId), now)));
    findings.push(...(await stampOverdraftFindings(tx, ctx, inserted, now)));
    if (await consumeRewardStock(tx, ctx, inserted, now)) changed.add('rewards');
    const kept = new Set(inserted.map((entry) => entry.id));
    findings.push(...rewardCapFindings(ctx, batch.overCap.filter((entry) => kept.has(entry.id)), now));
  }
  if (findings.length > 0 && (await raiseFindings(tx, ctx, findings)) > 0) changed.add('inbox');
}
