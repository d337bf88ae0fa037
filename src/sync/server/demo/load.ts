import type { CollectionName } from '../../model/wire-protocol.ts';
import { DEFAULT_PROGRAM, type Program, type Settings } from '../../model/settings.ts';
import type { Database } from '../db/database.ts';
import { notifyPoke } from '../pokes.ts';
import { addStaff, audit, createMerchant, createStore, lockMerchant } from '../repositories/admin.ts';
import type { Doc } from '../sync/tables.ts';
import { writeVersioned } from '../sync/versioned-writes.ts';
import { createDemoGenerator } from './generate.ts';
import { DEMO_MERCHANT, demoPlan, type DemoStaff, type DemoStore } from './plan.ts';

/** Documents per write transaction. */
const BATCH = 500;

/** How to create the demo merchant when it is absent (ignored when it exists). */
export interface DemoLoadOptions {
  seed?: number;
  customers?: number;
  /** Anchor of "the past year" (epoch ms); defaults to now. */
  now?: number;
  /** Audit-log actor. */
  actor?: string;
  /** Progress of a load: called with 0 before the first customer and after every 1000. */
  onProgress?: (done: number, total: number) => void;
}

/** What the demo merchant is and holds. */
export interface DemoResult {
  /** Whether this call generated the sample data (false: it was already there). */
  created: boolean;
  merchantId: string;
  stores: DemoStore[];
  staff: DemoStaff[];
  seed: number;
  counts: { customers: number; visits: number; loyaltyEntries: number; rewards: number };
  /** Time spent generating and writing, when `created`. */
  elapsedMs: number;
}

interface DemoParams {
  seed: number;
  customers: number;
  now: number;
}

/**
 * Creates the demo merchant "Café Patron" with its stores, staff, rewards and a year of customers, visits
 * and ledger entries — or, when it exists, returns what it holds. Every step checks what is already there
 * and the data is deterministic (seed and anchor are recorded in the audit log), so an interrupted load
 * is finished by the next call instead of leaving half a demo behind.
 */
export async function ensureDemoMerchant(db: Database, options: DemoLoadOptions = {}): Promise<DemoResult> {
  const actor = options.actor ?? 'demo';
  const plan = demoPlan();
  const merchantId = plan.merchantId;
  const started = performance.now();

  let params = await recordedParams(db, merchantId);
  if (!(await exists(db, `SELECT 1 FROM merchants WHERE merchant_id = $1`, [merchantId]))) {
    const { id, ...merchant } = DEMO_MERCHANT;
    await createMerchant(db, merchant, actor, id);
  }
  if (!params) {
    params = { seed: options.seed ?? 1, customers: options.customers ?? 3000, now: options.now ?? Date.now() };
    await audit(db, merchantId, actor, 'demo.create', { seed: String(params.seed), customers: String(params.customers), now: String(params.now) });
  }
  for (const store of plan.stores) {
    if (!(await exists(db, `SELECT 1 FROM stores WHERE merchant_id = $1 AND store_id = $2`, [merchantId, store.id]))) {
      await createStore(db, merchantId, { name: store.name, address: store.address }, actor, store.id);
    }
  }
  for (const member of plan.staff) {
    if (!(await exists(db, `SELECT 1 FROM staff WHERE merchant_id = $1 AND id = $2`, [merchantId, member.id]))) {
      await addStaff(db, merchantId, { name: member.name, role: member.role, pin: member.pin, storeIds: member.storeIds }, actor, member.id);
    }
  }

  const loaded = await exists(db, `SELECT 1 FROM audit_log WHERE merchant_id = $1 AND action = 'demo.loaded'`, [merchantId]);
  if (!loaded) {
    await loadSampleData(db, merchantId, params, options.onProgress);
    await audit(db, merchantId, actor, 'demo.loaded', { ms: String(Math.round(performance.now() - started)) });
  }
  return {
    created: !loaded,
    merchantId,
    stores: plan.stores,
    staff: plan.staff,
    seed: params.seed,
    counts: await countDocuments(db, merchantId),
    elapsedMs: loaded ? 0 : Math.round(performance.now() - started),
  };
}

async function loadSampleData(db: Database, merchantId: string, params: DemoParams, onProgress?: (done: number, total: number) => void): Promise<void> {
  const { rows } = await db.query<{ doc: Settings }>(`SELECT doc FROM settings WHERE merchant_id = $1 AND id = $1::text`, [merchantId]);
  const program: Program = rows[0]?.doc.program ?? DEFAULT_PROGRAM;
  const generator = createDemoGenerator(demoPlan(), program, params);
  const buffers: Record<'customers' | 'visits' | 'loyaltyEntries', Doc[]> = { customers: [], visits: [], loyaltyEntries: [] };

  // Server-made documents go through the server's own write path, one transaction per batch that first
  // locks the merchant's clock row (docs/architecture.md#gapless-feed) and reserves the batch's versions with one clock update.
  // A resumed load keeps what an interrupted one already wrote (the data is deterministic).
  const flush = async (collection: CollectionName, docs: Doc[]) => {
    if (docs.length === 0) return;
    await db.transaction(async (tx) => {
      await lockMerchant(tx, merchantId);
      // Generated history is not anyone's write: it stays out of the audit trail (and loads faster).
      await writeVersioned(tx, collection, merchantId, 'server', docs, { onConflict: 'keep', audit: false });
    });
  };

  let done = 0;
  onProgress?.(0, params.customers);
  for (const bundle of generator.customers()) {
    buffers.customers.push(bundle.customer as unknown as Doc);
    buffers.visits.push(...(bundle.visits as unknown as Doc[]));
    buffers.loyaltyEntries.push(...(bundle.entries as unknown as Doc[]));
    for (const collection of ['customers', 'visits', 'loyaltyEntries'] as const) {
      if (buffers[collection].length >= BATCH) {
        await flush(collection, buffers[collection]);
        buffers[collection] = [];
      }
    }
    done += 1;
    if (done % 1000 === 0) onProgress?.(done, params.customers);
  }
  for (const collection of ['customers', 'visits', 'loyaltyEntries'] as const) await flush(collection, buffers[collection]);
  await flush('rewards', generator.rewards() as unknown as Doc[]);
  // Terminals already connected (another instance on the same Postgres) pull the new data.
  await notifyPoke(db, merchantId, ['customers', 'visits', 'loyaltyEntries', 'rewards']);
}

async function recordedParams(db: Database, merchantId: string): Promise<DemoParams | null> {
  const { rows } = await db.query<{ details: Record<string, string> }>(
    `SELECT details FROM audit_log WHERE merchant_id = $1 AND action = 'demo.create' ORDER BY id LIMIT 1`,
    [merchantId],
  );
  const details = rows[0]?.details;
  if (!details) return null;
  return { seed: Number(details.seed), customers: Number(details.customers), now: Number(details.now) };
}

async function exists(db: Database, sql: string, params: unknown[]): Promise<boolean> {
  const { rows } = await db.query(sql, params);
  return rows.length > 0;
}

/** How many documents of each sampled collection the merchant holds. */
export async function countDocuments(db: Database, merchantId: string): Promise<DemoResult['counts']> {
  const { rows } = await db.query<{ customers: number; visits: number; entries: number; rewards: number }>(
    `SELECT (SELECT count(*)::int FROM customers WHERE merchant_id = $1) AS customers,
            (SELECT count(*)::int FROM visits WHERE merchant_id = $1) AS visits,
            (SELECT count(*)::int FROM loyalty_entries WHERE merchant_id = $1) AS entries,
            (SELECT count(*)::int FROM rewards WHERE merchant_id = $1) AS rewards`,
    [merchantId],
  );
  const row = rows[0];
  return { customers: Number(row?.customers ?? 0), visits: Number(row?.visits ?? 0), loyaltyEntries: Number(row?.entries ?? 0), rewards: Number(row?.rewards ?? 0) };
}
