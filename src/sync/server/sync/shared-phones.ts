import type { Customer } from '../../model/customer.ts';
import type { InboxItem } from '../../model/inbox.ts';
import { SHARED_PHONE } from '../../model/inbox-actions.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { finding } from './inbox-findings.ts';

const live = (c: Customer) => !c._deleted && c.mergedInto === null;

/** The number two different customers share: one's own phone is the other's second phone. */
function sharedNumber(a: Customer, b: Customer): string | null {
  if (a.phone === b.phone) return null; // an equal own phone is merged (duplicate-customers.ts)
  if (a.phone === b.phone2) return a.phone;
  if (a.phone2 !== null && a.phone2 === b.phone) return b.phone;
  return null;
}

/**
 * A new sign-up whose phone is another live customer's second phone, or whose second phone is another's
 * phone, may be the same person or a phone a family shares: unlike an equal phone it is never merged, and a
 * `duplicate` finding (code SHARED_PHONE) asks a manager. The earlier id is `customerId` (the one a merge
 * would keep), the other `relatedId`. The details hold no phone: an erased customer's items keep their details.
 * `mergedAway`: the sign-ups this batch's duplicate merge has just merged into another customer.
 */
export async function sharedPhoneFindings(tx: Queryable, ctx: PushContext, batch: BatchWrites, mergedAway: ReadonlySet<string>, now: string): Promise<InboxItem[]> {
  const final = new Map(batch.written.map(({ doc }) => [doc.id, doc as unknown as Customer]));
  const signUps = batch.written.filter(({ inserted }) => inserted).map(({ doc }) => final.get(doc.id)!).filter((c) => live(c) && !mergedAway.has(c.id));
  if (signUps.length === 0) return [];
  const phones = signUps.map((c) => c.phone);
  const seconds = signUps.flatMap((c) => (c.phone2 === null ? [] : [c.phone2]));
  const { rows } = await tx.query<{ doc: Customer }>(
    `SELECT doc FROM customers WHERE merchant_id = $1 AND NOT deleted AND doc->>'mergedInto' IS NULL
        AND (doc->>'phone2' = ANY($2::text[]) OR phone = ANY($3::text[]))`,
    [ctx.merchantId, phones, seconds],
  );
  const others = [...rows.map((r) => r.doc).filter((c) => !final.has(c.id)), ...[...final.values()].filter(live)].filter((c) => !mergedAway.has(c.id));
  const findings = new Map<string, InboxItem>();
  for (const signUp of signUps) {
    for (const other of others) {
      if (other.id === signUp.id || sharedNumber(signUp, other) === null) continue;
      const [first, second] = signUp.id < other.id ? [signUp, other] : [other, signUp];
      const key = `shared-phone:${first.id}:${second.id}`;
      findings.set(key, finding(ctx.merchantId, now, 'duplicate', key, { customerId: first.id, relatedId: second.id, targetCollection: 'customers', code: SHARED_PHONE, details: {} }));
    }
  }
  return [...findings.values()];
}
