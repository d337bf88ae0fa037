import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR_ID, type Role } from '../../model/common.ts';
import { newId } from '../../model/ids.ts';
import { hashPin } from '../../model/pin.ts';
import { DEFAULT_CURRENCY_DISPLAY, DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, SettingsSchema, type Locale, type Settings, type Store, type TagDefinition } from '../../model/settings.ts';
import { StaffSchema, type Staff } from '../../model/staff.ts';
import { createStaffKey, pinProblem } from '../../model/staff-proof.ts';
import { storeStaffKey } from './staff-proof.ts';
import type { Database, Queryable } from '../db/database.ts';
import { hashSecret, newEnrolmentCode } from '../auth/tokens.ts';
import { notifyPoke, notifyRevocation } from '../pokes.ts';
import { writeServerDocs } from '../sync/server-writes.ts';
import type { Doc } from '../sync/tables.ts';

/** Who did an administrative action, for the audit log. */
export type Actor = string;

/** Appends one line to the audit log (never secrets or personal data). */
export async function audit(db: Queryable, merchantId: string | null, actor: Actor, action: string, details: Record<string, string> = {}): Promise<void> {
  await db.query(`INSERT INTO audit_log (merchant_id, actor, action, details) VALUES ($1, $2, $3, $4::jsonb)`, [merchantId, actor, action, JSON.stringify(details)]);
}

/** Signals that a command named something that does not exist or is not allowed. */
export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

export interface NewMerchant {
  name: string;
  currency: string;
  defaultRegion: string;
  locale: Locale;
  timeZone: string;
  /** Tags offered at the counter (none unless given). */
  tagCatalogue?: readonly TagDefinition[];
}

/** Creates a merchant with its clock row and its settings document (program defaults). */
export async function createMerchant(db: Database, input: NewMerchant, actor: Actor, merchantId = newId()): Promise<string> {
  const now = new Date().toISOString();
  const settings: Settings = SettingsSchema.parse({
    id: merchantId,
    merchantId,
    updatedAt: now,
    _deleted: false,
    businessName: input.name,
    currency: input.currency,
    currencyDisplay: DEFAULT_CURRENCY_DISPLAY,
    defaultRegion: input.defaultRegion,
    locale: input.locale,
    timeZone: input.timeZone,
    stores: [],
    program: DEFAULT_PROGRAM,
    segments: DEFAULT_SEGMENT_RULES,
    tagCatalogue: input.tagCatalogue ?? [],
    updatedBy: SYSTEM_ACTOR_ID,
    conflicts: [],
  });
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO merchants (merchant_id, name) VALUES ($1, $2)`, [merchantId, input.name]);
    await tx.query(`INSERT INTO merchant_clock (merchant_id) VALUES ($1)`, [merchantId]);
    await writeServerDocs(tx, 'settings', merchantId, [settings as unknown as Doc], { onlyNew: true });
    await audit(tx, merchantId, actor, 'merchant.create');
  });
  return merchantId;
}

/** Creates a store and lists it in the merchant's settings (a new settings version terminals pull). */
export async function createStore(db: Database, merchantId: string, input: { name: string; address?: string }, actor: Actor, storeId = newId()): Promise<string> {
  await db.transaction(async (tx) => {
    await lockMerchant(tx, merchantId);
    await tx.query(`INSERT INTO stores (merchant_id, store_id, name) VALUES ($1, $2, $3)`, [merchantId, storeId, input.name]);
    const { rows } = await tx.query<{ doc: Settings }>(`SELECT doc FROM settings WHERE merchant_id = $1 AND id = $1::text`, [merchantId]);
    const current = rows[0]?.doc;
    if (!current) throw new AdminError('merchant has no settings');
    const store: Store = { id: storeId, name: input.name, address: input.address ?? '' };
    const next = SettingsSchema.parse({ ...current, stores: [...current.stores, store], updatedAt: new Date().toISOString(), updatedBy: SYSTEM_ACTOR_ID });
    await writeServerDocs(tx, 'settings', merchantId, [next as unknown as Doc], { onlyNew: false });
    await audit(tx, merchantId, actor, 'store.create', { storeId });
  });
  return storeId;
}

/**
 * Adds a staff member. The PIN is stored only as an argon2id hash, and seals the member's new signing key
 * (docs/security.md#staff-proof); managers and owners need a PIN of at least six digits.
 */
export async function addStaff(db: Database, merchantId: string, input: { name: string; role: Role; pin: string; storeIds?: string[] }, actor: Actor, staffId = newId()): Promise<Staff> {
  const problem = pinProblem(input.role, input.pin);
  if (problem) throw new AdminError(problem);
  const key = await createStaffKey(staffId, input.pin, (n) => randomBytes(n));
  const staff = StaffSchema.parse({
    id: staffId,
    merchantId,
    updatedAt: new Date().toISOString(),
    _deleted: false,
    name: input.name,
    role: input.role,
    pinHash: await hashPin(input.pin, randomBytes(16)),
    active: true,
    storeIds: input.storeIds ?? [],
    updatedBy: null,
    publicKey: key.publicKey,
    sealedKey: key.sealedKey,
  });
  await db.transaction(async (tx) => {
    await lockMerchant(tx, merchantId);
    await writeServerDocs(tx, 'staff', merchantId, [staff as unknown as Doc], { onlyNew: true });
    await storeStaffKey(tx, merchantId, key);
    await audit(tx, merchantId, actor, 'staff.add', { staffId, role: input.role });
    await notifyPoke(tx, merchantId, ['staff']);
  });
  return staff;
}

/**
 * Sets a member's PIN: a new hash and a new signing key sealed under it. Sessions signed with the old key stay
 * recorded (they were verified when they arrived); terminals can sign new ones only with the new PIN.
 */
export async function setStaffPin(db: Database, merchantId: string, staffId: string, pin: string, actor: Actor): Promise<Staff> {
  const key = await createStaffKey(staffId, pin, (n) => randomBytes(n));
  const pinHash = await hashPin(pin, randomBytes(16));
  return db.transaction(async (tx) => {
    await lockMerchant(tx, merchantId);
    const { rows } = await tx.query<{ doc: Staff }>(`SELECT doc FROM staff WHERE merchant_id = $1 AND id = $2 AND NOT deleted`, [merchantId, staffId]);
    const current = rows[0]?.doc;
    if (!current) throw new AdminError(`staff member ${staffId} does not belong to merchant ${merchantId}`);
    const problem = pinProblem(current.role, pin);
    if (problem) throw new AdminError(problem);
    const next = StaffSchema.parse({ ...current, pinHash, publicKey: key.publicKey, sealedKey: key.sealedKey, updatedBy: null, updatedAt: new Date().toISOString() });
    await writeServerDocs(tx, 'staff', merchantId, [next as unknown as Doc], { onlyNew: false });
    await storeStaffKey(tx, merchantId, key);
    await audit(tx, merchantId, actor, 'staff.pin', { staffId });
    await notifyPoke(tx, merchantId, ['staff']);
    return next;
  });
}

/** A one-time enrolment code for one store, valid for `ttlMinutes`; only its hash is stored. */
export async function createEnrolmentCode(db: Database, merchantId: string, storeId: string, ttlMinutes: number, actor: Actor): Promise<{ code: string; expiresAt: Date }> {
  const code = newEnrolmentCode();
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  await db.transaction(async (tx) => {
    const store = await tx.query(`SELECT 1 FROM stores WHERE merchant_id = $1 AND store_id = $2`, [merchantId, storeId]);
    if (store.rows.length === 0) throw new AdminError(`store ${storeId} does not belong to merchant ${merchantId}`);
    await tx.query(`INSERT INTO enrolment_codes (merchant_id, code_hash, store_id, expires_at) VALUES ($1, $2, $3, $4)`, [merchantId, hashSecret(code), storeId, expiresAt.toISOString()]);
    await audit(tx, merchantId, actor, 'enrolment_code.create', { storeId, expiresAt: expiresAt.toISOString() });
  });
  return { code, expiresAt };
}

/** A terminal as the operator and the managers see it. */
export interface TerminalRow {
  terminalId: string;
  /** Its number within the merchant (1, 2, 3 … in enrolment order). */
  number: number;
  storeId: string;
  storeName: string;
  name: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** Lists a merchant's terminals in enrolment order. */
export async function listTerminals(db: Queryable, merchantId: string): Promise<TerminalRow[]> {
  const { rows } = await db.query<{ terminal_id: string; number: number; store_id: string; store_name: string; name: string; created_at: Date | string; last_seen_at: Date | string | null; revoked_at: Date | string | null }>(
    `SELECT t.terminal_id, t.number, t.store_id, s.name AS store_name, t.name, t.created_at, t.last_seen_at, t.revoked_at
       FROM terminals t JOIN stores s ON s.merchant_id = t.merchant_id AND s.store_id = t.store_id
      WHERE t.merchant_id = $1 ORDER BY t.number`,
    [merchantId],
  );
  return rows.map((r) => ({
    terminalId: r.terminal_id, number: Number(r.number), storeId: r.store_id, storeName: r.store_name, name: r.name,
    createdAt: iso(r.created_at) ?? '', lastSeenAt: iso(r.last_seen_at), revokedAt: iso(r.revoked_at),
  }));
}

/** A merchant as the operator sees it. */
export interface MerchantRow {
  merchantId: string;
  name: string;
  stores: number;
  createdAt: string;
}

/** Lists every merchant on this server, oldest first. */
export async function listMerchants(db: Queryable): Promise<MerchantRow[]> {
  const { rows } = await db.query<{ merchant_id: string; name: string; stores: number | string; created_at: Date | string }>(
    `SELECT m.merchant_id, m.name, (SELECT count(*) FROM stores s WHERE s.merchant_id = m.merchant_id) AS stores, m.created_at
       FROM merchants m ORDER BY m.created_at, m.merchant_id`,
  );
  return rows.map((r) => ({ merchantId: r.merchant_id, name: r.name, stores: Number(r.stores), createdAt: iso(r.created_at) ?? '' }));
}

/** A store as the operator sees it. */
export interface StoreRow {
  storeId: string;
  merchantId: string;
  name: string;
  createdAt: string;
}

/** Lists a merchant's stores, oldest first. */
export async function listStores(db: Queryable, merchantId: string): Promise<StoreRow[]> {
  const { rows } = await db.query<{ store_id: string; name: string; created_at: Date | string }>(
    `SELECT store_id, name, created_at FROM stores WHERE merchant_id = $1 ORDER BY created_at, store_id`,
    [merchantId],
  );
  return rows.map((r) => ({ storeId: r.store_id, merchantId, name: r.name, createdAt: iso(r.created_at) ?? '' }));
}

/** A staff member as the operator sees it (never the PIN hash). */
export interface StaffRow {
  staffId: string;
  name: string;
  role: Role;
  active: boolean;
  storeIds: string[];
}

/** Lists a merchant's staff members (deleted ones left out), by name. */
export async function listStaff(db: Queryable, merchantId: string): Promise<StaffRow[]> {
  const { rows } = await db.query<{ doc: Staff }>(`SELECT doc FROM staff WHERE merchant_id = $1 AND NOT deleted ORDER BY doc->>'name', id`, [merchantId]);
  return rows.map(({ doc }) => ({ staffId: doc.id, name: doc.name, role: doc.role, active: doc.active, storeIds: doc.storeIds }));
}

/** Revokes a terminal: its tokens stop working at once and every instance closes its open streams. */
export async function revokeTerminal(db: Database, terminalId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ merchant_id: string }>(`UPDATE terminals SET revoked_at = COALESCE(revoked_at, now()) WHERE terminal_id = $1 RETURNING merchant_id`, [terminalId]);
    const merchantId = rows[0]?.merchant_id;
    if (!merchantId) throw new AdminError(`no terminal ${terminalId}`);
    await audit(tx, merchantId, actor, 'terminal.revoke', { terminalId });
    await notifyRevocation(tx, terminalId);
  });
}

/** Takes the merchant's clock row lock, as every writer of replicated rows must (docs/architecture.md#gapless-feed). */
export async function lockMerchant(tx: Queryable, merchantId: string): Promise<void> {
  const { rows } = await tx.query(`SELECT version FROM merchant_clock WHERE merchant_id = $1 FOR UPDATE`, [merchantId]);
  if (rows.length === 0) throw new AdminError(`no merchant ${merchantId}`);
}
