import type { Customer } from '../../../src/sync/model/customer.ts';
import { ledgerEntry, newCustomer, newVisit, type WriteContext } from '../../../src/sync/model/document-builders.ts';
import { earnEntryId, newId } from '../../../src/sync/model/ids.ts';
import { LoyaltyEntrySchema, type LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import { VisitSchema, type PaymentMethod, type Visit, type VisitItem } from '../../../src/sync/model/visit.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { FAMILY_NAMES, FIRST_NAMES, LATIN_FAMILY_NAMES, LATIN_FIRST_NAMES, MENU, NOTES_EN, NOTES_FA, TAGS } from '../../../src/sync/server/demo/catalog.ts';
import { Random } from '../../../src/sync/server/demo/random.ts';
import { lockMerchant } from '../../../src/sync/server/repositories/admin.ts';
import { writeVersioned } from '../../../src/sync/server/sync/versioned-writes.ts';
import type { Doc } from '../../../src/sync/server/sync/tables.ts';

// Benchmark data with the shapes the product writes: every customer comes from `newCustomer` (phone
// normalisation, lookup keys, name folding), visits and ledger lines from `newVisit` / `ledgerEntry`. Visits
// and entries are the bulk (600k at full size), so a pool of builder-made templates is cloned with fresh ids,
// customers and times — a sample of the clones is re-validated with the model's zod schemas.

const DAY = 86_400_000;
// Iranian mobile prefixes; the 7 digits after them come from a counter, so phones are distinct per base.
const PREFIXES = ['0912', '0935', '0919', '0901', '0915', '0917', '0938', '0990'];
const PAYMENTS: readonly PaymentMethod[] = ['cash', 'card', 'card', 'card', 'mobile', 'mobile', 'voucher'];

/** Where the data is written: merchant, store, terminal and the acting staff member. */
export interface DataOrigin {
  merchantId: string;
  storeId: string;
  terminalId: string;
  staffId: string;
}

/** Document counts of a dataset. */
export interface DatasetSize {
  customers: number;
  visits: number;
  loyaltyEntries: number;
}

/** The replicated documents of one merchant, as the server stores them (`_deleted` included). */
export interface Dataset {
  customers: Customer[];
  visits: Visit[];
  loyaltyEntries: LoyaltyEntry[];
}

function contextAt(origin: DataOrigin, at: number): WriteContext {
  return { ...origin, now: new Date(at).toISOString(), offline: false };
}

/**
 * `count` new customers with distinct phones (`phoneBase` separates runs that share a merchant), Persian and
 * Latin names, some notes, tags, e-mails and birthdays, signed up over the past year (or `spanMs`: pushed by a
 * terminal, they fall inside its staff member's signed session — docs/security.md#staff-proof).
 */
export function buildCustomers(count: number, origin: DataOrigin, options: { seed?: number; phoneBase?: number; now?: number; spanMs?: number } = {}): Customer[] {
  const rng = new Random(options.seed ?? 1);
  const now = options.now ?? Date.now();
  const base = options.phoneBase ?? 0;
  const customers: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const n = base + i;
    const prefix = PREFIXES[n % PREFIXES.length] ?? '0912';
    const phone = `${prefix}${String(Math.floor(n / PREFIXES.length)).padStart(7, '0')}`;
    const latin = rng.chance(0.15);
    const first = rng.pick(FIRST_NAMES);
    const family = rng.pick(FAMILY_NAMES);
    const name = latin ? `${rng.pick(LATIN_FIRST_NAMES)} ${rng.pick(LATIN_FAMILY_NAMES)}` : `${first[0]} ${family[0]}`;
    const at = now - Math.floor(rng.float() * (options.spanMs ?? 365 * DAY));
    customers.push(
      newCustomer(
        {
          phone,
          name,
          email: rng.chance(0.2) ? `${first[1]}.${family[1]}${n}@example.com`.toLowerCase() : null,
          birthday: rng.chance(0.3) ? `19${rng.int(60, 99)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}` : null,
          notes: rng.chance(0.3) ? rng.pick(latin ? NOTES_EN : NOTES_FA) : '',
          tags: rng.chance(0.1) ? [rng.pick(Object.values(TAGS))] : [],
          ...(rng.chance(0.6) ? { consent: { sms: true } } : {}),
          preferences: { preferredTime: rng.chance(0.5) ? rng.pick(['morning', 'afternoon', 'evening'] as const) : null },
        },
        contextAt(origin, at),
        'IR',
      ),
    );
  }
  return customers;
}

interface VisitTemplate {
  visit: Visit;
  earn: LoyaltyEntry | null;
}

function visitTemplates(rng: Random, origin: DataOrigin, customerId: string, now: number, earning: boolean): VisitTemplate[] {
  const templates: VisitTemplate[] = [];
  for (let t = 0; t < 64; t++) {
    const lines = rng.int(1, 3);
    const items: VisitItem[] = [];
    for (let l = 0; l < lines; l++) {
      const item = rng.pick(MENU);
      items.push({ name: item.name, quantity: rng.int(1, 2), unitPrice: item.price });
    }
    const subtotal = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
    const points = earning ? Math.max(1, Math.floor(subtotal / 10_000)) : 0;
    templates.push(
      newVisit(
        { customerId, items, currency: 'IRR', paymentMethod: rng.pick(PAYMENTS), discount: rng.chance(0.1) ? 10_000 : 0, notes: rng.chance(0.05) ? 'بیرون‌بر' : '' },
        points,
        contextAt(origin, now),
      ),
    );
  }
  return templates;
}

/**
 * Customers, visits and ledger entries in the given counts: about 9 in 10 ledger lines are the earnings of
 * visits (deterministic ids), the rest redemptions; visits beyond the earnings earn nothing.
 */
export function buildDataset(size: DatasetSize, origin: DataOrigin, options: { seed?: number; now?: number } = {}): Dataset {
  const now = options.now ?? Date.now();
  const rng = new Random((options.seed ?? 1) + 7);
  const customers = buildCustomers(size.customers, origin, { seed: options.seed, now });
  if (customers.length === 0) return { customers, visits: [], loyaltyEntries: [] };
  const redeems = Math.min(size.loyaltyEntries, Math.max(size.loyaltyEntries - size.visits, Math.round(size.loyaltyEntries * 0.1)));
  const earns = Math.min(size.visits, size.loyaltyEntries - redeems);
  const someone = customers[0]?.id ?? newId();
  const earning = visitTemplates(rng, origin, someone, now, true);
  const plain = visitTemplates(rng, origin, someone, now, false);
  const visits: Visit[] = [];
  const entries: LoyaltyEntry[] = [];
  for (let i = 0; i < size.visits; i++) {
    const customer = customers[rng.int(0, customers.length - 1)] ?? customers[0];
    const earnsPoints = i < earns;
    const template = rng.pick(earnsPoints ? earning : plain);
    const id = newId();
    const at = new Date(now - Math.floor(rng.float() * 365 * DAY)).toISOString();
    const customerId = customer?.id ?? someone;
    visits.push({ ...template.visit, id, customerId, occurredAt: at, updatedAt: at });
    if (earnsPoints && template.earn) {
      entries.push({ ...template.earn, id: earnEntryId(id), visitId: id, customerId, occurredAt: at, updatedAt: at });
    }
  }
  const redeemTemplate = ledgerEntry({ kind: 'redeem', points: -200, customerId: someone, note: '' }, contextAt(origin, now));
  for (let i = 0; i < redeems; i++) {
    const at = new Date(now - Math.floor(rng.float() * 365 * DAY)).toISOString();
    const customerId = customers[rng.int(0, customers.length - 1)]?.id ?? someone;
    entries.push({ ...redeemTemplate, id: newId(), customerId, points: -rng.int(1, 5) * 100, occurredAt: at, updatedAt: at });
  }
  // The clones must still be what the server would accept: re-validate a sample.
  for (let i = 0; i < visits.length; i += 997) VisitSchema.parse(visits[i]);
  for (let i = 0; i < entries.length; i += 997) LoyaltyEntrySchema.parse(entries[i]);
  return { customers, visits, loyaltyEntries: entries };
}

/** Tables of the dataset's collections. */
export const DATASET_TABLES = { customers: 'customers', visits: 'visits', loyaltyEntries: 'loyalty_entries' } as const;

/**
 * Loads a dataset with the server's own write path (`writeVersioned`: one multi-row statement per batch that
 * reserves the batch's versions with one clock update), in transactions that take the clock row lock like every
 * writer. A benchmark fixture needs no durability, so commits do not wait for the WAL flush.
 */
/** The writer the audit trail records for a benchmark's fixture (its terminal column is a uuid). */
export const FIXTURE_WRITER = '00000000-0000-7000-8000-00000000b10a';

export async function loadDataset(db: Database, merchantId: string, writtenBy: string, dataset: Dataset, batch = 1000): Promise<void> {
  for (const collection of Object.keys(DATASET_TABLES) as (keyof Dataset)[]) {
    const docs = dataset[collection] as unknown as Doc[];
    for (let i = 0; i < docs.length; i += batch) {
      const slice = docs.slice(i, i + batch);
      await db.transaction(async (tx) => {
        await tx.query(`SET LOCAL synchronous_commit = off`);
        await lockMerchant(tx, merchantId);
        await writeVersioned(tx, collection, merchantId, writtenBy, slice, { onConflict: 'update' });
      });
    }
  }
}

/** A document as the local database stores it: RxDB manages `_deleted` itself. */
export function withoutDeleted<T extends { _deleted?: boolean }>(doc: T): Omit<T, '_deleted'> {
  const { _deleted: _ignored, ...rest } = doc;
  return rest;
}
