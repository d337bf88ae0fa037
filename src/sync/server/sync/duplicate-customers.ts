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
export async function mergeDuplicateCustomers(tx: Queryable, ctx: PushContext, written: BatchWrites['written'], now: string): Promise<{ findings: InboxItem[]; merged: boolean }> {
  const phones = [...new Set(written
    .filter(({ doc, inserted }) => inserted && !doc._deleted && (doc as unknown as Customer).mergedInto === null)
    .map(({ doc }) => (doc as unknown as Customer).phone))];
  if (phones.length === 0) return { findings: [], merged: false };
  const { rows } = await tx.query<{ doc: Customer }>(
    `SELECT doc FROM customers WHERE merchant_id = $1 AND phone = ANY($2::text[]) AND NOT deleted AND doc->>'mergedInto' IS NULL ORDER BY id`,
    [ctx.merchantId, phones],
  );
  const byPhone = new Map<string, Customer[]>();
  for (const { doc } of rows) byPhone.set(doc.phone, [...(byPhone.get(doc.phone) ?? []), doc]);
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
