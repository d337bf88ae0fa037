import { z } from 'zod';
import { PriorVisitsSchema, type Customer } from '../../model/customer.ts';
import { editCustomer, type WriteContext } from '../../model/document-builders.ts';
import { importedCustomer, mergeableOf, mergedChanges } from '../../model/import-writes.ts';
import { MAX_OPENING_POINTS } from '../../model/import-rows.ts';
import { adjustLimitFor } from '../../model/ledger-rules.ts';
import { memberCodeOf } from '../../model/member-code.ts';
import { SYSTEM_ACTOR_ID } from '../../model/common.ts';
import type { Settings } from '../../model/settings.ts';
import type { Staff } from '../../model/staff.ts';
import type { Database, Queryable } from '../db/database.ts';
import { notifyPoke } from '../pokes.ts';
import type { Doc } from '../sync/tables.ts';
import { writeVersioned } from '../sync/versioned-writes.ts';
import { AdminError, audit, lockMerchant, type Actor } from './admin.ts';
import { resolveMerchant, resolveStore } from './names.ts';

// `patron-sync import` on the server's side: the file is read, checked and deduplicated by the CLI with the
// same model code the app's worker runs (import-table.ts, import-rows.ts, import-dedupe.ts); these operations
// give it the merchant's rules and live customers, and write each batch as the server writes anything — one
// transaction under the merchant's clock lock, versions reserved in order (gapless feed), audited, poked.

const Ref = z.string().trim().min(1).max(100);
/** Most rows of one batch operation (the admin socket carries at most 64 KiB per request). */
export const SERVER_IMPORT_BATCH = 100;

const RowSchema = z.strictObject({
  line: z.int().min(1),
  name: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  birthday: z.string().nullable(),
  anniversary: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  marketingConsent: z.boolean(),
  memberCode: z.string().nullable(),
  points: z.int().min(0).max(MAX_OPENING_POINTS),
  visits: PriorVisitsSchema,
});

/** What a context request takes: the merchant and the member the import is written in the name of. */
export const ImportContextInput = z.strictObject({ merchant: Ref, staff: Ref, store: Ref.optional() });

/** What a batch takes. */
export const ImportBatchInput = z.strictObject({
  merchant: Ref,
  staff: Ref,
  store: Ref.optional(),
  importId: z.uuid(),
  fileName: z.string().min(1).max(255),
  region: z.string().regex(/^[A-Z]{2}$/),
  creates: z.array(RowSchema).max(SERVER_IMPORT_BATCH),
  merges: z.array(z.strictObject({ customerId: z.uuid(), rows: z.array(RowSchema).min(1).max(100) })).max(SERVER_IMPORT_BATCH),
});

interface Who {
  merchantId: string;
  settings: Settings;
  staff: Staff;
  storeId: string;
}

/** The merchant, its settings, the importing member (a manager or owner, active) and the store written at. */
async function who(db: Queryable, input: { merchant: string; staff: string; store?: string | undefined }): Promise<Who> {
  const merchantId = await resolveMerchant(db, input.merchant);
  const settings = (await db.query<{ doc: Settings }>(`SELECT doc FROM settings WHERE merchant_id = $1 AND id = $1::text`, [merchantId])).rows[0]?.doc;
  if (!settings) throw new AdminError('merchant has no settings');
  const { rows } = await db.query<{ doc: Staff }>(`SELECT doc FROM staff WHERE merchant_id = $1 AND NOT deleted AND (id = $2 OR lower(btrim(doc->>'name')) = lower($2))`, [merchantId, input.staff.trim()]);
  const [staff, other] = rows.map((r) => r.doc);
  if (!staff || other) throw new AdminError(staff ? `several staff members are named "${input.staff}"; give an id` : `no staff member ${input.staff}`);
  if (!staff.active) throw new AdminError(`${staff.name} is not active`);
  if (staff.role === 'cashier') throw new AdminError(`an import is written by a manager or the owner; ${staff.name} is a cashier`);
  const storeId = input.store ? await resolveStore(db, merchantId, input.store) : (staff.storeIds[0] ?? settings.stores[0]?.id);
  if (!storeId) throw new AdminError('the merchant has no store; give --store');
  return { merchantId, settings, staff, storeId };
}

/** The rules of an import for the CLI, and every live customer's keys (member code, phone, e-mail, second phone). */
export async function importContext(db: Database, input: z.output<typeof ImportContextInput>) {
  const { merchantId, settings, staff } = await who(db, input);
  const { rows } = await db.query<{ id: string; phone: string; email: string | null; phone2: string | null }>(
    `SELECT id, doc->>'phone' AS phone, lower(doc->>'email') AS email, doc->>'phone2' AS phone2 FROM customers WHERE merchant_id = $1 AND NOT deleted AND doc->>'mergedInto' IS NULL`,
    [merchantId],
  );
  return {
    merchantId,
    region: settings.defaultRegion,
    timeZone: settings.timeZone,
    staffName: staff.name,
    // JSON has no Infinity: an owner's unlimited adjustment is null.
    pointsLimit: Number.isFinite(adjustLimitFor(staff.role, settings.program)) ? adjustLimitFor(staff.role, settings.program) : null,
    customers: rows.map((r) => [r.id, memberCodeOf(r.id), r.phone, r.email, r.phone2] as const),
  };
}

/** Writes one batch of an import: new customers with their opening lines, merges into existing customers. */
export async function importBatch(db: Database, input: z.output<typeof ImportBatchInput>, actor: Actor) {
  return db.transaction(async (tx) => {
    const { merchantId, settings, staff, storeId } = await who(tx, input);
    const limit = adjustLimitFor(staff.role, settings.program);
    if (input.creates.some((row) => row.points > limit)) throw new AdminError(`an opening balance above ${staff.name}'s adjustment limit (${limit})`);
    await lockMerchant(tx, merchantId);
    const ctx: WriteContext = { merchantId, storeId, terminalId: SYSTEM_ACTOR_ID, staffId: staff.id, now: new Date().toISOString(), offline: false };
    const built = input.creates.map((row) => importedCustomer(row, input.importId, input.fileName, ctx, input.region));
    const customers: Doc[] = built.map(({ customer }) => customer as unknown as Doc);
    const openings: Doc[] = built.flatMap(({ opening }) => (opening ? [opening as unknown as Doc] : []));
    const ids = input.merges.map((m) => m.customerId);
    const { rows } = await tx.query<{ doc: Customer }>(`SELECT doc FROM customers WHERE merchant_id = $1 AND id = ANY($2::text[]) AND NOT deleted`, [merchantId, ids]);
    const current = new Map(rows.map((r) => [r.doc.id, r.doc]));
    let merged = 0;
    for (const merge of input.merges) {
      const customer = current.get(merge.customerId);
      if (!customer) continue;
      const { after } = mergedChanges(mergeableOf(customer), merge.rows);
      if (Object.keys(after).length === 0) continue;
      customers.push(editCustomer(customer, after, ctx, input.region) as unknown as Doc);
      merged++;
    }
    // Written as the server ('server': no terminal pushed them; the audit log names the CLI actor and the import).
    // A re-run of the same batch finds its customers and opening lines by their deterministic ids: kept, not doubled.
    const created = await writeVersioned(tx, 'customers', merchantId, 'server', customers.slice(0, built.length), { onConflict: 'keep' });
    await writeVersioned(tx, 'customers', merchantId, 'server', customers.slice(built.length), { onConflict: 'update' });
    await writeVersioned(tx, 'loyaltyEntries', merchantId, 'server', openings, { onConflict: 'keep' });
    await audit(tx, merchantId, actor, 'customers.import', { importId: input.importId, created: String(created.length), merged: String(merged) });
    await notifyPoke(tx, merchantId, openings.length > 0 ? ['customers', 'loyaltyEntries'] : ['customers']);
    return { created: created.length, merged, points: openings.reduce((sum, line) => sum + (line.points as number), 0) };
  });
}
