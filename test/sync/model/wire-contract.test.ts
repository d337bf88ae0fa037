// The wire-contract guard (STYLE.md "Habits"): the JSON Schema of every wire schema is snapshotted per
// PROTOCOL_VERSION, and a recorded schema is never overwritten, so changing or removing a wire schema fails
// until the version is bumped. A new schema changes nothing an older peer sends or reads, so it is additive:
// it is appended to the current version's snapshot (UPDATE_WIRE_SNAPSHOT=1) without a bump. Old snapshots stay
// as the record of what each version accepted.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CustomerSchema } from '../../../src/sync/model/customer.ts';
import { ERRORS, type ErrorCode } from '../../../src/sync/model/errors.ts';
import {
  EnrolRequestSchema,
  ErrorBodySchema,
  COLLECTION_NAMES,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  PULL_ONLY_COLLECTIONS,
  WIRE_SCHEMAS,
  errorBody,
} from '../../../src/sync/model/wire-protocol.ts';

/** What a snapshot file holds. */
interface WireSnapshot {
  protocolVersion: number;
  /** JSON Schema of what each wire schema accepts (`io: 'input'`). */
  schemas: Record<string, unknown>;
  /** JSON Schema of what it produces, only where that differs (defaults, transforms). */
  outputs: Record<string, unknown>;
  /**
   * The collections terminals push (every collection but PULL_ONLY_COLLECTIONS), in COLLECTION_NAMES order.
   * Part of the contract: a server refuses pushes of the others. Adding one is additive — older clients never
   * push it, so the version stays (docs/protocol.md says why for each); removing one needs a version bump.
   */
  pushCollections: string[];
}

const snapshotFile = (version: number) => new URL(`./__snapshots__/wire-v${version}.json`, import.meta.url);
const WRITE = 'run UPDATE_WIRE_SNAPSHOT=1 npx vitest run test/sync/model/wire-contract.test.ts';
const UPDATE = `bump PROTOCOL_VERSION in src/sync/model/wire-protocol.ts and ${WRITE}`;
const APPEND = `additive (no older peer sends or reads it): say so in docs/protocol.md and ${WRITE}, which appends new schemas only`;

/** Key order and the order of `required` carry no meaning in JSON Schema; everything else is compared as is. */
function canonical(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item));
    return key === 'required' ? [...(items as string[])].sort() : items;
  }
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k], k)]),
    );
  return value;
}

/** The snapshot of a set of wire schemas. Unrepresentable types throw (zod's default), so none slips by as `{}`. */
function snapshotOf(
  schemas: Readonly<Record<string, z.ZodType>>,
  protocolVersion: number,
  pushCollections: readonly string[] = COLLECTION_NAMES.filter((name) => !PULL_ONLY_COLLECTIONS.includes(name)),
): WireSnapshot {
  const snapshot: WireSnapshot = { protocolVersion, schemas: {}, outputs: {}, pushCollections: [...pushCollections] };
  for (const [name, schema] of Object.entries(schemas)) {
    const input = canonical(z.toJSONSchema(schema, { io: 'input' }));
    const output = canonical(z.toJSONSchema(schema, { io: 'output' }));
    snapshot.schemas[name] = input;
    if (JSON.stringify(output) !== JSON.stringify(input)) snapshot.outputs[name] = output;
  }
  return snapshot;
}

/** Collections pushed in one snapshot and not in the other. */
function pushChanges(before: WireSnapshot, after: WireSnapshot): { added: string[]; removed: string[] } {
  return {
    added: after.pushCollections.filter((name) => !before.pushCollections.includes(name)),
    removed: before.pushCollections.filter((name) => !after.pushCollections.includes(name)),
  };
}

/** The committed snapshot with the schemas it lacks appended; every schema it records stays as it is. */
function withAddedSchemas(committed: WireSnapshot, now: WireSnapshot): WireSnapshot {
  const added = Object.keys(now.schemas).filter((name) => !(name in committed.schemas));
  const next: WireSnapshot = { ...committed, schemas: { ...committed.schemas }, outputs: { ...committed.outputs } };
  for (const name of added) {
    next.schemas[name] = now.schemas[name];
    if (name in now.outputs) next.outputs[name] = now.outputs[name];
  }
  return next;
}

/** Names of the wire schemas that were added, removed or changed between two snapshots. */
function changedSchemas(before: WireSnapshot, after: WireSnapshot): string[] {
  const names = new Set([...Object.keys(before.schemas), ...Object.keys(after.schemas)]);
  return [...names]
    .filter(
      (name) =>
        JSON.stringify(before.schemas[name]) !== JSON.stringify(after.schemas[name]) ||
        JSON.stringify(before.outputs[name]) !== JSON.stringify(after.outputs[name]),
    )
    .sort();
}

const current = snapshotOf(WIRE_SCHEMAS, PROTOCOL_VERSION);

describe(`wire contract v${PROTOCOL_VERSION}`, () => {
  const file = snapshotFile(PROTOCOL_VERSION);
  let committed: WireSnapshot | undefined;

  beforeAll(() => {
    // Written whole only when absent; an existing version's snapshot only gains the schemas it lacks.
    if (process.env.UPDATE_WIRE_SNAPSHOT === '1') {
      const next = existsSync(file) ? withAddedSchemas(JSON.parse(readFileSync(file, 'utf8')) as WireSnapshot, current) : current;
      writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
    }
    if (existsSync(file)) committed = JSON.parse(readFileSync(file, 'utf8')) as WireSnapshot;
  });

  function snapshot(): WireSnapshot {
    if (!committed) throw new Error(`no wire snapshot for protocol v${PROTOCOL_VERSION}: ${WRITE}`);
    return committed;
  }

  it(`the snapshot belongs to protocol v${PROTOCOL_VERSION} and lists exactly the current wire schemas`, () => {
    expect(snapshot().protocolVersion).toBe(PROTOCOL_VERSION);
    const added = Object.keys(current.schemas).filter((name) => !(name in snapshot().schemas));
    const removed = Object.keys(snapshot().schemas).filter((name) => !(name in current.schemas));
    if (removed.length) throw new Error(`wire schemas removed [${removed.join(', ')}]: older peers still use them; ${UPDATE}`);
    if (added.length) throw new Error(`wire schemas added [${added.join(', ')}]: ${APPEND}`);
  });

  it.each(Object.keys(WIRE_SCHEMAS).map((name) => [name]))('wire schema %s is unchanged', (name) => {
    if (changedSchemas(snapshot(), current).includes(name)) throw new Error(`wire schema ${name} changed: ${UPDATE}`);
  });

  it('terminals push exactly the collections the snapshot lists', () => {
    const { removed, added } = pushChanges(snapshot(), current);
    if (removed.length) throw new Error(`terminals no longer push [${removed.join(', ')}]: older clients' writes would be refused; ${UPDATE}`);
    if (added.length)
      throw new Error(`terminals now push [${added.join(', ')}]: additive (older clients never push it) — say so in docs/protocol.md and add it to pushCollections of the snapshot`);
  });

  it('every protocol version the server still accepts has its snapshot', () => {
    expect(MIN_PROTOCOL_VERSION).toBeGreaterThanOrEqual(1);
    expect(MIN_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
    for (let v = MIN_PROTOCOL_VERSION; v <= PROTOCOL_VERSION; v++)
      expect(existsSync(snapshotFile(v)), `v${v}`).toBe(true);
  });
});

describe('the guard can fail', () => {
  it('reports a new field on a document schema', () => {
    const mutated = snapshotOf(
      { ...WIRE_SCHEMAS, customers: CustomerSchema.extend({ extra: z.string() }) },
      PROTOCOL_VERSION,
    );
    expect(changedSchemas(current, mutated)).toEqual(['customers']);
  });

  it('reports a tightened bound, a removed schema and an added one', () => {
    const { Poke: _poke, ...withoutPoke } = WIRE_SCHEMAS;
    const mutated = snapshotOf(
      {
        ...withoutPoke,
        EnrolRequest: EnrolRequestSchema.extend({ deviceName: z.string().min(1).max(99) }),
        Brand: z.strictObject({ name: z.string() }),
      },
      PROTOCOL_VERSION,
    );
    expect(changedSchemas(current, mutated)).toEqual(['Brand', 'EnrolRequest', 'Poke']);
  });

  it('appends an added schema without touching any recorded one', () => {
    const { Poke: _poke, ...withoutPoke } = current.schemas;
    const older: WireSnapshot = { ...current, schemas: withoutPoke, outputs: { ...current.outputs } };
    const mutated = snapshotOf({ ...WIRE_SCHEMAS, EnrolRequest: EnrolRequestSchema.extend({ deviceName: z.string().min(1).max(99) }) }, PROTOCOL_VERSION);
    const appended = withAddedSchemas(older, mutated);
    expect(Object.keys(appended.schemas).sort()).toEqual(Object.keys(current.schemas).sort());
    // The changed EnrolRequest keeps its recorded schema, so the guard still reports the change.
    expect(appended.schemas.EnrolRequest).toEqual(current.schemas.EnrolRequest);
    expect(changedSchemas(appended, mutated)).toEqual(['EnrolRequest']);
  });

  it('reports a collection that became pull-only or pushable', () => {
    const names = current.pushCollections;
    expect(pushChanges(current, snapshotOf(WIRE_SCHEMAS, PROTOCOL_VERSION, names.filter((name) => name !== 'inbox')))).toEqual({ added: [], removed: ['inbox'] });
    const withoutStaff = snapshotOf(WIRE_SCHEMAS, PROTOCOL_VERSION, names.filter((name) => name !== 'staff'));
    expect(pushChanges(withoutStaff, current)).toEqual({ added: ['staff'], removed: [] });
  });

  it('reports a changed output (a default) even when the input is the same', () => {
    const withDefault = z.strictObject({ n: z.int().default(1) });
    const without = z.strictObject({ n: z.int().optional() });
    expect(changedSchemas(snapshotOf({ X: without }, 1), snapshotOf({ X: withDefault }, 1))).toEqual(['X']);
  });

  it('ignores key order, including the order of required fields', () => {
    const a = z.strictObject({ x: z.string(), y: z.int() });
    const b = z.strictObject({ y: z.int(), x: z.string() });
    expect(changedSchemas(snapshotOf({ A: a }, 1), snapshotOf({ A: b }, 1))).toEqual([]);
  });

  // JSON Schema cannot express zod refinements (`.check()`), e.g. the ledger's sign rules or the program's
  // increasing tier thresholds: changing one of those still needs a deliberate version bump.
  it('does not see refinements (a documented limit of the guard)', () => {
    const plain = z.strictObject({ n: z.int() });
    const refined = plain.check((ctx) => {
      if (ctx.value.n === 0) ctx.issues.push({ code: 'custom', message: 'zero', input: ctx.value.n });
    });
    expect(changedSchemas(snapshotOf({ X: plain }, 1), snapshotOf({ X: refined }, 1))).toEqual([]);
  });
});

describe('error bodies', () => {
  const codes = Object.keys(ERRORS) as ErrorCode[];

  it.each(codes.map((code) => [code]))('%s: English and Persian messages, accepted by ErrorBodySchema', (code) => {
    const body = errorBody(code);
    expect(ErrorBodySchema.parse(body)).toEqual(body);
    expect(body).toEqual({ error: { code, message: ERRORS[code][0], messageFa: ERRORS[code][1] } });
    expect(body.error.message).toMatch(/^[A-Z][\x20-\x7e]+$/); // plain English
    expect(body.error.messageFa).toMatch(/[\u0600-\u06ff]/); // Persian script
    expect(body.error.messageFa).not.toMatch(/[A-Za-z]/);
  });

  it('codes are SCREAMING_SNAKE_CASE and messages unique', () => {
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(new Set(codes.map((c) => ERRORS[c][0])).size).toBe(codes.length);
    expect(new Set(codes.map((c) => ERRORS[c][1])).size).toBe(codes.length);
  });

  it('carries details and a request id only when given', () => {
    const body = errorBody('VALIDATION_FAILED', { field: 'phone' }, 'req-1');
    expect(ErrorBodySchema.parse(body)).toEqual(body);
    expect(body.error).toMatchObject({ details: { field: 'phone' }, requestId: 'req-1' });
    expect(errorBody('INTERNAL').error).not.toHaveProperty('details');
    expect(errorBody('INTERNAL').error).not.toHaveProperty('requestId');
  });

  it('ErrorBodySchema refuses unknown fields and a missing Persian message', () => {
    const { error } = errorBody('NOT_FOUND');
    expect(ErrorBodySchema.safeParse({ error: { ...error, stack: 'at x' } }).success).toBe(false);
    expect(ErrorBodySchema.safeParse({ error, extra: 1 }).success).toBe(false);
    const { messageFa: _fa, ...english } = error;
    expect(ErrorBodySchema.safeParse({ error: english }).success).toBe(false);
  });
});
