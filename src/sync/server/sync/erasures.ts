import type { Customer } from '../../model/customer.ts';
import type { InboxItem } from '../../model/inbox.ts';
import { eraseCustomer, erasureOf, isErased, type Erasure } from '../../model/privacy.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { serverUpdatedAt, writeServerDocs } from './server-writes.ts';
import type { Doc } from './tables.ts';

/**
 * What an inbox item about an erased customer keeps of its details. Only a recorded conflict's details hold
 * the customer's values (the lost and the kept one); the other kinds hold ids, numbers and the server's own
 * reasons, which the books and the managers still need (an overdraft's points and balance).
 */
export function erasedDetails(item: InboxItem): Record<string, string> {
  if (item.kind !== 'conflict') return item.details;
  const { lost: _lost, kept: _kept, ...rest } = item.details;
  return { ...rest, erased: 'true' };
}

/**
 * An inbox item about an erased customer: its personal values gone (erasedDetails), and, while open,
 * dismissed by the manager who erased — there is no one left to decide about (a manager may reopen it).
 */
function afterErasure(item: InboxItem, erasure: Erasure, now: string): InboxItem {
  const details = erasedDetails(item);
  const open = item.status === 'open';
  if (!open && JSON.stringify(details) === JSON.stringify(item.details)) return item;
  const settled = open ? { status: 'dismissed' as const, resolvedAt: now, resolvedBy: erasure.by } : {};
  return { ...item, ...settled, details, updatedAt: serverUpdatedAt(item.updatedAt, now) };
}

/** The customers a batch erased: stored erased by it, not erased in their previous state. */
export function newlyErased(written: BatchWrites['written']): Customer[] {
  const erased = (doc: Doc | undefined) => doc !== undefined && isErased(doc as unknown as Customer);
  return written.filter(({ doc, previous }) => erased(doc) && !erased(previous)).map(({ doc }) => doc as unknown as Customer);
}

/**
 * Erases, as server-made changes with the same marker, the duplicates the server holds merged into customers
 * just erased (following chains) — the same person, which the erasing terminal may not have pulled yet.
 * Returns every erased customer, the given ones first.
 */
export async function eraseMergedDuplicates(tx: Queryable, ctx: PushContext, erased: readonly Customer[]): Promise<Customer[]> {
  const all = [...erased];
  let parents = [...erased];
  for (let depth = 0; depth < 10 && parents.length > 0; depth++) {
    const { rows } = await tx.query<{ doc: Customer }>(
      `SELECT doc FROM customers WHERE merchant_id = $1 AND doc->>'mergedInto' = ANY($2::text[]) AND doc->>'status' <> 'erased'`,
      [ctx.merchantId, parents.map((c) => c.id)],
    );
    const marker = new Map(parents.map((c) => [c.id, erasureOf(c)!]));
    const children = rows.map(({ doc }) => eraseCustomer(doc, marker.get(doc.mergedInto!)!));
    if (children.length > 0) await writeServerDocs(tx, 'customers', ctx.merchantId, children as unknown as Doc[], { onlyNew: false, reserveVersions: !ctx.brokenClockForTests });
    all.push(...children);
    parents = children;
  }
  return all;
}

/**
 * The server's own history of customers just erased, redacted in the erasure's transaction
 * (docs/privacy.md#server-history): quarantined rows that name them keep their id, code and reason but not
 * the document; inbox items about them lose the customer's values and, while open, are dismissed
 * (afterErasure), as new versions every terminal pulls. The audit trail
 * (`write_audit`) holds ids and field names only, and `audit_log` no customer at all: nothing to redact.
 * Returns whether inbox items were written.
 */
export async function redactErasedHistory(tx: Queryable, ctx: PushContext, erased: readonly Customer[], now: string): Promise<boolean> {
  if (erased.length === 0) return false;
  const ids = erased.map((c) => c.id);
  const byId = new Map(erased.map((c) => [c.id, erasureOf(c)!]));
  await tx.query(
    `UPDATE rejected_writes SET document = NULL
      WHERE merchant_id = $1 AND document IS NOT NULL AND (document_id = ANY($2::text[]) OR document->>'customerId' = ANY($2::text[]))`,
    [ctx.merchantId, ids],
  );
  const { rows } = await tx.query<{ doc: InboxItem }>(
    `SELECT doc FROM inbox WHERE merchant_id = $1 AND (doc->>'customerId' = ANY($2::text[]) OR doc->>'relatedId' = ANY($2::text[]))`,
    [ctx.merchantId, ids],
  );
  const redacted = rows
    .map(({ doc: item }) => ({ item, next: afterErasure(item, byId.get(item.customerId ?? '') ?? byId.get(item.relatedId ?? '')!, now) }))
    .filter(({ item, next }) => JSON.stringify(next) !== JSON.stringify(item))
    .map(({ next }) => next as unknown as Doc);
  if (redacted.length === 0) return false;
  return (await writeServerDocs(tx, 'inbox', ctx.merchantId, redacted, { onlyNew: false, reserveVersions: !ctx.brokenClockForTests })) > 0;
}
