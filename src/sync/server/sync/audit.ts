import type { z } from 'zod';
import type { AuditEntry } from '../../model/wire-protocol.ts';
import { COLLECTION_SCHEMAS, type CollectionName } from '../../model/wire-protocol.ts';
import type { Queryable } from '../db/database.ts';
import type { BatchWrites, PushContext } from './batch.ts';
import { actingStaffId } from './rules.ts';
import { TABLES } from './tables.ts';
import { hasUnstorableText, storableCopy } from './text-safety.ts';

// The audit trail (docs/security.md#audit-trail): one `write_audit` row per accepted write and per refused
// row, written inside the push transaction. Accepted writes are recorded by the very statement that writes
// them (versioned-writes.ts takes the clause below), so every versioned write — a terminal's push, a merge,
// an inbox item, a released earn, an admin's staff member — has its row, set-based, with no extra round trip.

/** The customer a document concerns, as SQL over the jsonb `doc` (null for merchant-wide documents). */
function customerOf(collection: CollectionName, doc: string, id: string): string {
  if (collection === 'customers') return id;
  return collection === 'visits' || collection === 'loyaltyEntries' || collection === 'inbox' ? `${doc}->>'customerId'` : 'NULL';
}

/**
 * The staff member a write names, as SQL: the one rules.ts checks (actingStaffId), except that a visit's
 * void names whoever voided it rather than who rang the visit up.
 */
function staffOf(collection: CollectionName, doc: string, previous: string): string {
  switch (collection) {
    case 'visits':
      return `CASE WHEN ${previous} IS NOT NULL AND ${doc}->'voidedBy' IS DISTINCT FROM ${previous}->'voidedBy' THEN ${doc}->>'voidedBy' ELSE ${doc}->>'staffId' END`;
    case 'loyaltyEntries':
      return `${doc}->>'staffId'`;
    case 'inbox':
      return `${doc}->>'resolvedBy'`;
    default:
      return `${doc}->>'updatedBy'`;
  }
}

/**
 * The top-level fields of `next` that differ from `previous`, as SQL over two jsonb expressions: one pass over
 * the union of their keys (`||`), compared as jsonb so key order and number spelling are no change. Inline
 * rather than a SQL function, which Postgres would call per row. An insert is `insertion`: the accepted path
 * records what the reader lists from the schema (insertedSql, insertedFields), which keeps an insert's audit
 * row small; a refused insert (`keys`) lists the keys it actually carried.
 */
function changedFields(previous: string, next: string, insertion: string | 'keys'): string {
  const inserted = insertion === 'keys' ? `ARRAY(SELECT jsonb_object_keys(${next}))` : insertion;
  return `CASE WHEN ${previous} IS NULL THEN ${inserted}
          ELSE ARRAY(SELECT k FROM jsonb_object_keys(${next} || ${previous}) AS k WHERE ${next} -> k IS DISTINCT FROM ${previous} -> k) END`;
}

const shapeOf = (collection: CollectionName) => (COLLECTION_SCHEMAS[collection] as unknown as { shape: Record<string, z.ZodType> }).shape;

/** Marks a field an accepted insert left out (field names never start with it). */
const ABSENT = '-';

/** The top-level fields an accepted document may leave out (a customer's visits before Patron, a visit's rewards). */
function optionalFields(collection: CollectionName): string[] {
  return Object.entries(shapeOf(collection)).flatMap(([name, field]) => (field.safeParse(undefined).success ? [name] : []));
}

/**
 * What an accepted insert records, as SQL over its jsonb: NULL when it carries every field of its strict schema
 * (the common case, and the smallest row), else the optional fields it left out, each marked with ABSENT — a
 * few bytes, where listing every key it carried would add a few hundred to each audit row under the lock.
 */
function insertedSql(collection: CollectionName, doc: string): string {
  const optional = optionalFields(collection);
  if (optional.length === 0) return 'NULL';
  const names = optional.map((name) => `'${name}'`).join(', ');
  return `(SELECT array_agg('${ABSENT}' || f) FROM unnest(ARRAY[${names}]) AS f WHERE NOT ${doc} ? f)`;
}

/** The fields of an accepted insert from what it recorded: its schema's, less those it left out. */
function insertedFields(collection: CollectionName, absent: readonly string[] = []): string[] {
  const left = new Set(absent.map((field) => field.slice(ABSENT.length)));
  return Object.keys(shapeOf(collection)).filter((field) => !left.has(field)).sort();
}

/** Where the trail reads a document's business time: what the device says, shown and never ordered by. */
const businessTime = (doc: string) => `coalesce(${doc}->>'updatedAt', ${doc}->>'occurredAt')`;

/**
 * A data-modifying CTE (`audited AS (…)`) recording the rows of the CTE `written` (id, version, doc, and
 * `inserted`: `xmax = 0` of the upsert's row) that a versioned write returns. An updated row's stored version
 * is looked up in the statement's snapshot, i.e. before the write: that is the master the changed fields are
 * diffed against; an inserted row needs no look-up (all fields). `merchant` and
 * `writer` are the statement's placeholders of the merchant id and `written_by` ('server' or a terminal id).
 */
export function auditWrittenRows(collection: CollectionName, placeholders: { merchant: string; writer: string }): string {
  const { merchant, writer } = placeholders;
  const isServer = `${writer}::text = 'server'`;
  return `audited AS (
    INSERT INTO write_audit (merchant_id, collection, document_id, customer_id, version, outcome, actor, staff_id, terminal_id, business_at, fields)
    SELECT ${merchant}, '${collection}', w.id, ${customerOf(collection, 'w.doc', 'w.id')}, w.version, 'accepted',
           CASE WHEN ${isServer} THEN 'system' ELSE 'staff' END, ${staffOf(collection, 'w.doc', 'prev.doc')},
           CASE WHEN ${isServer} THEN NULL ELSE CAST(${writer}::text AS uuid) END,
           ${businessTime('w.doc')}, ${changedFields('prev.doc', 'w.doc', insertedSql(collection, 'w.doc'))}
      FROM written w
      -- LATERAL … LIMIT 1, which the planner cannot flatten into a join: one primary-key probe per updated row.
      -- A plain join would let the planner, blind to the CTE's size, hash the merchant's whole table per batch.
      LEFT JOIN LATERAL (SELECT p.doc FROM ${TABLES[collection]} p WHERE NOT w.inserted AND p.merchant_id = ${merchant} AND p.id = w.id LIMIT 1) prev ON true
     ORDER BY w.version)`;
}

/** A value the trail may keep as a short key (an id, a time): a string of at most 64 storable characters. */
function shortText(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 64 && !hasUnstorableText(value) ? value : null;
}

/**
 * Records a batch's refused rows (already quarantined) as `refused`, in one statement: what they tried to
 * change is diffed against the stored document, so a manager sees the attempt beside the accepted history.
 */
export async function recordRefusedWrites(tx: Queryable, ctx: PushContext, collection: CollectionName, rejected: BatchWrites['rejected']): Promise<void> {
  if (rejected.length === 0) return;
  const rows = rejected.map(({ id: pushedId, refusal, doc }) => {
    // A refused row may carry anything, NUL included: what Postgres cannot hold is left out, never thrown.
    const id = shortText(pushedId);
    return {
      id,
      code: refusal.code,
      customer: collection === 'customers' ? id : shortText(doc.customerId),
      staff: shortText(actingStaffId(collection, doc)),
      at: shortText(doc.updatedAt) ?? shortText(doc.occurredAt),
      json: JSON.stringify(storableCopy(doc)),
    };
  });
  await tx.query(
    `INSERT INTO write_audit (merchant_id, collection, document_id, customer_id, outcome, refusal_code, actor, staff_id, terminal_id, business_at, fields)
     SELECT $1, $2, r.id, r.customer, 'refused', r.code, 'staff', r.staff, $3, r.at, ${changedFields('prev.doc', 'r.doc::jsonb', 'keys')}
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS r(id, code, customer, staff, at, doc, n)
       LEFT JOIN LATERAL (SELECT p.doc FROM ${TABLES[collection]} p WHERE p.merchant_id = $1 AND p.id = r.id LIMIT 1) prev ON true
      ORDER BY r.n`,
    [ctx.merchantId, collection, ctx.terminalId, rows.map((r) => r.id), rows.map((r) => r.code), rows.map((r) => r.customer), rows.map((r) => r.staff), rows.map((r) => r.at), rows.map((r) => r.json)],
  );
}

/** What a read of the trail asks for: customers (a phone can name several), `before` an entry id, `since` a server time. */
export interface AuditQuery {
  customerIds: readonly string[];
  before?: string;
  since?: string;
  limit: number;
}

interface AuditRow {
  id: string;
  collection: AuditEntry['collection'];
  document_id: string | null;
  customer_id: string | null;
  version: string | null;
  outcome: AuditEntry['outcome'];
  refusal_code: string | null;
  actor: AuditEntry['actor'];
  staff_id: string | null;
  terminal_id: string | null;
  terminal_name: string | null;
  at: Date | string;
  business_at: string | null;
  fields: string[] | null;
}

/** Customers' trail within one merchant, newest first, with the terminals' names. */
export async function readCustomerAudit(db: Queryable, merchantId: string, query: AuditQuery): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT a.id::text, a.collection, a.document_id, a.customer_id, a.version::text, a.outcome, a.refusal_code, a.actor,
            a.staff_id, a.terminal_id::text, t.name AS terminal_name, a.at, a.business_at, a.fields
       FROM write_audit a LEFT JOIN terminals t ON t.merchant_id = a.merchant_id AND t.terminal_id = a.terminal_id
      WHERE a.merchant_id = $1 AND a.customer_id = ANY($2::text[]) AND ($3::bigint IS NULL OR a.id < $3::bigint) AND ($4::timestamptz IS NULL OR a.at >= $4::timestamptz)
      ORDER BY a.id DESC
      LIMIT $5`,
    [merchantId, query.customerIds, query.before ?? null, query.since ?? null, query.limit],
  );
  return rows.map((row) => ({
    id: row.id,
    collection: row.collection,
    documentId: row.document_id,
    customerId: row.customer_id,
    version: row.version,
    outcome: row.outcome,
    refusalCode: row.refusal_code,
    actor: row.actor,
    staffId: row.staff_id,
    terminalId: row.terminal_id,
    terminalName: row.terminal_name,
    serverTime: new Date(row.at).toISOString(),
    businessTime: row.business_at,
    // Sorted here, once per read, rather than per written row (code-unit order, the same everywhere).
    fields: row.fields === null || (row.outcome === 'accepted' && row.fields.length > 0 && row.fields.every((f) => f.startsWith(ABSENT))) ? insertedFields(row.collection, row.fields ?? []) : [...row.fields].sort(),
  }));
}

/** Deletes trail entries the server recorded more than `days` days ago (the operator's retention); returns how many. */
export async function purgeAudit(db: Queryable, days: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM write_audit WHERE at < now() - make_interval(days => $1) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [days],
  );
  return rows[0]?.n ?? 0;
}
