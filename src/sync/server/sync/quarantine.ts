import type { InboxItem } from '../../model/inbox.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { finding } from './inbox-findings.ts';
import { storableCopy } from './text-safety.ts';

/**
 * Keeps every refused row in `rejected_writes` with its reason (docs/architecture.md#no-poison-pills) and returns the
 * `rejected_write` findings for the managers: deduplicated and capped per terminal and hour.
 */
export async function quarantine(tx: Queryable, ctx: PushContext, collection: CollectionName, rejected: BatchWrites['rejected'], now: string): Promise<InboxItem[]> {
  if (rejected.length === 0) return [];
  // The quarantine keeps what was pushed, with characters Postgres cannot hold replaced by U+FFFD — except a
  // row withheld because it may carry an erased customer's personal data (rules.ts).
  const kept = rejected.map((row) => storableCopy(row));
  await tx.query(
    `INSERT INTO rejected_writes (merchant_id, collection, document_id, terminal_id, code, reason, document)
     SELECT $1, $2, q.id, $3, q.code, q.reason, q.document::jsonb
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS q(id, code, reason, document, n)
      ORDER BY q.n`,
    [ctx.merchantId, collection, ctx.terminalId, kept.map((r) => r.id), kept.map((r) => r.refusal.code), kept.map((r) => r.refusal.reason), kept.map((r) => (r.refusal.withhold ? null : JSON.stringify(r.doc)))],
  );
  return cappedFindings(tx, ctx, now, kept.map(({ id, refusal, doc }) =>
    // One item per terminal, document, code and hour: a replay, or the same refused edit pushed again and
    // again with a new `updatedAt`, finds the item of that hour instead of raising one per attempt.
    finding(ctx.merchantId, now, 'rejected_write', `${collection}:${id ?? '?'}:${refusal.code}:${ctx.terminalId}:${now.slice(0, 13)}`, {
      customerId: collection === 'customers' && id ? id : typeof doc.customerId === 'string' && isUuid(doc.customerId) ? doc.customerId : null,
      relatedId: id,
      targetCollection: collection,
      code: refusal.code,
      details: { reason: refusal.reason, terminalId: ctx.terminalId },
    }),
  ));
}

/** Most refusal items one terminal raises in an hour; past it, one summary item says the rest are only quarantined. */
export const REFUSAL_ITEMS_PER_HOUR = 20;

/**
 * The findings within the terminal's hourly allowance of refusal items (the quarantine keeps every row), so
 * one hostile or broken terminal cannot flood every replica's inbox; past the allowance, one summary item.
 */
async function cappedFindings(tx: Queryable, ctx: PushContext, now: string, items: InboxItem[]): Promise<InboxItem[]> {
  const hourAgo = new Date(Date.parse(now) - 3_600_000).toISOString();
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inbox
      WHERE merchant_id = $1 AND doc->>'kind' = 'rejected_write' AND doc->'details'->>'terminalId' = $2 AND doc->>'createdAt' > $3`,
    [ctx.merchantId, ctx.terminalId, hourAgo],
  );
  const room = Math.max(0, REFUSAL_ITEMS_PER_HOUR - (rows[0]?.n ?? 0));
  if (items.length <= room) return items;
  const summary = finding(ctx.merchantId, now, 'rejected_write', `flood:${ctx.terminalId}:${now.slice(0, 13)}`, {
    customerId: null,
    relatedId: null,
    targetCollection: null,
    code: 'RATE_LIMIT_EXCEEDED',
    details: { reason: `more than ${REFUSAL_ITEMS_PER_HOUR} refused writes from this terminal within an hour: the rest are only in the quarantine`, terminalId: ctx.terminalId },
  });
  return [...items.slice(0, room), summary];
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}
