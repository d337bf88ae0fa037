import { v5 as uuidv5 } from 'uuid';
import { SYSTEM_ACTOR_ID } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import { PATRON_ID_NAMESPACE } from '../../model/ids.ts';
import type { InboxItem, InboxKind } from '../../model/inbox.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './push.ts';
import type { Refusal } from './rules.ts';
import { TABLES, type Doc } from './tables.ts';
import { storableCopy } from './text-safety.ts';

/** What a push batch wrote and refused, for the rules that run after the writes. */
export interface Effects {
  written: { doc: Doc; previous: Doc | undefined; inserted: boolean }[];
  rejected: { id: string | null; refusal: Refusal; doc: Record<string, unknown> }[];
}

/** Deterministic id of a server finding, so a replayed batch finds the same item instead of a second one. */
export function findingId(kind: InboxKind, key: string): string {
  return uuidv5(`${kind}:${key}`, PATRON_ID_NAMESPACE);
}

/**
 * Server rules that follow a batch, inside the same transaction: quarantine refused rows, merge duplicate
 * customers, flag ledger overdrafts, and raise recorded merge conflicts — each finding an inbox item.
 */
export async function applyEffects(tx: Queryable, ctx: PushContext, collection: CollectionName, effects: Effects, changed: Set<CollectionName>): Promise<void> {
  const now = new Date().toISOString();
  const inbox: InboxItem[] = [];

  for (const rejected of effects.rejected) {
    // The quarantine keeps what was pushed, with characters Postgres cannot hold replaced by U+FFFD.
    const { id, refusal, doc } = storableCopy(rejected);
    await tx.query(
      `INSERT INTO rejected_writes (merchant_id, collection, document_id, terminal_id, code, reason, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [ctx.merchantId, collection, id, ctx.terminalId, refusal.code, refusal.reason, JSON.stringify(doc)],
    );
    // One item per attempt: a replay of the same row finds its item, a later edit refused again (even after a
    // manager marked the first read) raises a new one.
    const attempt = typeof doc.updatedAt === 'string' ? doc.updatedAt : '';
    inbox.push(item(ctx.merchantId, now, 'rejected_write', `${collection}:${id ?? '?'}:${refusal.code}:${attempt}`, {
      customerId: collection === 'customers' && id ? id : typeof doc.customerId === 'string' && isUuid(doc.customerId) ? doc.customerId : null,
      relatedId: id,
      targetCollection: collection,
      code: refusal.code,
      details: { reason: refusal.reason, terminalId: ctx.terminalId },
    }));
  }

  if (collection === 'customers') {
    await mergeDuplicates(tx, ctx, effects, inbox, now, changed);
    for (const { doc, previous } of effects.written) {
      const customer = doc as unknown as Customer;
      const before = new Set(((previous as unknown as Customer | undefined)?.conflicts ?? []).map((c) => JSON.stringify(c)));
      for (const conflict of customer.conflicts) {
        if (before.has(JSON.stringify(conflict))) continue;
        inbox.push(item(ctx.merchantId, now, 'conflict', `${customer.id}:${conflict.field}:${conflict.at}:${conflict.lost}`, {
          customerId: customer.id,
          relatedId: customer.id,
          targetCollection: collection,
          code: 'CONFLICT',
          details: { field: conflict.field, lost: conflict.lost, kept: conflict.kept, at: conflict.at },
        }));
      }
    }
  }

  if (collection === 'loyaltyEntries') {
    // The balance right after each entry: the group's final balance minus the batch's later entries, so
    // only the redemption that actually crossed zero (and any after it) is flagged.
    const inserted = effects.written.filter((w) => w.inserted).map((w) => w.doc as unknown as LoyaltyEntry);
    const groups = new Map<string, string[]>();
    const balances = new Map<string, number>();
    for (const entry of inserted) {
      if (groups.has(entry.customerId)) continue;
      const group = await mergeGroup(tx, ctx.merchantId, entry.customerId);
      const key = [...group].sort().join(',');
      for (const id of group) groups.set(id, [key]);
      groups.set(entry.customerId, [key]);
      if (!balances.has(key)) balances.set(key, await sumPoints(tx, ctx.merchantId, group));
    }
    const findings: InboxItem[] = [];
    for (const entry of [...inserted].reverse()) {
      const key = groups.get(entry.customerId)?.[0] ?? entry.customerId;
      const after = balances.get(key) ?? 0;
      balances.set(key, after - entry.points);
      if (entry.points >= 0 || after >= 0) continue;
      findings.unshift(item(ctx.merchantId, now, 'overdraft', entry.id, {
        customerId: entry.customerId,
        relatedId: entry.id,
        targetCollection: collection,
        code: 'INSUFFICIENT_POINTS',
        details: { balance: String(after), points: String(entry.points), offline: String(entry.offline), terminalId: entry.terminalId },
      }));
    }
    inbox.push(...findings);
    await consumeRewardStock(tx, ctx, inserted, now, changed);
  }

  if (inbox.length > 0 && (await writeServerDocs(tx, 'inbox', ctx.merchantId, inbox as unknown as Doc[], { onlyNew: true })) > 0) {
    changed.add('inbox');
  }
}

// A redemption of a stock-limited reward takes one from its stock. Cashiers cannot write rewards, so the
// server does it, as an ordinary new version of the reward (never below zero; an oversold reward stays at 0
// and its redemptions are kept — they happened at the till).
async function consumeRewardStock(tx: Queryable, ctx: PushContext, entries: readonly LoyaltyEntry[], now: string, changed: Set<CollectionName>): Promise<void> {
  const counts = new Map<string, number>();
  for (const entry of entries) if (entry.kind === 'redeem' && entry.rewardId) counts.set(entry.rewardId, (counts.get(entry.rewardId) ?? 0) + 1);
  if (counts.size === 0) return;
  const { rows } = await tx.query<{ doc: Doc & { stock: number | null; updatedAt: string } }>(
    `SELECT doc FROM rewards WHERE merchant_id = $1 AND id = ANY($2::text[]) AND NOT deleted`,
    [ctx.merchantId, [...counts.keys()]],
  );
  const updated = rows
    .filter(({ doc }) => doc.stock !== null && doc.stock > 0)
    .map(({ doc }) => ({ ...doc, stock: Math.max(0, (doc.stock ?? 0) - (counts.get(doc.id) ?? 0)), updatedAt: later(doc.updatedAt, now), updatedBy: SYSTEM_ACTOR_ID }) as Doc);
  if (updated.length > 0 && (await writeServerDocs(tx, 'rewards', ctx.merchantId, updated, { onlyNew: false })) > 0) changed.add('rewards');
}

/** The ids of a customer's merge group: the root it was merged into and every customer merged into that root. */
export async function mergeGroup(tx: Queryable, merchantId: string, customerId: string): Promise<string[]> {
  let root = customerId;
  for (let hop = 0; hop < 10; hop++) {
    const { rows } = await tx.query<{ merged: string | null }>(`SELECT doc->>'mergedInto' AS merged FROM customers WHERE merchant_id = $1 AND id = $2`, [merchantId, root]);
    const next = rows[0]?.merged;
    if (!next) break;
    root = next;
  }
  const { rows } = await tx.query<{ id: string }>(
    `WITH RECURSIVE grp(id) AS (
       SELECT $2::text
       UNION
       SELECT c.id FROM customers c JOIN grp ON c.doc->>'mergedInto' = grp.id WHERE c.merchant_id = $1
     ) SELECT id FROM grp`,
    [merchantId, root],
  );
  return rows.map((row) => row.id);
}

/** A customer's balance: the ledger sum over the customer's merge group (reads follow `mergedInto`). */
export async function customerBalance(tx: Queryable, merchantId: string, customerId: string): Promise<number> {
  return sumPoints(tx, merchantId, await mergeGroup(tx, merchantId, customerId));
}

async function sumPoints(tx: Queryable, merchantId: string, group: readonly string[]): Promise<number> {
  const { rows } = await tx.query<{ balance: string | number | null }>(
    `SELECT COALESCE(SUM((doc->>'points')::bigint), 0)::text AS balance FROM loyalty_entries WHERE merchant_id = $1 AND customer_id = ANY($2::text[])`,
    [merchantId, group],
  );
  return Number(rows[0]?.balance ?? 0);
}

// The same phone signed up on two offline terminals: the earlier id (UUIDv7 sorts by creation) wins, the
// other gets `mergedInto`. Only new sign-ups trigger it, so a manager's undo is not merged straight back.
async function mergeDuplicates(tx: Queryable, ctx: PushContext, effects: Effects, inbox: InboxItem[], now: string, changed: Set<CollectionName>): Promise<void> {
  const phones = [...new Set(effects.written
    .filter(({ doc, inserted }) => inserted && !doc._deleted && (doc as unknown as Customer).mergedInto === null)
    .map(({ doc }) => (doc as unknown as Customer).phone))];
  if (phones.length === 0) return;
  const { rows } = await tx.query<{ doc: Customer }>(
    `SELECT doc FROM customers WHERE merchant_id = $1 AND phone = ANY($2::text[]) AND NOT deleted AND doc->>'mergedInto' IS NULL ORDER BY id`,
    [ctx.merchantId, phones],
  );
  const byPhone = new Map<string, Customer[]>();
  for (const { doc } of rows) byPhone.set(doc.phone, [...(byPhone.get(doc.phone) ?? []), doc]);
  const merged: Doc[] = [];
  for (const group of byPhone.values()) {
    const [winner, ...losers] = group;
    if (!winner) continue;
    for (const loser of losers) {
      merged.push({ ...loser, mergedInto: winner.id, updatedAt: later(loser.updatedAt, now), updatedBy: SYSTEM_ACTOR_ID } as unknown as Doc);
      inbox.push(item(ctx.merchantId, now, 'duplicate', loser.id, {
        customerId: winner.id,
        relatedId: loser.id,
        targetCollection: 'customers',
        code: 'CUSTOMER_ALREADY_EXISTS',
        details: { mergedInto: winner.id, merged: loser.id },
      }));
    }
  }
  if (merged.length > 0 && (await writeServerDocs(tx, 'customers', ctx.merchantId, merged, { onlyNew: false })) > 0) changed.add('customers');
}

/** Writes server-made documents as ordinary new versions. `onlyNew` leaves existing ids untouched. */
export async function writeServerDocs(tx: Queryable, collection: CollectionName, merchantId: string, docs: readonly Doc[], options: { onlyNew: boolean }): Promise<number> {
  let written = 0;
  for (const doc of docs) {
    const json = JSON.stringify(doc);
    const result = await tx.query(
      options.onlyNew
        ? `INSERT INTO ${TABLES[collection]} (merchant_id, id, doc, deleted, written_by) VALUES ($1, $2, $3::jsonb, $4, 'server')
           ON CONFLICT (merchant_id, id) DO NOTHING RETURNING id`
        : `INSERT INTO ${TABLES[collection]} (merchant_id, id, doc, deleted, written_by) VALUES ($1, $2, $3::jsonb, $4, 'server')
           ON CONFLICT (merchant_id, id) DO UPDATE SET doc = EXCLUDED.doc, deleted = EXCLUDED.deleted, written_by = 'server' RETURNING id`,
      [merchantId, doc.id, json, doc._deleted === true],
    );
    written += result.rows.length;
  }
  return written;
}

function item(merchantId: string, now: string, kind: InboxKind, key: string, fields: Pick<InboxItem, 'customerId' | 'relatedId' | 'targetCollection' | 'code' | 'details'>): InboxItem {
  return {
    id: findingId(kind, key),
    merchantId,
    updatedAt: now,
    _deleted: false,
    kind,
    status: 'open',
    createdAt: now,
    resolvedAt: null,
    resolvedBy: null,
    ...fields,
    details: Object.fromEntries(Object.entries(fields.details).map(([k, v]) => [k, v.slice(0, 4000)])),
  };
}

function later(a: string, b: string): string {
  return a > b ? a : b;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}
