// Settings schema versions 1 and 2 and customers schema version 1 (protocols 2 and 3): the server's migrations
// 009 and 012 and the terminal's RxDB migrations must turn a document of the old shape into exactly the same
// document, because RxDB migrates the terminal's assumed master state with its strategy and the server compares
// that state with what it stores. Proven here: the two agree, the rewrite is a new version in the feed, and a
// migrated terminal's next edit is accepted without a conflict. Postgres only (PGlite runs the same SQL; its
// start-up costs seconds this check does not need).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createRxDatabase } from 'rxdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedRows, createPatronDatabase } from '../../../src/sync/client/database.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { RX_SCHEMAS } from '../../../src/sync/model/rx-schemas.ts';
import type { Customer } from '../../../src/sync/model/customer.ts';
import { upgradeCustomerV0, type CustomerV0 } from '../../../src/sync/model/customer-profile.ts';
import { upgradeRewardV0 } from '../../../src/sync/model/reward.ts';
import { upgradeSettingsV0, upgradeSettingsV1, type Settings } from '../../../src/sync/model/settings.ts';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { listMigrations, migrate } from '../../../src/sync/server/db/migrate.ts';
import { createPostgresDatabase } from '../../../src/sync/server/db/postgres.ts';
import { TEST_DATABASE_URL } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, seedMerchant, testApp, type SeededMerchant } from '../../helpers/sync-server.ts';
import { enableDevMode, testStorage } from '../../helpers/terminal.ts';

const MIGRATION = '009_settings_v1';
/** Settings v2 (tier perks, birthday reward): applied with 009 here, so a version-0 document meets both. */
const MIGRATION_V2 = '013_rewards_on_the_sale';
const oldReward = (name: string, value: number) => ({
  id: newId(), updatedAt: '2025-01-01T00:00:00.000Z', _deleted: false, name, description: '', pointsCost: 100, value, stock: null, minTier: null,
  validFrom: null, validUntil: null, active: true, updatedBy: newId(),
});
const oldRewards = [oldReward('Voucher', 45_000), oldReward('اسپرسو رایگان', 0)];
const CUSTOMERS_V1 = '014_customer_profile';
/** The RxDB schemas as installed terminals have them (version 0), from the record of every version. */
const RECORDED = JSON.parse(readFileSync(new URL('../model/__snapshots__/rx-schemas.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
const settingsV0 = RECORDED.settings!['0'];
const customersV0 = RECORDED.customers!['0'];

/** A current customer in the version-0 shape: the profile fields gone, `notes` and `marketingConsent` instead. */
function asV0(customer: Customer, notes: string, marketingConsent: boolean): CustomerV0 {
  const { phone2: _a, phone2Key: _b, phone2Reversed: _c, address: _d, company: _e, source: _f, preferredChannel: _g, timeline: _h, consent: _i, ...common } = customer;
  return { ...common, notes, marketingConsent };
}

/** Stored customers by id. */
async function storedCustomers(db: Database, merchantId: string): Promise<Map<string, { doc: Record<string, unknown>; version: string }>> {
  const { rows } = await db.query<{ id: string; doc: Record<string, unknown>; version: string }>(`SELECT id, doc, version::text AS version FROM customers WHERE merchant_id = $1`, [merchantId]);
  return new Map(rows.map((row) => [row.id, { doc: row.doc, version: row.version }]));
}

/**
 * Applies every migration but those `until`, as a server of an earlier release left the database (the other
 * later ones touch other tables; they are applied too so the seeding below can use today's code).
 */
async function migrateBefore(db: Database, until: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const migration of listMigrations().filter((m) => !until.includes(m.id))) {
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO schema_migrations (id) VALUES ($1)`, [migration.id]);
    }
  });
}

/** Runs one statement on the test server's maintenance database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The stored settings document and its feed version. */
async function storedSettings(db: Database, merchantId: string): Promise<{ doc: Record<string, unknown>; version: string }> {
  const { rows } = await db.query<{ doc: Record<string, unknown>; version: string }>(`SELECT doc, version::text AS version FROM settings WHERE merchant_id = $1`, [merchantId]);
  return rows[0]!;
}

describe('settings v1/v2 and customers v1: server migrations 009 and 012 and the terminal’s RxDB migrations agree', () => {
  let db: Database;
  let seed: SeededMerchant;
  let before: { doc: Record<string, unknown>; version: string };
  let oldCustomers: CustomerV0[];
  let customersBefore: Map<string, { doc: Record<string, unknown>; version: string }>;
  const name = `patron_t_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    db = createPostgresDatabase(url.toString());
    await migrateBefore(db, [MIGRATION, MIGRATION_V2]);
    seed = await seedMerchant(db);
    // The document as the release before protocol 2 stored it: without the three fields or the tag catalogue,
    // a cashier limit of 2,000; customers with the single notes text and consent flag.
    const ctx = { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: seed.storeId, staffId: seed.cashier.id, now: '2026-02-01T10:00:00.000Z', offline: false };
    oldCustomers = [asV0(aCustomer(ctx), 'espresso, no sugar\nپاسخ با پیامک', true), asV0(aCustomer(ctx), '', false)];
    await db.transaction(async (tx) => {
      for (const customer of oldCustomers) {
        const { _deleted, ...doc } = customer;
        await tx.query(
          `INSERT INTO customers (merchant_id, id, doc, version, deleted, written_by) VALUES ($1, $2, $3::jsonb, patron_reserve_versions($1, 1), false, 'test')`,
          [seed.merchantId, customer.id, JSON.stringify({ ...doc, _deleted })],
        );
      }
      await tx.query(`DELETE FROM schema_migrations WHERE id = $1`, [CUSTOMERS_V1]);
      await tx.query(
        `UPDATE settings SET doc = jsonb_set(doc - 'currencyDisplay' - 'tagCatalogue', '{program}',
                 ((doc->'program') - 'managerAdjustLimit' - 'voidApprovalAgeDays' - 'birthdayRewardId')
                   || jsonb_build_object('cashierAdjustLimit', 2000,
                        'tiers', (SELECT jsonb_agg(t - 'perks' ORDER BY n) FROM jsonb_array_elements(doc->'program'->'tiers') WITH ORDINALITY AS e(t, n)))),
                 version = patron_reserve_versions(merchant_id, 1)
          WHERE merchant_id = $1`,
        [seed.merchantId],
      );
    });
    before = await storedSettings(db, seed.merchantId);
    // Rewards as protocol 2 stored them: no type, item, percent or cap.
    for (const reward of oldRewards) {
      await db.query(`INSERT INTO rewards (merchant_id, id, doc, version, deleted, written_by) VALUES ($1, $2, $3::jsonb, patron_reserve_versions($1, 1), false, 'test')`, [
        seed.merchantId, reward.id, JSON.stringify({ ...reward, merchantId: seed.merchantId }),
      ]);
    }
    customersBefore = await storedCustomers(db, seed.merchantId);
  });
  afterAll(async () => {
    await db?.close().catch(() => {});
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('rewrites the stored document as upgradeSettingsV0 and upgradeSettingsV1 do, as a new version (the old limits kept)', async () => {
    expect(before.doc).not.toHaveProperty('currencyDisplay');
    expect(await migrate(db)).toEqual([MIGRATION, MIGRATION_V2, CUSTOMERS_V1]);
    const after = await storedSettings(db, seed.merchantId);
    expect(after.doc).toEqual(upgradeSettingsV1(upgradeSettingsV0(before.doc as unknown as Parameters<typeof upgradeSettingsV0>[0])));
    expect(after.doc).toMatchObject({ currencyDisplay: 'rial', program: { cashierAdjustLimit: 2_000, managerAdjustLimit: 20_000, voidApprovalAgeDays: 30 } });
    expect(BigInt(after.version)).toBeGreaterThan(BigInt(before.version));
  });

  it('migration 012 gives stored rewards a type exactly as the terminal’s upgradeRewardV0 does', async () => {
    const { rows } = await db.query<{ id: string; doc: Record<string, unknown> }>(`SELECT id, doc FROM rewards WHERE merchant_id = $1 ORDER BY id`, [seed.merchantId]);
    const expected = oldRewards.map((r) => upgradeRewardV0({ ...r, merchantId: seed.merchantId })).sort((a, b) => a.id.localeCompare(b.id));
    expect(rows.map((r) => r.doc)).toEqual(expected);
    expect(rows.map((r) => r.doc.type)).toEqual(expected.map((r) => (r.value > 0 ? 'amountOff' : 'freeItem')));
  });

  it('RxDB migrates a terminal’s version-0 document on open to the same document', async () => {
    enableDevMode();
    const storage = testStorage();
    const local = `m${randomBytes(5).toString('hex')}`;
    const old = await createRxDatabase({ name: local, storage, multiInstance: false });
    await old.addCollections({ settings: { schema: settingsV0 as never } });
    const { _deleted, ...v0 } = before.doc;
    await old.collections.settings!.insert(v0);
    await old.close();

    const opened = await createPatronDatabase({ name: local, storage, rejected: new RejectedRows(), collections: ['settings'] });
    expect(RX_SCHEMAS.settings.version).toBe(2);
    const migrated = (await opened.settings.findOne(seed.merchantId).exec())!.toMutableJSON();
    const { _deleted: _d, ...server } = (await storedSettings(db, seed.merchantId)).doc;
    expect(migrated).toEqual(server);
    await opened.remove();
  });

  it('a migrated terminal’s next settings edit is accepted, not a conflict', async () => {
    const app = await testApp(db);
    try {
      const till = await enrolTerminal(app, db, seed);
      const assumed = upgradeSettingsV1(upgradeSettingsV0(before.doc as unknown as Settings));
      const edited = { ...assumed, currencyDisplay: 'toman', updatedAt: new Date().toISOString(), updatedBy: seed.manager.id };
      expect(await till.push('settings', [updateRow(edited, assumed)])).toEqual({ conflicts: [], rejected: [] });
      expect((await storedSettings(db, seed.merchantId)).doc).toEqual(edited);
    } finally {
      await app.close();
    }
  });

  it('rewrites every stored customer as upgradeCustomerV0 does (notes into the timeline, consent into entries), each as a new version', async () => {
    const after = await storedCustomers(db, seed.merchantId);
    for (const old of oldCustomers) {
      expect(after.get(old.id)!.doc).toEqual(upgradeCustomerV0(old));
      expect(BigInt(after.get(old.id)!.version)).toBeGreaterThan(BigInt(customersBefore.get(old.id)!.version));
    }
    expect(after.get(oldCustomers[0]!.id)!.doc).toMatchObject({ timeline: [{ text: 'espresso, no sugar\nپاسخ با پیامک' }], consent: [{ channel: 'email', source: 'migrated' }, { channel: 'sms', source: 'migrated' }] });
  });

  it('RxDB migrates a terminal’s version-0 customer on open (through versions 1 and 2) to the same document, and its next edit is accepted', async () => {
    enableDevMode();
    const storage = testStorage();
    const local = `m${randomBytes(5).toString('hex')}`;
    const old = await createRxDatabase({ name: local, storage, multiInstance: false });
    await old.addCollections({ customers: { schema: customersV0 as never } });
    const v0 = oldCustomers[0]!;
    const { _deleted, ...stored } = v0;
    await old.collections.customers!.insert(stored);
    await old.close();

    const opened = await createPatronDatabase({ name: local, storage, rejected: new RejectedRows(), collections: ['customers'] });
    // Version 2 (protocol 4) added the optional `priorVisits`: its strategy keeps the document as it is.
    expect(RX_SCHEMAS.customers.version).toBe(2);
    const migrated = (await opened.customers.findOne(v0.id).exec())!.toMutableJSON();
    const { _deleted: _d, ...server } = (await storedCustomers(db, seed.merchantId)).get(v0.id)!.doc;
    expect(migrated).toEqual(server);
    await opened.remove();

    const app = await testApp(db);
    try {
      const till = await enrolTerminal(app, db, seed);
      const assumed = upgradeCustomerV0(v0);
      const edited = { ...assumed, company: 'Sol Co', updatedAt: new Date().toISOString(), updatedBy: seed.cashier.id };
      expect(await till.push('customers', [updateRow(edited, assumed)])).toEqual({ conflicts: [], rejected: [] });
    } finally {
      await app.close();
    }
  });

  it('RxDB opens a version-1 customer as version 2 unchanged (no server migration), and a manager’s edit setting visits before Patron is accepted', async () => {
    enableDevMode();
    const storage = testStorage();
    const local = `m${randomBytes(5).toString('hex')}`;
    const old = await createRxDatabase({ name: local, storage, multiInstance: false });
    await old.addCollections({ customers: { schema: RECORDED.customers!['1'] as never, migrationStrategies: { 1: (doc: unknown) => doc } } });
    const v1 = aCustomer({ merchantId: seed.merchantId, storeId: seed.storeId, terminalId: newId(), staffId: seed.manager.id, now: new Date().toISOString(), offline: false });
    const { _deleted, ...stored } = v1;
    await old.collections.customers!.insert(stored);
    await old.close();

    const opened = await createPatronDatabase({ name: local, storage, rejected: new RejectedRows(), collections: ['customers'] });
    expect((await opened.customers.findOne(v1.id).exec())!.toMutableJSON()).toEqual(stored);
    await opened.remove();

    const app = await testApp(db);
    try {
      const till = await enrolTerminal(app, db, seed);
      expect(await till.push('customers', [insertRow(v1)])).toEqual({ conflicts: [], rejected: [] });
      const edited = { ...v1, priorVisits: 30, updatedAt: new Date(Date.now() + 1000).toISOString() };
      expect(await till.push('customers', [updateRow(edited, v1)])).toEqual({ conflicts: [], rejected: [] });
    } finally {
      await app.close();
    }
  });
});
