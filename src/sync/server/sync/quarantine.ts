import type { InboxItem } from '../../model/inbox.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { finding } from './inbox-findings.ts';
import { storableCopy } from './text-safety.ts';

/**
 * Keeps every refused row in `rejected_writes` with its reason (DESIGN §6 "no poison pills") and returns one
 * `rejected_write` finding per attempt for the managers.
 */
export async function quarantine(tx: Queryable, ctx: PushContext, collection: CollectionName, rejected: BatchWrites['rejected'], now: string): Promise<InboxItem[]> {
  const findings: InboxItem[] = [];
  for (const row of rejected) {
    // The quarantine keeps what was pushed, with characters Postgres cannot hold replaced by U+FFFD.
    const { id, refusal, doc } = storableCopy(row);
    await tx.query(
      `INSERT INTO rejected_writes (merchant_id, collection, document_id, terminal_id, code, reason, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [ctx.merchantId, collection, id, ctx.terminalId, refusal.code, refusal.reason, JSON.stringify(doc)],
    );
    // One item per attempt: a replay of the same row finds its item, a later edit refused again (even after a
    // manager marked the first read) raises a new one.
    const attempt = typeof doc.updatedAt === 'string' ? doc.updatedAt : '';
    findings.push(finding(ctx.merchantId, now, 'rejected_write', `${collection}:${id ?? '?'}:${refusal.code}:${attempt}`, {
      customerId: collection === 'customers' && id ? id : typeof doc.customerId === 'string' && isUuid(doc.customerId) ? doc.customerId : null,
      relatedId: id,
      targetCollection: collection,
      code: refusal.code,
      details: { reason: refusal.reason, terminalId: ctx.terminalId },
    }));
  }
  return findings;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}
