import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import { CustomerSchema, NOTE_MAX, PriorVisitsSchema, type Customer } from '../../model/customer.ts';
import { editCustomer } from '../../model/document-builders.ts';
import { reversalEntryId } from '../../model/ids.ts';
import { MAX_OPENING_POINTS } from '../../model/import-rows.ts';
import { importedCustomer, mergeableOf, mergedChanges, type ImportMergeFields } from '../../model/import-writes.ts';
import { adjustLimitFor } from '../../model/ledger-rules.ts';
import { ledgerEntry } from '../../model/document-builders.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { fromReplica, fromStored, forStorage } from '../documents.ts';
import { scanDocuments } from '../scan.ts';
import { importRecords, type CreatedRecord, type MergedRecord } from '../import-records.ts';
import { command, refuse } from './command.ts';
import { writeContext, type CommandEnv } from './env.ts';

// A customer import is written in batches (the page yields between them), each one command: its rows are
// checked and deduplicated by the page's worker with the model's rules; the command checks them again against
// the document schemas and the importer's adjustment limit, records what it will write (import-records.ts),
// and writes with bulk inserts. `undoImport` takes the whole import back under the rule of docs/directory.md.

/** Most rows one batch command takes. */
export const IMPORT_BATCH_MAX = 1000;

const ImportRowSchema = z.strictObject({
  line: z.int().min(1).max(10_000_000),
  name: CustomerSchema.shape.name,
  phone: CustomerSchema.shape.phone,
  email: CustomerSchema.shape.email,
  birthday: CustomerSchema.shape.birthday,
  anniversary: CustomerSchema.shape.anniversary,
  notes: z.string().max(NOTE_MAX),
  tags: CustomerSchema.shape.tags,
  marketingConsent: z.boolean(),
  memberCode: z.string().max(30).nullable(),
  points: z.int().min(0).max(MAX_OPENING_POINTS),
  visits: PriorVisitsSchema,
});

/** One batch of an import: rows to create and rows to merge into existing customers. */
export const ImportBatchSchema = z.strictObject({
  importId: IdSchema,
  fileName: z.string().min(1).max(255),
  batch: z.int().min(0).max(100_000),
  creates: z.array(ImportRowSchema).max(IMPORT_BATCH_MAX),
  merges: z.array(z.strictObject({ customerId: IdSchema, rows: z.array(ImportRowSchema).min(1).max(100) })).max(IMPORT_BATCH_MAX),
});

/** Inserts documents; one that exists already (a retried batch) counts as written. */
async function insertAll(collection: CommandEnv['db']['customers'] | CommandEnv['db']['loyaltyEntries'], docs: readonly Record<string, unknown>[]): Promise<void> {
  if (docs.length === 0) return;
  const { error } = await (collection as CommandEnv['db']['customers']).bulkInsert(docs as never[]);
  if (error.some((e) => e.status !== 409)) throw new Error(`import write refused (${error.find((e) => e.status !== 409)?.status})`);
}

/** Writes one batch of an import. */
export const importBatch = command({
  role: 'manager',
  input: ImportBatchSchema,
  async run(env, input, staff) {
    const records = importRecords(env.db);
    if ((await records.summary(input.importId))?.undone) refuse('ALREADY_REVERSED');
    // The server checks every opening line against the writer's limit; a row above it would be quarantined.
    const limit = adjustLimitFor(staff.role, env.settings().program);
    if (input.creates.some((row) => row.points > limit)) refuse('FORBIDDEN');
    // A retried batch is stamped with its first attempt's time, so it rebuilds exactly the documents recorded.
    const earlier = await records.batch(input.importId, input.batch);
    const ctx = { ...writeContext(env, staff), ...(earlier ? { now: earlier.at } : {}) };
    const region = env.settings().defaultRegion;
    const built = input.creates.map((row) => importedCustomer(row, input.importId, input.fileName, ctx, region));
    const targets = await env.db.customers.findByIds(input.merges.map((m) => m.customerId)).exec();
    const merges: (MergedRecord & { customer: Customer })[] = [];
    for (const merge of input.merges) {
      const doc = targets.get(merge.customerId);
      const customer = doc ? fromReplica<Customer>(doc) : null;
      if (!customer || customer._deleted) continue;
      const { before, after } = mergedChanges(mergeableOf(customer), merge.rows);
      if (Object.keys(after).length > 0) merges.push({ id: customer.id, before, after, customer });
    }
    const created: CreatedRecord[] = built.map(({ customer, opening }) => ({ id: customer.id, openingId: opening?.id ?? null, updatedAt: customer.updatedAt }));
    await records.record({ id: input.importId, fileName: input.fileName, at: ctx.now, staffId: staff.id }, input.batch, {
      at: ctx.now,
      created,
      merged: merges.map(({ id, before, after }) => ({ id, before, after })),
    });
    await insertAll(env.db.customers, built.map(({ customer }) => forStorage(customer)));
    await insertAll(env.db.loyaltyEntries, built.flatMap(({ opening }) => (opening ? [forStorage(opening)] : [])));
    for (const merge of merges) await writeFields(env, merge.id, merge.after, ctx, region);
    return { created: created.length, merged: merges.length, points: built.reduce((sum, { opening }) => sum + (opening?.points ?? 0), 0) };
  },
});

/** Writes `fields` onto a customer as an edit (derived keys and business time stamped). */
async function writeFields(env: CommandEnv, id: string, fields: Partial<ImportMergeFields>, ctx: ReturnType<typeof writeContext>, region: string): Promise<void> {
  const doc = await env.db.customers.findOne(id).exec();
  if (!doc) return;
  await doc.incrementalModify((stored) => ({ ...stored, ...forStorage(editCustomer(fromStored<Customer>(stored as unknown as Record<string, unknown>), fields, ctx, region)) }));
}

/**
 * Customers of `ids` that have a visit, or a ledger line other than their opening line. One pass over each
 * collection in pages, matched against a set: a `$in` query of thousands of ids is not index-backed and tests
 * every document against the whole list.
 */
async function servedCustomers(env: CommandEnv, ids: readonly string[], openings: ReadonlySet<string>): Promise<Set<string>> {
  const served = new Set<string>();
  if (ids.length === 0) return served;
  const wanted = new Set(ids);
  for await (const page of scanDocuments(env.db.visits.storageInstance, SCAN_PAGE)) {
    for (const visit of page) if (!visit._deleted && wanted.has(visit.customerId)) served.add(visit.customerId);
  }
  for await (const page of scanDocuments(env.db.loyaltyEntries.storageInstance, SCAN_PAGE)) {
    for (const line of page) if (!line._deleted && wanted.has(line.customerId) && !openings.has(line.id)) served.add(line.customerId);
  }
  return served;
}

/** Documents read per page by the undo's scans. */
const SCAN_PAGE = 5000;

/** What an undo did. */
export interface UndoImportResult {
  removed: number;
  /** Created customers kept because they changed after the import (edited, served, merged with). */
  kept: number;
  /** Merged customers whose import-filled fields went back. */
  restored: number;
}

/**
 * Undoes an import made on this terminal (the rule: docs/directory.md#undo). A created customer that nobody
 * touched since is deleted and its opening balance reversed; one that was edited, served or merged with is kept
 * as it is. On a merged customer, each field the import filled goes back unless it changed since.
 */
export const undoImport = command({
  role: 'manager',
  input: z.strictObject({ importId: IdSchema }),
  async run(env, input, staff): Promise<UndoImportResult> {
    const records = importRecords(env.db);
    const summary = await records.summary(input.importId);
    if (!summary) refuse('NOT_FOUND');
    if (summary.undone) refuse('ALREADY_REVERSED');
    const ctx = writeContext(env, staff);
    const region = env.settings().defaultRegion;
    const result: UndoImportResult = { removed: 0, kept: 0, restored: 0 };
    const batches = await records.batches(input.importId);
    const created = batches.flatMap((batch) => batch.created);
    // One pass over visits and ledger lines for the whole import (not one per batch).
    const served = await servedCustomers(env, created.map((c) => c.id), new Set(created.flatMap((c) => (c.openingId ? [c.openingId] : []))));
    for (const batch of batches) {
      const docs = await env.db.customers.findByIds(batch.created.map((c) => c.id)).exec();
      const removed: RemovableDoc[] = [];
      for (const record of batch.created) {
        const doc = docs.get(record.id);
        const customer = doc ? fromReplica<Customer>(doc) : null;
        if (!doc || !customer || customer._deleted) continue;
        const untouched = customer.updatedAt === record.updatedAt && customer.mergedInto === null && !served.has(customer.id) && env.merges.groupOf(customer.id).length === 1;
        if (untouched) removed.push(doc);
        else result.kept++;
      }
      await insertAll(env.db.loyaltyEntries, await openingReversals(env, batch.created, new Set(removed.map((doc) => doc.primary)), ctx));
      await removeAll(env, removed, { updatedAt: ctx.now, updatedBy: staff.id });
      result.removed += removed.length;
      for (const merged of batch.merged) if (await restoreMerged(env, merged, ctx, region)) result.restored++;
    }
    await records.markUndone(input.importId);
    return result;
  },
});

/** A replica document the undo may delete. */
type RemovableDoc = { primary: string; toMutableJSON(withMeta: true): unknown };

/**
 * Deletes customers in one storage write, stamped with who deleted them and when (the server checks the
 * deleting member's role). RxDB's `bulkRemove` keeps the last writer's stamp and `bulkUpsert` writes an
 * existing document one at a time; this is `bulkRemove`'s own write with the stamp changed.
 */
async function removeAll(env: CommandEnv, docs: readonly RemovableDoc[], stamp: { updatedAt: string; updatedBy: string }): Promise<void> {
  if (docs.length === 0) return;
  const rows = docs.map((doc) => {
    const previous = doc.toMutableJSON(true) as Record<string, unknown>;
    return { previous, document: { ...previous, ...stamp, _deleted: true } };
  });
  const { error } = await env.db.customers.storageInstance.bulkWrite(rows as never, 'patron-import-undo');
  if (error.length > 0) throw new Error(`undo of an import refused by the replica (${error[0]?.status})`);
}

/** Reversals of the opening lines of the customers being removed (the ledger keeps both, summing to 0). */
async function openingReversals(env: CommandEnv, created: readonly CreatedRecord[], removing: ReadonlySet<string>, ctx: ReturnType<typeof writeContext>): Promise<Record<string, unknown>[]> {
  const openingIds = created.flatMap((c) => (c.openingId && removing.has(c.id) ? [c.openingId] : []));
  const lines = await env.db.loyaltyEntries.findByIds(openingIds).exec();
  return [...lines.values()].map((doc) => {
    const line = fromReplica<LoyaltyEntry>(doc);
    const reversal = ledgerEntry({ id: reversalEntryId(line.id), kind: 'reversal', points: -line.points, customerId: line.customerId, reversesId: line.id, note: line.note }, ctx);
    return forStorage(reversal);
  });
}

/** Puts back the fields an import filled on a merged customer, each only while it still holds the imported value. */
async function restoreMerged(env: CommandEnv, merged: MergedRecord, ctx: ReturnType<typeof writeContext>, region: string): Promise<boolean> {
  const doc = await env.db.customers.findOne(merged.id).exec();
  if (!doc) return false;
  const current = mergeableOf(fromReplica<Customer>(doc));
  const back: Partial<ImportMergeFields> = {};
  for (const field of Object.keys(merged.after) as (keyof ImportMergeFields)[]) {
    if (JSON.stringify(current[field]) === JSON.stringify(merged.after[field])) Object.assign(back, { [field]: merged.before[field] });
  }
  if (Object.keys(back).length === 0) return false;
  await writeFields(env, merged.id, back, ctx, region);
  return true;
}
