import { SYSTEM_ACTOR_ID } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import type { InboxItem } from '../../model/inbox.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { finding } from './inbox-findings.ts';
import { serverUpdatedAt, writeServerDocs } from './server-writes.ts';
import type { Doc } from './tables.ts';

/**
 * The same phone signed up on two offline terminals: the earlier id (UUIDv7 sorts by creation) wins, the
 * other gets `mergedInto`, and a `duplicate` finding says so. Only new sign-ups trigger it, so a manager's
 * undo is not merged straight back. Returns the findings and whether customers were written.
 */
export async function mergeDuplicateCustomers(tx: Queryable, ctx: PushContext, batch: BatchWrites, now: string): Promise<{ findings: InboxItem[]; merged: boolean }> {
  const live = (c: Customer) => !c._deleted && c.mergedInto === null;
  const phones = new Set(batch.written.filter(({ doc, inserted }) => inserted && live(doc as unknown as Customer)).map(({ doc }) => (doc as unknown as Customer).phone));
  if (phones.size === 0) return { findings: [], merged: false };
  // The live customers with those phones as the batch leaves them: the stored ones it did not overwrite, and
  // its own writes in their final state, ordered by id (byte order, as the database's C collation sorts).
  const final = new Map(batch.written.map(({ doc }) => [doc.id, doc as unknown as Customer]));
  const candidates = [...(batch.samePhone as unknown as Customer[]).filter((c) => !final.has(c.id)), ...[...final.values()].filter(live)]
    .filter((c) => phones.has(c.phone))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byPhone = new Map<string, Customer[]>();
  for (const customer of candidates) byPhone.set(customer.phone, [...(byPhone.get(customer.phone) ?? []), customer]);
  const merged: Doc[] = [];
  const findings: InboxItem[] = [];
  for (const group of byPhone.values()) {
    const [winner, ...losers] = group;
    if (!winner) continue;
    for (const loser of losers) {
      merged.push({ ...loser, mergedInto: winner.id, updatedAt: serverUpdatedAt(loser.updatedAt, now), updatedBy: SYSTEM_ACTOR_ID } as unknown as Doc);
      findings.push(finding(ctx.merchantId, now, 'duplicate', loser.id, {
        customerId: winner.id,
        relatedId: loser.id,
        targetCollection: 'customers',
        code: 'CUSTOMER_ALREADY_EXISTS',
        details: { mergedInto: winner.id, merged: loser.id },
      }));
    }
  }
  const count = merged.length > 0 ? await writeServerDocs(tx, 'customers', ctx.merchantId, merged, { onlyNew: false, reserveVersions: !ctx.brokenClockForTests }) : 0;
  return { findings, merged: count > 0 };
}
