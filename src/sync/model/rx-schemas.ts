/**
 * RxDB JSON schemas of the replicated collections, hand-written to mirror the zod contract.
 *
 * Two rules keep them safe to ship:
 *
 * 1. They state the *shape* (fields, JSON types, nullability, nested objects) and only the value bounds RxDB
 *    itself needs (maxLength of the primary key and of indexed fields). Value rules (lengths, enums, regexes,
 *    integer ranges) are zod's job: the server checks every push with zod, the client parses before writing.
 *    RxDB stores a hash of each schema; any edit here without a `version` bump and a migration strategy
 *    makes every installed terminal refuse to open its database (RxDB error DB6). Keeping value rules out
 *    means relaxing a zod bound or adding an enum value never forces a migration of 100k documents.
 * 2. They are literals, not derived from zod at run time, for the same reason: a zod upgrade must not be
 *    able to change a stored schema hash. test/sync/model/rx-schemas.test.ts proves they agree with zod.
 *
 * `_deleted` is not listed: RxDB adds it (and `_rev`, `_meta`, `_attachments`) itself and prepends
 * `_deleted` to every index. RxDB also forces `additionalProperties: false` on the top level.
 * This module imports no RxDB (src/sync/model is pure), so the types below are structural twins of
 * rxdb's `JsonSchema` / `RxJsonSchema<T>`; the test checks they are assignable to the real ones.
 */
import type { CustomerGroup } from './customer-group.ts';
import type { Customer } from './customer.ts';
import { upgradeCustomerV0, type CustomerV0 } from './customer-profile.ts';
import type { InboxItem } from './inbox.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { CollectionName } from './wire-protocol.ts';
import { upgradeRewardV0, type Reward } from './reward.ts';
import { upgradeSettingsV0, upgradeSettingsV1, type Settings } from './settings.ts';
import type { Staff } from './staff.ts';
import type { Visit } from './visit.ts';

/** A JSON Schema type name. */
export type JsonTypeName = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** One property schema as RxDB reads it (a structural subset of rxdb's `JsonSchema`). */
export interface RxPropertySchema {
  readonly type: JsonTypeName | readonly JsonTypeName[];
  /** Only on the primary key and indexed strings: RxDB pads index strings to this length. */
  readonly maxLength?: number;
  readonly items?: RxPropertySchema;
  readonly properties?: { readonly [field: string]: RxPropertySchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | RxPropertySchema;
}

/** Top-level field names of a document type. */
type Field<T> = Extract<keyof T, string>;

/** An RxDB collection schema for documents of type `T` (a structural twin of rxdb's `RxJsonSchema<T>`). */
export interface RxCollectionSchema<T> {
  readonly version: number;
  readonly primaryKey: 'id' & Field<T>;
  readonly type: 'object';
  readonly properties: { readonly [K in Field<T>]: RxPropertySchema };
  readonly required: readonly Field<T>[];
  readonly indexes: readonly (Field<T> | readonly Field<T>[])[];
  readonly additionalProperties: false;
}

/** A document as RxDB stores it: the wire document without `_deleted`, which RxDB manages itself. */
export type RxDocType<T> = Omit<T, '_deleted'>;

/** Local document type of each collection. */
export interface CollectionDocTypes {
  customers: RxDocType<Customer>;
  visits: RxDocType<Visit>;
  loyaltyEntries: RxDocType<LoyaltyEntry>;
  rewards: RxDocType<Reward>;
  settings: RxDocType<Settings>;
  staff: RxDocType<Staff>;
  inbox: RxDocType<InboxItem>;
  customerGroups: RxDocType<CustomerGroup>;
}
/** Local document type of collection `K`. */
export type CollectionDocType<K extends CollectionName> = CollectionDocTypes[K];

// Length bounds RxDB needs for the primary key and indexed strings. Each is the longest value zod accepts
// (the test proves it against the zod schemas).
/** A canonical lower-case UUID is exactly 36 characters. */
const UUID_LENGTH = 36;
/** `Date.prototype.toISOString()`: `YYYY-MM-DDTHH:mm:ss.sssZ`. */
const ISO_DATETIME_LENGTH = 24;

const string: RxPropertySchema = { type: 'string' };
const nullableString: RxPropertySchema = { type: ['string', 'null'] };
const integer: RxPropertySchema = { type: 'integer' };
const nullableInteger: RxPropertySchema = { type: ['integer', 'null'] };
const number: RxPropertySchema = { type: 'number' };
const boolean: RxPropertySchema = { type: 'boolean' };
const stringArray: RxPropertySchema = { type: 'array', items: string };
const id: RxPropertySchema = { type: 'string', maxLength: UUID_LENGTH };
const indexedDateTime: RxPropertySchema = { type: 'string', maxLength: ISO_DATETIME_LENGTH };

/** A strict nested object whose every field is required (all contract objects are `z.strictObject`). */
function object(properties: { readonly [field: string]: RxPropertySchema }, optional: readonly string[] = []): RxPropertySchema {
  return { type: 'object', properties, required: Object.keys(properties).filter((field) => !optional.includes(field)), additionalProperties: false };
}

function nullable(schema: RxPropertySchema): RxPropertySchema {
  return { ...schema, type: [schema.type as JsonTypeName, 'null'] };
}

function collection<T>(
  properties: { readonly [K in Field<T>]: RxPropertySchema },
  indexes: readonly (Field<T> | readonly Field<T>[])[],
  version = 0,
  optional: readonly Field<T>[] = [],
): RxCollectionSchema<T> {
  return {
    version,
    primaryKey: 'id' as 'id' & Field<T>,
    type: 'object',
    properties,
    // Every contract field is required (nullable fields are present and null, never absent), except the few a
    // later version added as optional so stored documents stay valid without a rewrite.
    required: (Object.keys(properties) as Field<T>[]).filter((field) => !optional.includes(field)),
    indexes,
    additionalProperties: false,
  };
}

const recordedConflicts: RxPropertySchema = {
  type: 'array',
  items: object({ field: string, lost: string, kept: string, at: string }),
};

/**
 * Customers: index-backed phone prefix, last-digits and name lookups (docs/architecture.md#lookup). The second
 * phone's keys are not indexed: the in-memory lookup index holds them, and every RxDB index slows each insert.
 */
const customers = collection<RxDocType<Customer>>(
  {
    id,
    merchantId: string,
    updatedAt: indexedDateTime,
    phone: string,
    // `^\d{4,20}$` / `^\d{7,15}$` in the contract.
    phoneKey: { type: 'string', maxLength: 20 },
    phoneReversed: { type: 'string', maxLength: 15 },
    name: string,
    nameKey: { type: 'string', maxLength: 200 },
    phone2: nullableString,
    phone2Key: nullableString,
    phone2Reversed: nullableString,
    email: nullableString,
    birthday: nullableString,
    anniversary: nullableString,
    address: string,
    company: string,
    source: nullableString,
    preferredChannel: nullableString,
    timeline: { type: 'array', items: object({ id: string, text: string, at: string, by: string }) },
    preferences: object({ favorites: stringArray, allergies: stringArray, preferredTime: nullableString }),
    tags: stringArray,
    consent: { type: 'array', items: object({ id: string, channel: string, state: string, at: string, source: string, by: string }) },
    status: string,
    priorVisits: integer,
    mergedInto: nullableString,
    storeId: string,
    createdAt: string,
    updatedBy: string,
    conflicts: recordedConflicts,
  },
  // Each is a range query sorted by the same field (docs/architecture.md#performance): `phoneKey` for the national-number prefix
  // the cashier types, `phoneReversed` for "last four digits", `nameKey` for the folded name prefix,
  // `updatedAt` for the recently-changed list. Each index costs ~15 % of insert speed, so no more.
  ['phoneKey', 'phoneReversed', 'nameKey', 'updatedAt'],
  2,
  // Absent is no visits before Patron, so no stored customer needs a rewrite (and the server none either).
  ['priorVisits'],
);

/** Visits: a customer's history newest first, and date ranges for analytics. */
const visits = collection<RxDocType<Visit>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    storeId: string,
    customerId: id,
    terminalId: string,
    staffId: string,
    occurredAt: indexedDateTime,
    items: { type: 'array', items: object({ name: string, quantity: integer, unitPrice: integer }) },
    subtotal: integer,
    discount: integer,
    total: integer,
    currency: string,
    paymentMethod: string,
    pointsEarned: integer,
    notes: string,
    feedback: nullable(object({ rating: integer, comment: string })),
    voided: boolean,
    voidedAt: nullableString,
    voidedBy: nullableString,
    voidReason: nullableString,
    rewards: { type: 'array', items: object({ rewardId: string, entryId: string, points: integer, discount: integer }) },
  },
  [['customerId', 'occurredAt'], 'occurredAt'],
  1,
  ['rewards'],
);

/**
 * Ledger: a customer's entries (balance = their sum, history by date). No `visitId` index: it is nullable,
 * which RxDB cannot index, and not needed — a visit's earning has the deterministic id `earnEntryId(visitId)`
 * and its reversal `reversalEntryId(...)`, so both are primary-key lookups.
 */
const loyaltyEntries = collection<RxDocType<LoyaltyEntry>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    customerId: id,
    kind: string,
    points: integer,
    visitId: nullableString,
    rewardId: nullableString,
    reversesId: nullableString,
    storeId: string,
    terminalId: string,
    staffId: string,
    offline: boolean,
    note: string,
    occurredAt: indexedDateTime,
    stamps: integer,
  },
  [['customerId', 'occurredAt']],
  1,
  // `stamps` is on stamp lines only: points lines have none, so no stored line needs a rewrite.
  ['stamps'],
);

/**
 * Rewards: a catalog of tens of documents; scanning beats paying for an index on every write.
 */
const rewards = collection<RxDocType<Reward>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    name: string,
    description: string,
    type: string,
    pointsCost: integer,
    value: integer,
    itemName: string,
    percent: integer,
    stock: nullableInteger,
    minTier: nullableString,
    validFrom: nullableString,
    validUntil: nullableString,
    cap: nullable(object({ count: integer, period: string })),
    active: boolean,
    updatedBy: string,
  },
  [],
  1,
);

/**
 * Settings: one document per merchant, read by primary key.
 */
const settings = collection<RxDocType<Settings>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    businessName: string,
    currency: string,
    currencyDisplay: string,
    defaultRegion: string,
    locale: string,
    timeZone: string,
    stores: { type: 'array', items: object({ id: string, name: string, address: string }) },
    program: object({
      earnPoints: integer,
      earnPer: integer,
      visitBonus: integer,
      tiers: { type: 'array', items: object({ tier: string, threshold: integer, multiplier: number, perks: stringArray }) },
      expiryDays: nullableInteger,
      offlineRedeemCap: integer,
      offlineMaxDataAgeHours: integer,
      cashierAdjustLimit: integer,
      managerAdjustLimit: integer,
      voidApprovalAgeDays: integer,
      birthdayRewardId: nullableString,
      // Optional: a programme without them runs points only, so no stored programme needs a rewrite.
      earnsPoints: boolean,
      stampCard: nullable(object({ per: string, stamps: integer, items: stringArray, minTotal: integer, cardSize: integer, reward: string })),
    }, ['earnsPoints', 'stampCard']),
    segments: object({
      newDays: integer,
      windowDays: integer,
      regularMinVisits: integer,
      vipMinVisits: integer,
      vipMinSpend: integer,
      atRiskDays: integer,
      churnedDays: integer,
    }),
    tagCatalogue: { type: 'array', items: object({ name: string, colour: string }) },
    updatedBy: string,
    conflicts: recordedConflicts,
  },
  [],
  2,
);

/** Staff: tens of documents, scanned at sign-in. */
const staff = collection<RxDocType<Staff>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    name: string,
    role: string,
    pinHash: string,
    active: boolean,
    storeIds: stringArray,
    updatedBy: nullableString,
    publicKey: nullableString,
    sealedKey: nullableString,
  },
  [],
  1,
);

/** Inbox: open items newest first. */
const inbox = collection<RxDocType<InboxItem>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    kind: string,
    // An enum in the contract (longest value 9); 16 leaves room for a new status without a migration.
    status: { type: 'string', maxLength: 16 },
    customerId: nullableString,
    relatedId: nullableString,
    targetCollection: nullableString,
    code: string,
    details: { type: 'object', additionalProperties: string },
    createdAt: indexedDateTime,
    resolvedAt: nullableString,
    resolvedBy: nullableString,
  },
  [['status', 'createdAt']],
);

/** Saved customer groups: tens of documents, read whole. */
const customerGroups = collection<RxDocType<CustomerGroup>>(
  {
    id,
    merchantId: string,
    updatedAt: string,
    name: string,
    filter: object({
      lastVisitFrom: nullableString,
      lastVisitTo: nullableString,
      visitsMin: nullableInteger,
      visitsMax: nullableInteger,
      spendMin: nullableInteger,
      spendMax: nullableInteger,
      pointsMin: nullableInteger,
      pointsMax: nullableInteger,
      signedUpFrom: nullableString,
      signedUpTo: nullableString,
      tags: stringArray,
      birthdayMonth: nullableInteger,
      consent: string,
      storeId: nullableString,
      segment: nullableString,
      tier: nullableString,
      status: nullableString,
    }),
    updatedBy: string,
  },
  [],
);

/** RxDB schema of every replicated collection, keyed by collection name. */
export const RX_SCHEMAS: { readonly [K in CollectionName]: RxCollectionSchema<CollectionDocType<K>> } = {
  customers,
  visits,
  loyaltyEntries,
  rewards,
  settings,
  staff,
  inbox,
  customerGroups,
};

/** An RxDB migration strategy: a document of the previous schema version → this version's. */
export type RxMigrationStrategy = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * A version-0 staff document in the current shape: no author of the last change and no signing key in the
 * document (such a member's key is served by `GET /v1/staff-keys`); server migration 015 writes the same.
 */
export function upgradeStaffV0(doc: Record<string, unknown>): Record<string, unknown> {
  return { ...doc, updatedBy: null, publicKey: null, sealedKey: null };
}

/**
 * RxDB migration strategies by collection and target version. RxDB runs them on open, on the documents and on
 * the replication's assumed master states alike, so the server's stored documents must be migrated to exactly
 * the same result, or the next push meets a false conflict. Which server migration matches which strategy, and
 * what each version holds: docs/protocol.md §1.
 */
export const RX_MIGRATIONS: { readonly [K in CollectionName]: { readonly [version: number]: RxMigrationStrategy } } = {
  customers: {
    1: (doc) => upgradeCustomerV0(doc as unknown as CustomerV0) as unknown as Record<string, unknown>,
    // `priorVisits` is optional: stored customers stay as they are, as the server's do.
    2: (doc) => doc,
  },
  // The visit's `rewards` is optional: stored visits stay as they are.
  visits: { 1: (doc) => doc },
  loyaltyEntries: { 1: (doc) => doc },
  rewards: { 1: (doc) => upgradeRewardV0(doc) },
  settings: {
    1: (doc) => upgradeSettingsV0(doc as unknown as Parameters<typeof upgradeSettingsV0>[0]),
    2: (doc) => upgradeSettingsV1(upgradeSettingsV0(doc as unknown as Parameters<typeof upgradeSettingsV0>[0])),
  },
  staff: { 1: upgradeStaffV0 },
  inbox: {},
  customerGroups: {},
};
