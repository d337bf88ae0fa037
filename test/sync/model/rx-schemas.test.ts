// The hand-written RxDB schemas against the zod contract, and against a real RxDB (memory storage,
// dev-mode on, which checks schemas strictly, behind both JSON Schema validators RxDB ships).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  addRxPlugin,
  createRxDatabase,
  type MangoQuery,
  type RxCollection,
  type RxDatabase,
  type RxJsonSchema,
} from 'rxdb';
import { RxDBDevModePlugin, disableWarnings } from 'rxdb/plugins/dev-mode';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { wrappedValidateZSchemaStorage } from 'rxdb/plugins/validate-z-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IsoDateTimeSchema } from '../../../src/sync/model/common.ts';
import { CustomerSchema } from '../../../src/sync/model/customer.ts';
import { earnEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import { CustomerGroupSchema } from '../../../src/sync/model/customer-group.ts';
import { EMPTY_FILTER } from '../../../src/sync/model/customer-filter.ts';
import { InboxItemSchema } from '../../../src/sync/model/inbox.ts';
import { LoyaltyEntrySchema } from '../../../src/sync/model/loyalty-entry.ts';
import { COLLECTION_NAMES, COLLECTION_SCHEMAS, type CollectionName } from '../../../src/sync/model/wire-protocol.ts';
import { RewardSchema } from '../../../src/sync/model/reward.ts';
import {
  RX_MIGRATIONS,
  RX_SCHEMAS,
  type CollectionDocType,
  type RxCollectionSchema,
  type RxPropertySchema,
} from '../../../src/sync/model/rx-schemas.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, SettingsSchema } from '../../../src/sync/model/settings.ts';
import { StaffSchema } from '../../../src/sync/model/staff.ts';
import { VisitSchema } from '../../../src/sync/model/visit.ts';

// Compile-time: the model's structural types are assignable to RxDB's own (the model may not import rxdb).
const _typed: { [K in CollectionName]: RxJsonSchema<CollectionDocType<K>> } = RX_SCHEMAS;

/** A JSON Schema node, as zod emits it or as rx-schemas.ts writes it. */
interface JsonNode {
  type?: string | readonly string[];
  anyOf?: readonly JsonNode[];
  enum?: readonly unknown[];
  properties?: Readonly<Record<string, JsonNode>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonNode;
  items?: JsonNode;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

const entries = COLLECTION_NAMES.map((name) => [name] as const);
const rx = (name: CollectionName) => RX_SCHEMAS[name] as RxCollectionSchema<Record<string, unknown>>;
const zodJson = (schema: z.ZodType): JsonNode => z.toJSONSchema(schema, { io: 'input' }) as JsonNode;

/** The zod document schema as JSON Schema, without RxDB's own `_deleted`. */
function zodDocument(name: CollectionName): JsonNode {
  const json = zodJson(COLLECTION_SCHEMAS[name]);
  const { _deleted, ...properties } = json.properties ?? {};
  expect(_deleted).toEqual({ type: 'boolean' });
  return { ...json, properties, required: (json.required ?? []).filter((f) => f !== '_deleted') };
}

/** Shape of a node: JSON types (nullability included), nested fields, required, items; no value rules. */
interface Shape {
  types: string[];
  properties?: Record<string, Shape>;
  required?: string[];
  additionalProperties?: boolean | Shape;
  items?: Shape;
}

function shapeOf(node: JsonNode): Shape {
  if (node.anyOf) {
    // zod writes `.nullable()` as anyOf [T, null]; RxDB schemas as type [T, 'null'].
    const branches = node.anyOf.map(shapeOf);
    const structural = branches.find((b) => !b.types.includes('null')) ?? { types: [] };
    return { ...structural, types: [...new Set(branches.flatMap((b) => b.types))].sort() };
  }
  const shape: Shape = { types: [node.type ?? []].flat().sort() };
  if (node.properties)
    shape.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, shapeOf(v)]));
  if (node.required) shape.required = [...node.required].sort();
  if (node.additionalProperties !== undefined)
    shape.additionalProperties =
      typeof node.additionalProperties === 'boolean' ? node.additionalProperties : shapeOf(node.additionalProperties);
  if (node.items) shape.items = shapeOf(node.items);
  return shape;
}

const nullableFields = (node: JsonNode) =>
  Object.entries(node.properties ?? {})
    .filter(([, v]) => shapeOf(v).types.includes('null'))
    .map(([k]) => k)
    .sort();

/** The primary key and every field of every index. */
const keyFields = (name: CollectionName) => [
  ...new Set<string>([rx(name).primaryKey, ...rx(name).indexes.flatMap((index) => [index].flat())]),
];

describe('RxDB schemas agree with the zod contract', () => {
  it.each(entries)('%s: a migration strategy for every version, primary key id (maxLength 36), additionalProperties false', (name) => {
    const schema = rx(name);
    expect(schema).toMatchObject({ primaryKey: 'id', type: 'object', additionalProperties: false });
    // RxDB refuses to open a collection whose versions 1…n lack a strategy; none for versions that do not exist.
    expect(Object.keys(RX_MIGRATIONS[name]).map(Number).sort()).toEqual(Array.from({ length: schema.version }, (_, i) => i + 1));
    expect(schema.properties.id).toEqual({ type: 'string', maxLength: 36 });
  });

  it.each(entries)('%s: the same fields as zod, without _deleted', (name) => {
    expect(Object.keys(rx(name).properties).sort()).toEqual(
      Object.keys(COLLECTION_SCHEMAS[name].shape)
        .filter((field) => field !== '_deleted')
        .sort(),
    );
    expect(rx(name).properties).not.toHaveProperty('_deleted');
  });

  it.each(entries)('%s: required is every zod field except _deleted and the optional ones', (name) => {
    const zod = zodDocument(name);
    expect([...rx(name).required].sort()).toEqual([...(zod.required ?? [])].sort());
    const optional = (node: { properties?: object; required?: readonly string[] }) => Object.keys(node.properties ?? {}).filter((f) => !(node.required ?? []).includes(f)).sort();
    expect(optional(rx(name))).toEqual(optional(zod));
  });

  it.each(entries)('%s: the same nullable fields as zod', (name) => {
    const expected = nullableFields(zodDocument(name));
    expect(nullableFields(rx(name) as JsonNode)).toEqual(expected);
  });

  it.each(entries)('%s: the same shape as zod, nested objects and arrays included', (name) => {
    expect(shapeOf(rx(name) as JsonNode)).toEqual(shapeOf(zodDocument(name)));
  });
});

describe('RxDB schemas state value bounds only where RxDB needs them', () => {
  const SHAPE_KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'items']);

  function valueKeywords(node: JsonNode, path: string): string[] {
    const found: string[] = [];
    for (const [keyword, value] of Object.entries(node)) {
      if (!SHAPE_KEYWORDS.has(keyword)) found.push(`${path}.${keyword}`);
      else if (keyword === 'properties')
        for (const [field, child] of Object.entries(value as Record<string, JsonNode>))
          found.push(...valueKeywords(child, path ? `${path}.${field}` : field));
      else if ((keyword === 'items' || keyword === 'additionalProperties') && typeof value === 'object')
        found.push(...valueKeywords(value as JsonNode, `${path}.${keyword}`));
    }
    return found;
  }

  it.each(entries)(
    '%s: the only value rule is maxLength on the primary key and indexed fields (zod owns the rest)',
    (name) => {
      const { version: _v, primaryKey: _p, indexes: _i, ...body } = rx(name);
      expect(valueKeywords(body as JsonNode, '').sort()).toEqual(
        keyFields(name)
          .map((f) => `${f}.maxLength`)
          .sort(),
      );
    },
  );

  it.each(entries)('%s: every indexed field is required, of a single type and bounded', (name) => {
    const schema = rx(name);
    for (const field of keyFields(name)) {
      const property = schema.properties[field] as RxPropertySchema;
      expect(schema.required, field).toContain(field);
      // A single type: RxDB cannot index a nullable field (type array). All keys here are strings (numbers
      // would need minimum, maximum and multipleOf instead).
      expect(property.type, field).toBe('string');
      expect(property.maxLength, field).toBeGreaterThan(0);
      expect(property.maxLength, field).toBeLessThanOrEqual(2048); // RxDB's SC42 limit
    }
  });

  // Regex-bounded contract strings: the longest value zod accepts and one character more, which it refuses.
  const WITNESSES = [
    { kind: 'uuid', longest: '0190a4a8-5f3e-7c2d-8b1a-3e4f5a6b7c8d', tooLong: '0190a4a8-5f3e-7c2d-8b1a-3e4f5a6b7c8d0' },
    { kind: 'phoneKey', longest: '0'.repeat(20), tooLong: '0'.repeat(21) },
    { kind: 'phoneReversed', longest: '9'.repeat(15), tooLong: '9'.repeat(16) },
    // Millisecond precision exactly (see the precision test below): toISOString() is the only accepted form.
    {
      kind: 'datetime',
      longest: new Date(Date.UTC(2024, 0, 15, 10, 30)).toISOString(),
      tooLong: '2024-01-15T10:30:00.0000Z',
    },
  ] as const;

  /** The longest value the zod field accepts (its maxLength, its longest enum value, or a witness). */
  function zodLongest(name: CollectionName, field: string): { length: number; kind: string } {
    const fieldSchema = (COLLECTION_SCHEMAS[name].shape as Record<string, z.ZodType>)[field];
    if (!fieldSchema) throw new Error(`${name}.${field} is not a zod field`);
    const json = zodJson(fieldSchema);
    if (typeof json.maxLength === 'number') return { length: json.maxLength, kind: 'maxLength' };
    if (json.enum) return { length: Math.max(...json.enum.map((v) => String(v).length)), kind: 'enum' };
    const witness = WITNESSES.find((w) => fieldSchema.safeParse(w.longest).success);
    if (!witness) throw new Error(`no length witness for ${name}.${field}: add one`);
    if (witness.tooLong !== null)
      expect(fieldSchema.safeParse(witness.tooLong).success, `${name}.${field}`).toBe(false);
    return { length: witness.longest.length, kind: witness.kind };
  }

  it.each(entries)('%s: no indexed maxLength refuses a value zod accepts', (name) => {
    for (const field of keyFields(name)) {
      const { length } = zodLongest(name, field);
      expect(rx(name).properties[field]?.maxLength, `${name}.${field}`).toBeGreaterThanOrEqual(length);
    }
  });

  it('indexed datetimes are bounded by the canonical toISOString() form, 24 characters', () => {
    const indexedDatetimes = COLLECTION_NAMES.flatMap((name) =>
      keyFields(name)
        .filter((field) => zodLongest(name, field).kind === 'datetime')
        .map((field) => `${name}.${field}:${rx(name).properties[field]?.maxLength}`),
    );
    expect(indexedDatetimes.sort()).toEqual([
      'customers.updatedAt:24',
      'inbox.createdAt:24',
      'loyaltyEntries.occurredAt:24',
      'visits.occurredAt:24',
    ]);
  });

  // Mixed precisions would not sort chronologically ('…:00Z' > '…:00.500Z', since 'Z' > '.'), and the indexed
  // range queries on occurredAt / updatedAt / createdAt rely on string order: the contract pins the
  // toISOString() form, which is also what makes 24 characters an upper bound.
  it('the contract takes datetimes with exactly millisecond precision, so string order is time order', () => {
    expect(IsoDateTimeSchema.safeParse('2024-01-15T10:30:00.000Z').success).toBe(true);
    expect(IsoDateTimeSchema.safeParse('2024-01-15T10:30:00.500Z').success).toBe(true);
    expect(IsoDateTimeSchema.safeParse('2024-01-15T10:30:00Z').success).toBe(false);
    expect(IsoDateTimeSchema.safeParse('2024-01-15T10:30:00.5Z').success).toBe(false);
    expect(IsoDateTimeSchema.safeParse('2024-01-15T10:30:00.0000Z').success).toBe(false);
    expect(IsoDateTimeSchema.safeParse('2024-01-15T14:00:00.000+03:30').success).toBe(false);
  });
});

// RxDB stores a hash of each collection schema and refuses to open a database whose stored schema differs at
// the same version (DB6). So a schema written at a version is history: the snapshot keeps every
// (collection, version) ever written and is never rewritten; a changed schema needs a version bump and a
// migration strategy, and then its new version is added.
describe('stored RxDB schemas change only with a version bump', () => {
  type RxSnapshot = Record<string, Record<string, unknown>>;
  const file = new URL('./__snapshots__/rx-schemas.json', import.meta.url);
  const WRITE = 'run UPDATE_RX_SNAPSHOT=1 npx vitest run test/sync/model/rx-schemas.test.ts';

  /** What RxDB hashes, normalised as it does: object keys sorted, array order kept (it is part of the hash). */
  function canonical(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
      );
    return value;
  }

  let committed: RxSnapshot | undefined;

  beforeAll(() => {
    const recorded = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RxSnapshot) : {};
    if (process.env.UPDATE_RX_SNAPSHOT === '1') {
      // Adds the missing (collection, version) entries; a recorded one is history and is never rewritten.
      const next: RxSnapshot = structuredClone(recorded);
      for (const name of COLLECTION_NAMES) {
        const versions = (next[name] ??= {});
        versions[String(rx(name).version)] ??= canonical(rx(name));
      }
      if (JSON.stringify(next) !== JSON.stringify(recorded))
        writeFileSync(file, `${JSON.stringify(canonical(next), null, 2)}\n`);
      committed = next;
    } else if (existsSync(file)) committed = recorded;
  });

  function recorded(name: CollectionName, version: number): unknown {
    if (!committed) throw new Error(`no RxDB schema snapshot: ${WRITE}`);
    const schema = committed[name]?.[String(version)];
    if (schema === undefined) throw new Error(`${name} v${version} is not recorded: ${WRITE}`);
    return schema;
  }

  it.each(entries)('%s: the schema is the one recorded for its version', (name) => {
    const changed = JSON.stringify(recorded(name, rx(name).version)) !== JSON.stringify(canonical(rx(name)));
    if (changed)
      throw new Error(
        `${name} changed at version ${rx(name).version}: installed terminals would refuse to open (DB6). ` +
          `Bump its version, add a migration strategy, and ${WRITE}`,
      );
  });

  it.each(entries)('%s: every earlier version stays recorded', (name) => {
    for (let version = 0; version <= rx(name).version; version++) expect(recorded(name, version)).toBeDefined();
  });
});

/** A document of collection `K` as it travels on the wire (with `_deleted`). */
type WireDoc<K extends CollectionName> = z.infer<(typeof COLLECTION_SCHEMAS)[K]>;

/** Parses a document with its zod schema (a sample must be valid by the contract, not only by RxDB). */
const valid = <S extends z.ZodType>(schema: S, doc: z.input<S>): z.output<S> => schema.parse(doc);

/** Lower-case UUIDs (v7-shaped), numbered for readability. */
const uuid = (n: number) => `0190a4a8-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const MERCHANT = uuid(0x01);
const OTHER_MERCHANT = uuid(0x02);
const STORE_VANAK = uuid(0x11);
const STORE_TAJRISH = uuid(0x12);
const TERMINAL = uuid(0x21);
const OWNER = uuid(0x31);
const CASHIER = uuid(0x32);
const ZAHRA = uuid(0x41);
const AHMAD = uuid(0x42);
const VISIT_OPEN = uuid(0x51);
const VISIT_VOIDED = uuid(0x52);
const REWARD_ESPRESSO = uuid(0x61);
const REWARD_DISCOUNT = uuid(0x62);
const ADJUSTMENT = uuid(0x71);
const INBOX_OPEN = uuid(0x81);
const INBOX_RESOLVED = uuid(0x82);
const GROUP_ALL = uuid(0x91);
const GROUP_GOLD = uuid(0x92);
const PIN_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Q2FmZVNlcnZhblBpbkhhc2hGb3JUZXN0c09ubHk';

/**
 * Two zod-valid documents per collection: every nullable field null (arrays and texts empty), and every
 * field filled. Values follow seed 001 (a Persian café: Iranian phones, IRR amounts).
 */
const SAMPLES = {
  customers: [
    valid(CustomerSchema, {
      id: ZAHRA,
      merchantId: MERCHANT,
      updatedAt: '2024-01-20T17:45:12.345Z',
      phone: '+989351234567',
      phoneKey: '09351234567',
      phoneReversed: '765432153989',
      name: 'زهرا حسینی',
      nameKey: 'زهرا حسینی',
      email: null,
      birthday: null,
      anniversary: null,
      phone2: null,
      phone2Key: null,
      phone2Reversed: null,
      address: '',
      company: '',
      source: null,
      preferredChannel: null,
      timeline: [],
      preferences: { favorites: [], allergies: [], preferredTime: null },
      tags: [],
      consent: [],
      status: 'active',
      mergedInto: null,
      storeId: STORE_VANAK,
      createdAt: '2024-01-20T17:45:12.345Z',
      updatedBy: CASHIER,
      conflicts: [],
      _deleted: false,
    }),
    valid(CustomerSchema, {
      id: AHMAD,
      merchantId: MERCHANT,
      updatedAt: '2024-01-10T09:00:00.000Z',
      phone: '+989123456789',
      phoneKey: '09123456789',
      phoneReversed: '987654321989',
      name: 'احمد محمدی',
      nameKey: 'احمد محمدی',
      email: 'ahmad.mohammadi@example.com',
      birthday: '1990-02-04',
      anniversary: '2015-06-21',
      phone2: '+989351112233',
      phone2Key: '09351112233',
      phone2Reversed: '332211153989',
      address: 'تهران، خیابان ولیعصر، پلاک ۱۲',
      company: 'کافه سل',
      source: 'referral',
      preferredChannel: 'sms',
      timeline: [
        { id: `${AHMAD}:note`, text: 'اسپرسو بدون شکر', at: '2023-06-01T08:15:00.000Z', by: OWNER },
        { id: '0194f3a2-7b1c-7d4e-8f60-2a3b4c5d6e7f', text: 'تولد دخترش در اسفند', at: '2024-01-10T09:00:00.000Z', by: CASHIER },
      ],
      preferences: { favorites: ['اسپرسو', 'کیک شکلاتی'], allergies: ['لاکتوز'], preferredTime: 'morning' },
      tags: ['vip', 'همسایه'],
      consent: [
        { id: `${AHMAD}:sms`, channel: 'sms', state: 'granted', at: '2023-06-01T08:15:00.000Z', source: 'migrated', by: OWNER },
        { id: '0194f3a2-7b1c-7d4e-8f60-2a3b4c5d6e80', channel: 'email', state: 'withdrawn', at: '2024-01-10T09:00:00.000Z', source: 'customer-request', by: CASHIER },
      ],
      status: 'inactive',
      mergedInto: ZAHRA,
      storeId: STORE_TAJRISH,
      createdAt: '2023-06-01T08:15:00.000Z',
      updatedBy: OWNER,
      conflicts: [{ field: 'name', lost: '"احمد محمدي"', kept: '"احمد محمدی"', at: '2024-01-09T16:20:05.120Z' }],
      _deleted: false,
    }),
  ],
  visits: [
    valid(VisitSchema, {
      id: VISIT_OPEN,
      merchantId: MERCHANT,
      updatedAt: '2024-01-15T10:30:00.000Z',
      storeId: STORE_VANAK,
      customerId: AHMAD,
      terminalId: TERMINAL,
      staffId: CASHIER,
      occurredAt: '2024-01-15T10:30:00.000Z',
      items: [],
      subtotal: 0,
      discount: 0,
      total: 0,
      currency: 'IRR',
      paymentMethod: 'cash',
      pointsEarned: 0,
      notes: '',
      feedback: null,
      voided: false,
      voidedAt: null,
      voidedBy: null,
      voidReason: null,
      _deleted: false,
    }),
    valid(VisitSchema, {
      id: VISIT_VOIDED,
      merchantId: MERCHANT,
      updatedAt: '2024-01-14T18:20:00.000Z',
      storeId: STORE_TAJRISH,
      customerId: AHMAD,
      terminalId: TERMINAL,
      staffId: CASHIER,
      occurredAt: '2024-01-14T18:05:30.250Z',
      items: [
        { name: 'اسپرسو', quantity: 2, unitPrice: 45_000 },
        { name: 'کیک شکلاتی', quantity: 1, unitPrice: 80_000 },
      ],
      subtotal: 170_000,
      discount: 20_000,
      total: 150_000,
      currency: 'IRR',
      paymentMethod: 'card',
      pointsEarned: 150,
      notes: 'بدون شکر',
      feedback: { rating: 4, comment: 'قهوه عالی بود' },
      voided: true,
      voidedAt: '2024-01-14T18:20:00.000Z',
      voidedBy: OWNER,
      voidReason: 'پرداخت تکراری',
      _deleted: false,
    }),
  ],
  loyaltyEntries: [
    valid(LoyaltyEntrySchema, {
      id: ADJUSTMENT,
      merchantId: MERCHANT,
      updatedAt: '2024-01-20T17:46:00.000Z',
      customerId: ZAHRA,
      kind: 'adjust',
      points: 50,
      visitId: null,
      rewardId: null,
      reversesId: null,
      storeId: STORE_VANAK,
      terminalId: TERMINAL,
      staffId: OWNER,
      offline: false,
      note: '',
      occurredAt: '2024-01-20T17:46:00.000Z',
      _deleted: false,
    }),
    valid(LoyaltyEntrySchema, {
      // The reversal of the voided visit's earning: both ids are deterministic.
      id: reversalEntryId(earnEntryId(VISIT_VOIDED)),
      merchantId: MERCHANT,
      updatedAt: '2024-01-14T18:20:00.000Z',
      customerId: AHMAD,
      kind: 'reversal',
      points: -150,
      visitId: VISIT_VOIDED,
      rewardId: REWARD_DISCOUNT,
      reversesId: earnEntryId(VISIT_VOIDED),
      storeId: STORE_TAJRISH,
      terminalId: TERMINAL,
      staffId: OWNER,
      offline: true,
      note: 'ابطال خرید: پرداخت تکراری',
      occurredAt: '2024-01-14T18:20:00.000Z',
      _deleted: false,
    }),
  ],
  rewards: [
    valid(RewardSchema, {
      id: REWARD_ESPRESSO,
      merchantId: MERCHANT,
      updatedAt: '2023-12-01T08:00:00.000Z',
      name: 'اسپرسو رایگان',
      description: '',
      type: 'freeItem',
      pointsCost: 200,
      value: 45_000,
      itemName: 'اسپرسو',
      percent: 0,
      cap: null,
      stock: null,
      minTier: null,
      validFrom: null,
      validUntil: null,
      active: true,
      updatedBy: OWNER,
      _deleted: false,
    }),
    valid(RewardSchema, {
      id: REWARD_DISCOUNT,
      merchantId: MERCHANT,
      updatedAt: '2024-01-05T12:00:00.000Z',
      name: 'تخفیف ۲۰ هزار ریالی',
      description: '۲۰٬۰۰۰ ریال تخفیف روی هر سفارش',
      type: 'amountOff',
      pointsCost: 150,
      value: 20_000,
      itemName: '',
      percent: 0,
      cap: { count: 1, period: 'week' },
      stock: 25,
      minTier: 'silver',
      validFrom: '2024-01-21',
      validUntil: '2024-02-19',
      active: false,
      updatedBy: OWNER,
      _deleted: false,
    }),
  ],
  settings: [
    valid(SettingsSchema, {
      id: MERCHANT,
      merchantId: MERCHANT,
      updatedAt: '2023-06-01T08:00:00.000Z',
      businessName: 'کافه سروان',
      currency: 'IRR',
      currencyDisplay: 'rial',
      defaultRegion: 'IR',
      locale: 'fa',
      timeZone: 'Asia/Tehran',
      stores: [],
      program: { ...DEFAULT_PROGRAM, expiryDays: null },
      segments: DEFAULT_SEGMENT_RULES,
      tagCatalogue: [],
      updatedBy: OWNER,
      conflicts: [],
      _deleted: false,
    }),
    valid(SettingsSchema, {
      id: OTHER_MERCHANT,
      merchantId: OTHER_MERCHANT,
      updatedAt: '2024-01-02T06:30:00.000Z',
      businessName: 'کافه تجریش',
      currency: 'IRR',
      currencyDisplay: 'rial',
      defaultRegion: 'IR',
      locale: 'en',
      timeZone: 'Asia/Tehran',
      stores: [
        { id: STORE_VANAK, name: 'شعبه ونک', address: 'تهران، میدان ونک' },
        { id: STORE_TAJRISH, name: 'شعبه تجریش', address: 'تهران، میدان تجریش' },
      ],
      program: DEFAULT_PROGRAM,
      segments: DEFAULT_SEGMENT_RULES,
      tagCatalogue: [],
      updatedBy: OWNER,
      conflicts: [
        { field: 'businessName', lost: '"Cafe Tajrish"', kept: '"کافه تجریش"', at: '2024-01-02T06:29:58.004Z' },
      ],
      _deleted: false,
    }),
  ],
  staff: [
    // The first sample is the minimal one (no key in the document, as before protocol 3).
    valid(StaffSchema, {
      id: CASHIER,
      merchantId: MERCHANT,
      updatedAt: '2023-06-01T08:00:00.000Z',
      name: 'مریم',
      role: 'cashier',
      pinHash: PIN_HASH,
      active: true,
      storeIds: [], updatedBy: null, publicKey: null, sealedKey: null,
      _deleted: false,
    }),
    valid(StaffSchema, {
      id: OWNER,
      merchantId: MERCHANT,
      updatedAt: '2023-06-01T08:00:00.000Z',
      name: 'رضا کریمی',
      role: 'owner',
      pinHash: PIN_HASH,
      active: false,
      storeIds: [STORE_VANAK, STORE_TAJRISH], updatedBy: null, publicKey: null, sealedKey: null,
      _deleted: false,
    }),
  ],
  inbox: [
    valid(InboxItemSchema, {
      id: INBOX_OPEN,
      merchantId: MERCHANT,
      updatedAt: '2024-01-16T07:00:00.000Z',
      kind: 'rejected_write',
      status: 'open',
      customerId: null,
      relatedId: null,
      targetCollection: null,
      code: 'VALIDATION_FAILED',
      details: {},
      createdAt: '2024-01-16T07:00:00.000Z',
      resolvedAt: null,
      resolvedBy: null,
      _deleted: false,
    }),
    valid(InboxItemSchema, {
      id: INBOX_RESOLVED,
      merchantId: MERCHANT,
      updatedAt: '2024-01-15T12:30:00.000Z',
      kind: 'duplicate',
      status: 'resolved',
      customerId: AHMAD,
      relatedId: ZAHRA,
      targetCollection: 'customers',
      code: 'CUSTOMER_ALREADY_EXISTS',
      details: { phone: '+989123456789', reason: 'نام مشابه در همان فروشگاه' },
      createdAt: '2024-01-15T11:00:00.000Z',
      resolvedAt: '2024-01-15T12:30:00.000Z',
      resolvedBy: OWNER,
      _deleted: false,
    }),
  ],
  customerGroups: [
    valid(CustomerGroupSchema, {
      id: GROUP_ALL,
      merchantId: MERCHANT,
      updatedAt: '2024-01-16T07:00:00.000Z',
      name: 'همه',
      filter: EMPTY_FILTER,
      updatedBy: OWNER,
      _deleted: false,
    }),
    valid(CustomerGroupSchema, {
      id: GROUP_GOLD,
      merchantId: MERCHANT,
      updatedAt: '2024-01-15T12:30:00.000Z',
      name: 'مشتریان طلایی',
      filter: {
        lastVisitFrom: '2024-01-01',
        lastVisitTo: '2024-01-31',
        visitsMin: 2,
        visitsMax: 40,
        spendMin: 0,
        spendMax: 9_000_000,
        pointsMin: -50,
        pointsMax: 5000,
        signedUpFrom: '2023-01-01',
        signedUpTo: '2023-12-31',
        tags: ['vip', 'قهوه'],
        birthdayMonth: 3,
        consent: 'yes',
        storeId: STORE_VANAK,
        segment: 'regular',
        tier: 'gold',
        status: 'active',
      },
      updatedBy: OWNER,
      _deleted: false,
    }),
  ],
} satisfies { [K in CollectionName]: readonly [nulls: WireDoc<K>, filled: WireDoc<K>] };

/** The document as RxDB stores it: RxDB manages `_deleted` itself. */
function local<T extends { _deleted: boolean }>(doc: T): Omit<T, '_deleted'> {
  const { _deleted, ...rest } = doc;
  return rest;
}

/** A range query on one index, sorted by that index, and the primary keys it must answer (in order). */
interface IndexQuery {
  collection: CollectionName;
  index: readonly string[];
  query: MangoQuery<Record<string, unknown>>;
  expected: readonly string[];
}

const JANUARY_2024 = { $gte: '2024-01-01T00:00:00.000Z', $lt: '2024-02-01T00:00:00.000Z' };
const [zahra, ahmad] = SAMPLES.customers;

/** One query per index of RX_SCHEMAS (a test checks none is missing). */
const INDEX_QUERIES: readonly IndexQuery[] = [
  {
    // The national-number prefix the cashier types ("09…"): both, in phoneKey order (not id order).
    collection: 'customers',
    index: ['phoneKey'],
    query: { selector: { phoneKey: { $gte: '09', $lt: '09\uffff' } }, sort: [{ phoneKey: 'asc' }] },
    expected: [ahmad.id, zahra.id],
  },
  {
    // "Last four digits 6789": the reversed prefix.
    collection: 'customers',
    index: ['phoneReversed'],
    query: { selector: { phoneReversed: { $gte: '9876', $lt: '9876\uffff' } }, sort: [{ phoneReversed: 'asc' }] },
    expected: [ahmad.id],
  },
  {
    collection: 'customers',
    index: ['nameKey'],
    query: { selector: { nameKey: { $gte: 'زهرا', $lt: 'زهرا\uffff' } }, sort: [{ nameKey: 'asc' }] },
    expected: [zahra.id],
  },
  {
    collection: 'customers',
    index: ['updatedAt'],
    query: { selector: { updatedAt: JANUARY_2024 }, sort: [{ updatedAt: 'asc' }] },
    expected: [ahmad.id, zahra.id],
  },
  {
    // A customer's history: both visits are Ahmad's, in time order (the voided one came first).
    collection: 'visits',
    index: ['customerId', 'occurredAt'],
    query: {
      selector: { customerId: { $eq: ahmad.id }, occurredAt: JANUARY_2024 },
      sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }],
    },
    expected: [SAMPLES.visits[1].id, SAMPLES.visits[0].id],
  },
  {
    collection: 'visits',
    index: ['occurredAt'],
    query: {
      selector: { occurredAt: { $gte: '2024-01-15T00:00:00.000Z', $lt: '2024-01-16T00:00:00.000Z' } },
      sort: [{ occurredAt: 'asc' }],
    },
    expected: [SAMPLES.visits[0].id],
  },
  {
    // Zahra's adjustment falls in the same month but is not Ahmad's.
    collection: 'loyaltyEntries',
    index: ['customerId', 'occurredAt'],
    query: {
      selector: { customerId: { $eq: ahmad.id }, occurredAt: JANUARY_2024 },
      sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }],
    },
    expected: [SAMPLES.loyaltyEntries[1].id],
  },
  {
    // Open items: the resolved one, also from January, is left out by the leading field.
    collection: 'inbox',
    index: ['status', 'createdAt'],
    query: {
      selector: { status: { $eq: 'open' }, createdAt: JANUARY_2024 },
      sort: [{ status: 'asc' }, { createdAt: 'asc' }],
    },
    expected: [SAMPLES.inbox[0].id],
  },
];

it('INDEX_QUERIES cover every index of RX_SCHEMAS', () => {
  const indexes = (name: CollectionName) => rx(name).indexes.map((index) => [index].flat().join(' + '));
  expect(INDEX_QUERIES.map((q) => `${q.collection}: ${q.index.join(' + ')}`).sort()).toEqual(
    COLLECTION_NAMES.flatMap((name) => indexes(name).map((index) => `${name}: ${index}`)).sort(),
  );
});

disableWarnings();
addRxPlugin(RxDBDevModePlugin);
addRxPlugin(RxDBMigrationSchemaPlugin);

// Both JSON Schema validators RxDB ships, so a schema construct one of them reads differently shows up.
const STORAGES = [
  ['ajv', wrappedValidateAjvStorage({ storage: getRxStorageMemory() })],
  ['z-schema', wrappedValidateZSchemaStorage({ storage: getRxStorageMemory() })],
] as const;

// One database per validator, never two at once: the open-source build allows 13 open collections per process
// and each database holds 7. describe.each runs these blocks one after the other, and afterAll removes it.
describe.each(STORAGES)('a real RxDB (memory storage, %s validator, dev-mode)', (validator, storage) => {
  let db: RxDatabase;

  beforeAll(async () => {
    db = await createRxDatabase({
      name: `patron-rx-schemas-${validator}-${Date.now().toString(36)}`,
      storage,
      multiInstance: false,
    });
  });

  afterAll(async () => {
    await db?.remove();
  });

  function collection(name: CollectionName): RxCollection<Record<string, unknown>> {
    const found = db.collections[name];
    if (!found) throw new Error(`collection ${name} is not open`);
    return found as RxCollection<Record<string, unknown>>;
  }

  it('accepts every collection schema', async () => {
    await db.addCollections(Object.fromEntries(COLLECTION_NAMES.map((name) => [name, { schema: RX_SCHEMAS[name], migrationStrategies: RX_MIGRATIONS[name] }])));
    expect(Object.keys(db.collections).sort()).toEqual([...COLLECTION_NAMES].sort());
  });

  it.each(entries)('%s: stores zod-valid samples and reads them back unchanged', async (name) => {
    const docs = SAMPLES[name].map((doc) => local(doc) as Record<string, unknown>);
    const stored = docs;
    const result = await collection(name).bulkInsert(stored);
    expect(result.error).toEqual([]);
    const read = await collection(name)
      .findByIds(stored.map((d) => d.id as string))
      .exec();
    expect(stored.map((d) => read.get(d.id as string)?.toJSON())).toEqual(stored);
  });

  it.each(entries)('%s: refuses a document with an unknown field', async (name) => {
    const doc = { ...local(SAMPLES[name][0]), id: '0190a4a8-0000-7000-8000-00000000ffff', extra: 1 };
    await expect(collection(name).insert(doc)).rejects.toMatchObject({ code: 'VD2' });
  });

  it.each(INDEX_QUERIES.map((q) => [`${q.collection} by ${q.index.join(' + ')}`, q] as const))(
    '%s: a range query sorted by the index, answered from the index',
    async (_label, { collection: name, index, query, expected }) => {
      const rxQuery = collection(name).find(query);
      const { queryPlan } = rxQuery.getPreparedQuery();
      expect(queryPlan.index).toEqual(['_deleted', ...index, 'id']);
      expect(queryPlan.sortSatisfiedByIndex).toBe(true);
      expect(queryPlan.selectorSatisfiedByIndex).toBe(true);
      expect((await rxQuery.exec()).map((doc) => doc.primary)).toEqual(expected);
    },
  );
});
