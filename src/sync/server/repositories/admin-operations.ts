import { z } from 'zod';
import { IdSchema, ROLES } from '../../model/common.ts';
import { pinProblem } from '../../model/staff-proof.ts';
import { LocaleSchema } from '../../model/settings.ts';
import { PinSchema } from '../../model/staff.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { purgeTombstones } from '../sync/horizons.ts';
import { prepareDemo } from '../demo/prepare.ts';
import { firstStore } from '../demo/summary.ts';
import {
  addStaff, createEnrolmentCode, createMerchant, createStore, listMerchants, listStaff, listStores, listTerminals, revokeTerminal, type Actor,
  setStaffPin, AdminError,
} from './admin.ts';
import { resolveMerchant, resolveStore, resolveTerminal } from './names.ts';
import { readTrail } from './audit-trail.ts';
import { purgeAudit } from '../sync/audit.ts';
import { directoryExport, ExportInputSchema } from './directory-export.ts';
import { ImportBatchInput, ImportContextInput, importBatch, importContext } from './customer-import.ts';

// Every `patron-sync` command that touches the database, as data: a name, a strict input and one function.
// The CLI runs an operation in its own process when it can open the database, and asks the running server to
// run the same operation (admin-socket.ts) when the embedded database's folder is held by that server — one
// code path either way. Inputs and outputs are plain JSON so they cross the socket unchanged.

const Ref = z.string().trim().min(1).max(100);
const Name = z.string().trim().min(1).max(100);

function operation<I extends z.ZodType, O>(input: I, run: (db: Database, input: z.output<I>, actor: Actor) => Promise<O>) {
  return { input, run };
}

export const ADMIN_OPERATIONS = {
  'merchant.create': operation(
    z.strictObject({ name: Name, currency: z.string().regex(/^[A-Z]{3}$/), defaultRegion: z.string().regex(/^[A-Z]{2}$/), locale: LocaleSchema, timeZone: z.string().min(1).max(64) }),
    async (db, input, actor) => ({ merchantId: await createMerchant(db, input, actor), ...input }),
  ),
  'merchant.list': operation(z.strictObject({}), (db) => listMerchants(db)),
  'store.create': operation(z.strictObject({ merchant: Ref, name: Name, address: z.string().trim().max(300) }), async (db, input, actor) => {
    const merchantId = await resolveMerchant(db, input.merchant);
    const storeId = await createStore(db, merchantId, { name: input.name, address: input.address }, actor);
    return { storeId, merchantId, name: input.name, address: input.address };
  }),
  'store.list': operation(z.strictObject({ merchant: Ref }), async (db, input) => listStores(db, await resolveMerchant(db, input.merchant))),
  'staff.add': operation(
    z.strictObject({ merchant: Ref, name: Name, role: z.enum(ROLES), pin: PinSchema, stores: z.array(Ref).max(100) }),
    async (db, input, actor) => {
      // The PIN's own rule first: nothing needs to be looked up to refuse it.
      const problem = pinProblem(input.role, input.pin);
      if (problem) throw new AdminError(problem);
      const merchantId = await resolveMerchant(db, input.merchant);
      const storeIds: string[] = [];
      for (const store of input.stores) storeIds.push(await resolveStore(db, merchantId, store));
      const member = await addStaff(db, merchantId, { name: input.name, role: input.role, pin: input.pin, storeIds }, actor);
      return { staffId: member.id, merchantId, name: member.name, role: member.role, storeIds: member.storeIds };
    },
  ),
  'staff.pin': operation(z.strictObject({ merchant: Ref, staff: IdSchema, pin: PinSchema }), async (db, input, actor) => {
    const merchantId = await resolveMerchant(db, input.merchant);
    const member = await setStaffPin(db, merchantId, input.staff, input.pin, actor);
    return { staffId: member.id, merchantId, name: member.name, role: member.role };
  }),
  'staff.list': operation(z.strictObject({ merchant: Ref }), async (db, input) => listStaff(db, await resolveMerchant(db, input.merchant))),
  'enrol-code': operation(z.strictObject({ merchant: Ref, store: Ref, ttlMinutes: z.int().min(1).max(7 * 24 * 60) }), async (db, input, actor) => {
    const merchantId = await resolveMerchant(db, input.merchant);
    const storeId = await resolveStore(db, merchantId, input.store);
    const { code, expiresAt } = await createEnrolmentCode(db, merchantId, storeId, input.ttlMinutes, actor);
    return { code, merchantId, storeId, expiresAt: expiresAt.toISOString() };
  }),
  'terminal.list': operation(z.strictObject({ merchant: Ref }), async (db, input) => listTerminals(db, await resolveMerchant(db, input.merchant))),
  'terminal.revoke': operation(z.strictObject({ terminal: Ref, merchant: Ref.optional() }), async (db, input, actor) => {
    const merchantId = input.merchant === undefined ? undefined : await resolveMerchant(db, input.merchant);
    const terminalId = await resolveTerminal(db, input.terminal, merchantId);
    await revokeTerminal(db, terminalId, actor);
    return { terminalId };
  }),
  migrate: operation(z.strictObject({}), async (db) => ({ applied: await migrate(db) })),
  // What `prepareDemo` reports comes back as lines, so the CLI prints the same wherever the operation ran.
  demo: operation(z.strictObject({ customers: z.int().min(1).max(200_000), seed: z.int().min(0).max(999_999_999) }), async (db, input, actor) => {
    const lines: string[] = [];
    const demo = await prepareDemo(db, { ...input, actor }, (line) => lines.push(line));
    const code = await createEnrolmentCode(db, demo.merchantId, firstStore(demo).id, 60, `${actor}:demo`);
    return { demo, code: { code: code.code, expiresAt: code.expiresAt.toISOString() }, lines };
  }),
  // The audit trail: read where the database is (this process, or the running server through the socket).
  audit: operation(
    z.strictObject({ customer: Ref, merchant: IdSchema.optional(), since: z.iso.datetime({ offset: true }).optional(), limit: z.int().min(1).max(10_000) }),
    (db, input) => readTrail(db, input),
  ),
  'purge-audit': operation(z.strictObject({ olderThanDays: z.int().min(1).max(36_500) }), async (db, input) => ({ purged: await purgeAudit(db, input.olderThanDays) })),
  // The directory's export (docs/directory.md §5): the table is built where the data is and written by the CLI.
  export: operation(ExportInputSchema, (db, input) => directoryExport(db, input)),
  // `patron-sync import`: the merchant's rules and live customers' keys, then one operation per batch of rows.
  'import.context': operation(ImportContextInput, (db, input) => importContext(db, input)),
  'import.batch': operation(ImportBatchInput, (db, input, actor) => importBatch(db, input, actor)),
  'purge-tombstones': operation(z.strictObject({ olderThanDays: z.int().min(1).max(36_500) }), (db, input) => purgeTombstones(db, input.olderThanDays)),
};

/** The name of an administrative operation. */
export type AdminOperationName = keyof typeof ADMIN_OPERATIONS;
/** What operation `N` takes. */
export type AdminInput<N extends AdminOperationName> = z.input<(typeof ADMIN_OPERATIONS)[N]['input']>;
/** What operation `N` answers. */
export type AdminOutput<N extends AdminOperationName> = Awaited<ReturnType<(typeof ADMIN_OPERATIONS)[N]['run']>>;

/** An operation request that names no operation or carries input it does not take: nothing was run. */
export class AdminRequestError extends Error {}

/** Runs operation `name` with `input` after checking both; the answer is plain JSON. */
export async function runAdminOperation(db: Database, name: string, input: unknown, actor: Actor): Promise<unknown> {
  if (!Object.hasOwn(ADMIN_OPERATIONS, name)) throw new AdminRequestError(`no administrative operation "${name}"`);
  const spec = ADMIN_OPERATIONS[name as AdminOperationName] as { input: z.ZodType; run: (db: Database, input: unknown, actor: Actor) => Promise<unknown> };
  const parsed = spec.input.safeParse(input);
  if (!parsed.success) throw new AdminRequestError(`invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'} ${i.message}`).join('; ')}`);
  return spec.run(db, parsed.data, actor);
}
