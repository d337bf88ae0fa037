import type { InboxItem } from '../../model/inbox.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { finding } from './inbox-findings.ts';
import { storableCopy } from './text-safety.ts';

/**
 * Keeps every refused row in `rejected_writes` with its reason (docs/architecture.md#no-poison-pills) and returns one
 * `rejected_write` finding per attempt for the managers.
 */
export async function quarantine(tx: Queryable, ctx: PushContext, collection: CollectionName, rejected: BatchWrites['rejected'], now: string): Promise<InboxItem[]> {
  if (rejected.length === 0) return [];
  // The quarantine keeps what was pushed, with characters Postgres cannot hold replaced by U+FFFD.
  const kept = rejected.map((row) => storableCopy(row));
  await tx.query(
    `INSERT INTO rejected_writes (merchant_id, collection, document_id, terminal_id, code, reason, document)
     SELECT $1, $2, q.id, $3, q.code, q.reason, q.document::jsonb
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS q(id, code, reason, document, n)
      ORDER BY q.n`,
    [ctx.merchantId, collection, ctx.terminalId, kept.map((r) => r.id), kept.map((r) => r.refusal.code), kept.map((r) => r.refusal.reason), kept.map((r) => JSON.stringify(r.doc))],
  );
  return kept.map(({ id, refusal, doc }) => {
    // One item per attempt: a replay of the same row finds its item, a later edit refused again (even after a
    // manager marked the first read) raises a new one.
    const attempt = typeof doc.updatedAt === 'string' ? doc.updatedAt : '';
    return finding(ctx.merchantId, now, 'rejected_write', `${collection}:${id ?? '?'}:${refusal.code}:${attempt}`, {
      customerId: collection === 'customers' && id ? id : typeof doc.customerId === 'string' && isUuid(doc.customerId) ? doc.customerId : null,
      relatedId: id,
      targetCollection: collection,
      code: refusal.code,
      details: { reason: refusal.reason, terminalId: ctx.terminalId },
    });
  });
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}
