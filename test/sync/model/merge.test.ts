import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordedConflict } from '../../../src/sync/model/common.ts';
import { CustomerSchema } from '../../../src/sync/model/customer.ts';
import type { ConsentEntry, Customer, NoteEntry } from '../../../src/sync/model/customer.ts';
import { consentState, unionById } from '../../../src/sync/model/customer-profile.ts';
import { mergeCustomer, mergeDocuments, mergeSet, mergeSettings } from '../../../src/sync/model/merge.ts';
import { eraseCustomer, PERSONAL_FIELD_NAMES } from '../../../src/sync/model/privacy.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, SettingsSchema } from '../../../src/sync/model/settings.ts';
import type { Settings } from '../../../src/sync/model/settings.ts';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const CUSTOMER_ID = uuid(10);
const ALICE = uuid(21); // staff on the server's side
const BOB = uuid(22); // staff on the terminal
const SURVIVOR_A = uuid(31);
const SURVIVOR_B = uuid(32);
const T0 = Date.parse('2025-03-01T09:00:00.000Z');
/** ISO business time `n` minutes after T0. */
const min = (n: number): string => new Date(T0 + n * 60_000).toISOString();

/** Phone triples (E.164, national digits, reversed E.164 digits), valid per CustomerSchema. */
const PHONES = [
  ['+989121234567', '09121234567', '765432121989'],
  ['+989351112233', '09351112233', '332211153989'],
  ['+14155550123', '4155550123', '32105551441'],
  ['+447700900123', '07700900123', '321009007744'],
] as const;
/** Names with their folded keys. */
const NAMES = [
  ['Ahmad Mohammadi', 'ahmad mohammadi'],
  ['احمد محمدی', 'احمد محمدی'],
  ['Sara Karimi', 'sara karimi'],
  ['Zoë Müller', 'zoe muller'],
] as const;

/** A customer valid per CustomerSchema (asserted). */
function customer(over: Partial<Customer> = {}): Customer {
  return CustomerSchema.parse({
    id: CUSTOMER_ID,
    merchantId: uuid(1),
    updatedAt: min(0),
    _deleted: false,
    phone: PHONES[0][0],
    phoneKey: PHONES[0][1],
    phoneReversed: PHONES[0][2],
    name: NAMES[0][0],
    nameKey: NAMES[0][1],
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
    storeId: uuid(3),
    createdAt: min(-1000),
    updatedBy: ALICE,
    conflicts: [],
    ...over,
  });
}
const phone = (i: 0 | 1 | 2 | 3) => {
  const [p, key, reversed] = PHONES[i];
  return { phone: p, phoneKey: key, phoneReversed: reversed };
};
const server = (over: Partial<Customer>, minute = 10) =>
  customer({ updatedAt: min(minute), updatedBy: ALICE, ...over });
const terminal = (over: Partial<Customer>, minute = 20) =>
  customer({ updatedAt: min(minute), updatedBy: BOB, ...over });
const conflict = (field: string, lost: unknown, kept: unknown, at: string): RecordedConflict => ({
  field,
  lost: JSON.stringify(lost),
  kept: JSON.stringify(kept),
  at,
});

/** Conflicts the merge itself recorded (neither side carried them before). */
function freshConflicts(merged: Customer, master: Customer, local: Customer): Customer['conflicts'] {
  const key = (c: Customer['conflicts'][number]) => `${c.field}|${c.lost}|${c.at}`;
  const before = new Set([...master.conflicts, ...local.conflicts].map(key));
  return merged.conflicts.filter((c) => !before.has(key(c)));
}

describe('mergeCustomer: field rules', () => {
  const base = customer();

  it('a field changed on one side takes that side, nothing recorded', () => {
    const merged = mergeCustomer(base, server({ email: 'a@example.com' }), terminal({ tags: ['vip'] }));
    expect(merged).toMatchObject({ email: 'a@example.com', tags: ['vip'], conflicts: [] });
  });

  it('both changed to the same value: that value, nothing recorded', () => {
    const merged = mergeCustomer(base, server({ status: 'blocked' }), terminal({ status: 'blocked' }));
    expect(merged).toMatchObject({ status: 'blocked', conflicts: [] });
  });

  it('both changed differently: later business time wins, the loser is recorded', () => {
    const merged = mergeCustomer(
      base,
      server({ email: 'a@example.com' }, 10),
      terminal({ email: 'b@example.com' }, 20),
    );
    expect(merged.email).toBe('b@example.com');
    expect(merged.conflicts).toEqual([conflict('email', 'a@example.com', 'b@example.com', min(10))]);
    const older = mergeCustomer(base, server({ email: 'a@example.com' }, 30), terminal({ email: 'b@example.com' }, 20));
    expect(older.email).toBe('a@example.com');
    expect(older.conflicts).toEqual([conflict('email', 'b@example.com', 'a@example.com', min(20))]);
  });

  it('a later business time wins by a millisecond', () => {
    // The contract fixes millisecond precision, so text order and instant order agree.
    const merged = mergeCustomer(
      base,
      customer({ email: 'a@example.com', updatedAt: '2025-03-01T09:10:00.500Z' }),
      customer({ email: 'b@example.com', updatedAt: '2025-03-01T09:10:00.499Z', updatedBy: BOB }),
    );
    expect(merged).toMatchObject({ email: 'a@example.com', updatedAt: '2025-03-01T09:10:00.500Z', updatedBy: ALICE });
  });

  it('equal business times: the same value wins whichever side holds it', () => {
    const a = server({ email: 'a@example.com', tags: ['x'] }, 15);
    const b = terminal({ email: 'b@example.com', tags: ['y'] }, 15);
    const one = mergeCustomer(base, a, b);
    const other = mergeCustomer(base, b, a);
    expect([one.email, one.tags]).toEqual([other.email, other.tags]);
    // the greater JSON wins for a scalar: "b@…" > "a@…"; lists combine both sides' additions
    expect([one.email, one.tags]).toEqual(['b@example.com', ['x', 'y']]);
  });

  it('updatedAt is the later one and updatedBy comes from that side', () => {
    expect(mergeCustomer(base, server({}, 10), terminal({ tags: ['t'] }, 20))).toMatchObject({
      updatedAt: min(20),
      updatedBy: BOB,
    });
    expect(mergeCustomer(base, server({}, 30), terminal({ tags: ['t'] }, 20))).toMatchObject({
      updatedAt: min(30),
      updatedBy: ALICE,
    });
  });

  it('without a base every difference counts as changed on both sides', () => {
    const merged = mergeCustomer(undefined, server({ email: 'a@example.com' }, 10), terminal({ tags: ['vip'] }, 20));
    // the terminal (minute 20) is later on the email: its null is kept and the server's value recorded;
    // the tag lists combine (an addition on either side survives), so nothing is recorded for them
    expect(merged).toMatchObject({ email: null, tags: ['vip'] });
    expect(merged.conflicts).toEqual([conflict('email', 'a@example.com', null, min(10))]);
  });

  it('fields outside the merge list come from the server', () => {
    const merged = mergeCustomer(
      base,
      server({ createdAt: min(-5) }),
      terminal({ createdAt: min(-9), storeId: uuid(4) }),
    );
    expect(merged).toMatchObject({ createdAt: min(-5), storeId: uuid(3) });
  });

  it('refuses to merge two different documents', () => {
    expect(() => mergeCustomer(base, server({}), terminal({ id: uuid(11) }))).toThrow(/different documents/);
  });
});

describe('mergeCustomer: phone and name move as units', () => {
  const base = customer();

  it('the winning side supplies phone, phoneKey and phoneReversed together', () => {
    // the server re-derived only phoneKey (a new normaliser); the terminal changed the number
    const master = server({ phoneKey: '9121234567' }, 30);
    const local = terminal(phone(1), 20);
    // the server (minute 30) is later: its whole triple wins — never its number with the terminal's keys
    const merged = mergeCustomer(base, master, local);
    expect([merged.phone, merged.phoneKey, merged.phoneReversed]).toEqual([PHONES[0][0], '9121234567', PHONES[0][2]]);
    expect(merged.conflicts).toEqual([conflict('phone', PHONES[1][0], PHONES[0][0], min(20))]);
    const localWins = mergeCustomer(base, master, terminal(phone(1), 40));
    expect([localWins.phone, localWins.phoneKey, localWins.phoneReversed]).toEqual([...PHONES[1]]);
  });

  it('name and nameKey together; nothing recorded when only the derived key differs', () => {
    const merged = mergeCustomer(
      base,
      server({ nameKey: 'ahmad  mohammadi' }, 10),
      terminal({ name: NAMES[2][0], nameKey: NAMES[2][1] }, 20),
    );
    expect([merged.name, merged.nameKey]).toEqual([...NAMES[2]]);
    const keysOnly = mergeCustomer(base, server({ nameKey: 'x' }, 10), terminal({ nameKey: 'y' }, 20));
    expect([keysOnly.name, keysOnly.nameKey, keysOnly.conflicts]).toEqual([NAMES[0][0], 'y', []]);
  });
});

const note = (n: number, by = ALICE): NoteEntry => ({ id: uuid(100 + n), text: `note ${n}`, at: min(n), by });
const granted = (n: number, channel: 'email' | 'sms', state: 'granted' | 'withdrawn' = 'granted', at = n): ConsentEntry => ({
  id: uuid(200 + n), channel, state, at: min(at), source: 'counter', by: BOB,
});

describe('mergeCustomer: timeline and consent histories unite by id', () => {
  it('notes added on both sides all stay, in time order, nothing recorded', () => {
    const base = customer({ timeline: [note(1)] });
    const merged = mergeCustomer(base, server({ timeline: [note(1), note(3)] }), terminal({ timeline: [note(1), note(2, BOB)] }, 5));
    expect(merged.timeline).toEqual([note(1), note(2, BOB), note(3)]);
    expect(merged.conflicts).toEqual([]);
    // A replayed merge adds nothing twice.
    expect(mergeCustomer(base, merged, terminal({ timeline: [note(1), note(2, BOB)] }, 5)).timeline).toEqual(merged.timeline);
  });

  it('consent decisions from two offline terminals both stay; the derived state is the latest', () => {
    const base = customer({ consent: [granted(1, 'sms')] });
    const merged = mergeCustomer(base, server({ consent: [granted(1, 'sms'), granted(4, 'sms', 'withdrawn')] }), terminal({ consent: [granted(1, 'sms'), granted(2, 'email')] }));
    expect(merged.consent.map((e) => e.id)).toEqual([uuid(201), uuid(202), uuid(204)]);
    expect([consentState(merged.consent, 'sms').granted, consentState(merged.consent, 'email').granted]).toEqual([false, true]);
  });

  it('different new fields edited on two sides both survive', () => {
    const merged = mergeCustomer(customer(), server({ address: '12 Valiasr St', source: 'referral' }), terminal({ company: 'Sol Co', preferredChannel: 'sms', phone2: '+989351112233', phone2Key: '09351112233', phone2Reversed: '332211153989' }));
    expect(merged).toMatchObject({ address: '12 Valiasr St', source: 'referral', company: 'Sol Co', preferredChannel: 'sms', phone2: '+989351112233', phone2Key: '09351112233' });
    expect(merged.conflicts).toEqual([]);
  });
});

describe('mergeCustomer: deletes win whole', () => {
  const base = customer({ email: 'a@example.com' });
  const erased = server({ _deleted: true, name: 'erased', nameKey: 'erased', email: null, timeline: [] }, 10);

  it('a server tombstone (an erasure) keeps its redacted fields; the offline edit is not copied anywhere', () => {
    const merged = mergeCustomer(
      base,
      erased,
      terminal({ name: NAMES[2][0], nameKey: NAMES[2][1], timeline: [{ ...note(2), text: 'secret' }] }, 20),
    );
    expect(merged).toEqual({ ...erased, updatedAt: min(20), updatedBy: BOB });
    expect(JSON.stringify(merged)).not.toContain('secret');
  });

  it('a terminal delete wins over a server edit; both deleted → the server tombstone', () => {
    const localDelete = terminal({ _deleted: true }, 20);
    const merged = mergeCustomer(base, server({ tags: ['vip'] }, 30), localDelete);
    expect(merged).toEqual({ ...localDelete, updatedAt: min(30), updatedBy: ALICE });
    expect(mergeCustomer(base, erased, localDelete)).toEqual({ ...erased, updatedAt: min(20), updatedBy: BOB });
    expect(mergeCustomer(undefined, server({}), localDelete)._deleted).toBe(true);
  });
});

describe('mergeCustomer: mergedInto', () => {
  it('a side that set the pointer keeps it (one-sided)', () => {
    const merged = mergeCustomer(customer(), server({ mergedInto: SURVIVOR_A }), terminal({ tags: ['x'] }));
    expect(merged.mergedInto).toBe(SURVIVOR_A);
  });

  it('without a base, a pointer beats null even from the older side', () => {
    expect(mergeCustomer(undefined, server({ mergedInto: SURVIVOR_A }, 10), terminal({}, 20)).mergedInto).toBe(
      SURVIVOR_A,
    );
    expect(mergeCustomer(undefined, server({}, 30), terminal({ mergedInto: SURVIVOR_A }, 20)).mergedInto).toBe(
      SURVIVOR_A,
    );
  });

  it('an undo (base pointed, a side set null) wins over a re-pointing, which is recorded', () => {
    const base = customer({ mergedInto: SURVIVOR_A });
    const merged = mergeCustomer(base, server({ mergedInto: null }, 10), terminal({ mergedInto: SURVIVOR_B }, 20));
    expect(merged.mergedInto).toBeNull();
    expect(merged.conflicts).toEqual([conflict('mergedInto', SURVIVOR_B, null, min(20))]);
    expect(
      mergeCustomer(base, server({ mergedInto: SURVIVOR_B }, 30), terminal({ mergedInto: null }, 20)).mergedInto,
    ).toBeNull();
    expect(mergeCustomer(base, server({}, 30), terminal({ mergedInto: null }, 20)).mergedInto).toBeNull(); // one-sided undo
  });

  it('two different pointers: later business time', () => {
    const merged = mergeCustomer(
      customer(),
      server({ mergedInto: SURVIVOR_A }, 10),
      terminal({ mergedInto: SURVIVOR_B }, 20),
    );
    expect(merged.mergedInto).toBe(SURVIVOR_B);
    expect(merged.conflicts).toEqual([conflict('mergedInto', SURVIVOR_A, SURVIVOR_B, min(10))]);
  });
});

describe('mergeCustomer: recorded conflicts', () => {
  const c = (n: number) => conflict('tags', [`t${n}`], [], min(n));

  it('unions both lists (field + lost + at), then appends the new ones', () => {
    const merged = mergeCustomer(
      customer(),
      server({ conflicts: [c(1), c(2)], email: 'a@example.com' }, 10),
      terminal({ conflicts: [c(2), c(3)], email: 'b@example.com' }, 20),
    );
    expect(merged.conflicts).toEqual([c(1), c(2), c(3), conflict('email', 'a@example.com', 'b@example.com', min(10))]);
  });

  it('keeps the newest 20', () => {
    const many = Array.from({ length: 19 }, (_, i) => c(i));
    const merged = mergeCustomer(
      customer(),
      server({ conflicts: many, email: 'a@example.com' }, 100),
      terminal({ conflicts: [c(50), c(51)], email: 'b@example.com' }, 200),
    );
    expect(merged.conflicts).toHaveLength(20);
    expect(merged.conflicts[0]).toEqual(c(2)); // c(0), c(1) dropped
    expect(merged.conflicts.at(-1)?.field).toBe('email');
    expect(() => CustomerSchema.parse(merged)).not.toThrow();
  });
});

describe('mergeSettings', () => {
  /** A settings document valid per SettingsSchema (asserted). */
  const settings = (over: Partial<Settings> = {}): Settings =>
    SettingsSchema.parse({
      id: uuid(1),
      merchantId: uuid(1),
      updatedAt: min(0),
      _deleted: false,
      businessName: 'Café Naderi',
      currency: 'IRR',
      currencyDisplay: 'rial',
      defaultRegion: 'IR',
      locale: 'fa',
      timeZone: 'Asia/Tehran',
      stores: [{ id: uuid(3), name: 'Main', address: '' }],
      program: DEFAULT_PROGRAM,
      segments: DEFAULT_SEGMENT_RULES,
      tagCatalogue: [],
      updatedBy: ALICE,
      conflicts: [],
      ...over,
    });

  it('program moves whole; one-sided store edit kept; result valid', () => {
    const base = settings();
    const master = settings({ updatedAt: min(10), program: { ...DEFAULT_PROGRAM, expiryDays: 180 } });
    const stores = [...base.stores, { id: uuid(4), name: 'Airport', address: 'IKA' }];
    const local = settings({
      updatedAt: min(20),
      updatedBy: BOB,
      stores,
      program: { ...DEFAULT_PROGRAM, visitBonus: 5 },
    });
    const merged = mergeSettings(base, master, local);
    expect(merged.program).toEqual(local.program);
    expect(merged.stores).toEqual(stores);
    expect(merged.conflicts.map((x) => [x.field, JSON.parse(x.lost)])).toEqual([['program', master.program]]);
    expect(() => SettingsSchema.parse(merged)).not.toThrow();
    expect(mergeSettings(base, master, master)).toEqual(master);
  });

  it('mergeDocuments works for any document shape given its fields', () => {
    const merged = mergeDocuments(
      settings(),
      settings({ locale: 'en', updatedAt: min(5) }),
      settings({ businessName: 'Naderi', updatedAt: min(6) }),
      ['locale', 'businessName'],
    );
    expect([merged.locale, merged.businessName, merged.updatedAt]).toEqual(['en', 'Naderi', min(6)]);
    // a tombstone is a tombstone even when `_deleted` is not among the fields
    const gone = mergeDocuments(settings(), settings(), settings({ _deleted: true, updatedAt: min(6) }), ['locale']);
    expect(gone._deleted).toBe(true);
  });
});

// ---------------------------------------------------------------- properties

/** Merge units of a customer: groups and single fields, as the merge treats them. */
const UNITS: (keyof Customer)[][] = [
  ['phone', 'phoneKey', 'phoneReversed'],
  ['name', 'nameKey'],
  ['email'],
  ['birthday'],
  ['anniversary'],
  ['phone2', 'phone2Key', 'phone2Reversed'],
  ['address'],
  ['company'],
  ['source'],
  ['preferredChannel'],
  ['timeline'],
  ['preferences'],
  ['tags'],
  ['consent'],
  ['status'],
  ['priorVisits'],
  ['mergedInto'],
  ['_deleted'],
];
const pick = (doc: Customer, unit: (keyof Customer)[]) => unit.map((k) => doc[k]);
const same = (a: unknown, b: unknown) => {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
};

const conflictArb = fc.record({
  field: fc.constantFrom('email', 'tags'),
  lost: fc.constantFrom('"x"', '"y"'),
  kept: fc.constant('"z"'),
  at: fc.integer({ min: 0, max: 3 }).map(min),
});
/** A customer with random person-edited fields (same identity), valid per CustomerSchema. */
const customerArb = fc
  .record({
    phone: fc.integer({ min: 0, max: 3 }),
    name: fc.integer({ min: 0, max: 3 }),
    email: fc.constantFrom(null, 'a@example.com', 'b@example.org'),
    birthday: fc.constantFrom(null, '1985-03-15', '1990-12-01'),
    anniversary: fc.constantFrom(null, '2020-06-10'),
    phone2: fc.constantFrom(null, 1, 2),
    address: fc.constantFrom('', '12 Valiasr St', 'خیابان ولیعصر'),
    company: fc.constantFrom('', 'Sol Co'),
    source: fc.constantFrom(null, 'referral', 'social'),
    preferredChannel: fc.constantFrom(null, 'sms', 'phone'),
    timeline: fc.subarray([note(1), note(2, BOB), note(3)]),
    consent: fc.subarray([granted(1, 'sms'), granted(2, 'email'), granted(3, 'sms', 'withdrawn'), granted(4, 'email', 'withdrawn', 2)]),
    favorites: fc.subarray(['espresso', 'latte', 'cake']),
    allergies: fc.subarray(['nuts', 'milk']),
    preferredTime: fc.constantFrom(null, 'morning', 'evening'),
    tags: fc.subarray(['vip', 'student', 'staff']),
    status: fc.constantFrom('active', 'inactive', 'blocked'),
    priorVisits: fc.constantFrom(undefined, undefined, 0, 30, 1200),
    mergedInto: fc.constantFrom(null, null, SURVIVOR_A, SURVIVOR_B),
    deleted: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    updatedAt: fc.integer({ min: 0, max: 4 }).map(min),
    updatedBy: fc.constantFrom(ALICE, BOB),
    conflicts: fc.oneof(
      fc.array(conflictArb, { maxLength: 4 }),
      fc.array(conflictArb, { minLength: 18, maxLength: 20 }),
    ),
  })
  .map((r) => {
    const [p, key, reversed] = PHONES[r.phone as 0] ?? PHONES[0];
    const [name, nameKey] = NAMES[r.name as 0] ?? NAMES[0];
    return customer({
      phone: p,
      phoneKey: key,
      phoneReversed: reversed,
      name,
      nameKey,
      email: r.email,
      birthday: r.birthday,
      anniversary: r.anniversary,
      ...(r.phone2 === null ? {} : { phone2: PHONES[r.phone2 as 1][0], phone2Key: PHONES[r.phone2 as 1][1], phone2Reversed: PHONES[r.phone2 as 1][2] }),
      address: r.address,
      company: r.company,
      source: r.source,
      preferredChannel: r.preferredChannel,
      timeline: r.timeline,
      consent: r.consent,
      preferences: { favorites: r.favorites, allergies: r.allergies, preferredTime: r.preferredTime },
      tags: r.tags,
      status: r.status,
      ...(r.priorVisits === undefined ? {} : { priorVisits: r.priorVisits }),
      mergedInto: r.mergedInto,
      _deleted: r.deleted,
      updatedAt: r.updatedAt,
      updatedBy: r.updatedBy,
      conflicts: r.conflicts,
    });
  });

/**
 * An edit of `base`: each unit either kept or taken from `other`; a history (timeline, consent) taken from
 * `other` sometimes extends the base's, as the commands only ever append.
 */
const editOf = (base: Customer, other: Customer, mask: boolean[], extend: boolean): Customer => {
  const out: Record<string, unknown> = {
    ...base,
    updatedAt: other.updatedAt,
    updatedBy: other.updatedBy,
    conflicts: other.conflicts,
  };
  UNITS.forEach((unit, i) => {
    if (mask[i]) for (const k of unit) out[k] = other[k];
  });
  // An optional field the other side lacks is absent, as a parsed document has it.
  if (out.priorVisits === undefined) delete out.priorVisits;
  if (extend) {
    if (mask[UNITS.findIndex((u) => u[0] === 'timeline')]) out.timeline = unionById(base.timeline, other.timeline);
    if (mask[UNITS.findIndex((u) => u[0] === 'consent')]) out.consent = unionById(base.consent, other.consent);
  }
  return CustomerSchema.parse(out);
};
const tripleArb = fc
  .record({
    base: customerArb,
    m: customerArb,
    l: customerArb,
    mMask: fc.array(fc.boolean(), { minLength: UNITS.length, maxLength: UNITS.length }),
    lMask: fc.array(fc.boolean(), { minLength: UNITS.length, maxLength: UNITS.length }),
    mExtend: fc.boolean(),
    lExtend: fc.boolean(),
    withBase: fc.integer({ min: 0, max: 4 }).map((n) => n !== 0),
  })
  .map((r) => ({
    base: r.withBase ? r.base : undefined,
    master: editOf(r.base, r.m, r.mMask, r.mExtend),
    local: editOf(r.base, r.l, r.lMask, r.lExtend),
  }));

const SEED = Number(process.env.PATRON_TEST_SEED ?? Date.now() % 2 ** 31);
console.log(`mergeCustomer properties: seed ${SEED} (PATRON_TEST_SEED to repeat)`);
const RUNS = { numRuns: 200, seed: SEED };

describe('mergeCustomer properties', () => {
  it('an erasure on either side wins whole: the result is that erasure, with nothing of the other side (master’s if both)', () => {
    const erasure = { at: min(9), by: ALICE, reason: 'asked by the customer' };
    fc.assert(
      fc.property(tripleArb, fc.constantFrom('master', 'local', 'both'), ({ base, master, local }, side) => {
        const m = side === 'local' ? master : eraseCustomer(master, erasure);
        const l = side === 'master' ? local : eraseCustomer(local, { ...erasure, by: BOB });
        const merged = mergeCustomer(base, m, l);
        expect(merged).toEqual(side === 'local' ? l : m);
        for (const field of PERSONAL_FIELD_NAMES) expect(merged[field]).toEqual(side === 'local' ? l[field] : m[field]);
      }),
      { numRuns: 100 },
    );
  });

  it('deterministic, does not mutate its inputs, and the result is a valid customer', () => {
    fc.assert(
      fc.property(tripleArb, ({ base, master, local }) => {
        const before = structuredClone({ base, master, local });
        const merged = mergeCustomer(base, master, local);
        expect({ base, master, local }).toEqual(before);
        expect(mergeCustomer(before.base, before.master, before.local)).toEqual(merged);
        expect(() => CustomerSchema.parse(merged)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('idempotent: merge(base, m, m) = m, and a result merged with itself is unchanged', () => {
    fc.assert(
      fc.property(tripleArb, ({ base, master, local }) => {
        expect(mergeCustomer(base, master, master)).toEqual(master);
        expect(mergeCustomer(undefined, local, local)).toEqual(local);
        const merged = mergeCustomer(base, master, local);
        expect(mergeCustomer(merged, merged, merged)).toEqual(merged);
      }),
      RUNS,
    );
  });

  it('never loses a one-sided change; both-sided changes keep one value and record the other', () => {
    fc.assert(
      fc.property(tripleArb, ({ base, master, local }) => {
        fc.pre(!master._deleted && !local._deleted);
        const merged = mergeCustomer(base, master, local);
        for (const unit of UNITS) {
          const [b, m, l, r] = [base && pick(base, unit), pick(master, unit), pick(local, unit), pick(merged, unit)];
          if (same(m, l)) expect(r).toEqual(m);
          else if (b !== undefined && same(b, m)) expect(r).toEqual(l);
          else if (b !== undefined && same(b, l)) expect(r).toEqual(m);
          else if (unit[0] === 'timeline' || unit[0] === 'consent') {
            // Histories unite by id: every entry of either side, once.
            const ids = (c: Customer) => c[unit[0] as 'timeline' | 'consent'].map((e) => e.id);
            expect(new Set(ids(merged))).toEqual(new Set([...ids(master), ...ids(local)]));
            expect(ids(merged).length).toBe(new Set(ids(merged)).size);
          }
          else if ((unit[0] === 'tags' || unit[0] === 'preferences') && !freshConflicts(merged, master, local).some((c) => c.field === unit[0])) {
            // Combined lists: every item one side added (not in base) is kept unless the other side removed it.
            const lists = (c: Customer | undefined): string[][] =>
              c === undefined ? [[], [], []] : [c.tags, c.preferences.favorites, c.preferences.allergies];
            const [bl, ml, ll, rl] = [lists(base), lists(master), lists(local), lists(merged)];
            const index = unit[0] === 'tags' ? [0] : [1, 2];
            for (const i of index) {
              for (const [mine, theirs] of [[ml[i]!, ll[i]!], [ll[i]!, ml[i]!]] as const) {
                for (const item of mine) {
                  const added = !bl[i]!.includes(item);
                  const removedByOther = bl[i]!.includes(item) && !theirs.includes(item);
                  if (added) expect(rl[i], `${unit[0]} keeps ${item}`).toContain(item);
                  if (removedByOther) expect(rl[i], `${unit[0]} drops ${item}`).not.toContain(item);
                }
              }
            }
          } else {
            const field = unit[0] as keyof Customer;
            const keptMaster = same(r, m);
            expect(keptMaster || same(r, l)).toBe(true);
            const loser = keptMaster ? local : master;
            if (same(master[field], local[field])) continue; // only derived keys differed
            const recorded = merged.conflicts.some(
              (c) => c.field === field && c.at === loser.updatedAt && same(JSON.parse(c.lost), loser[field] ?? null),
            );
            expect(recorded, `${field} recorded`).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('visits before Patron merge as a scalar; an absent count stays absent, never a key holding undefined', () => {
    fc.assert(
      fc.property(tripleArb, ({ base, master, local }) => {
        const merged = mergeCustomer(base, master, local);
        expect(Object.entries(merged).filter(([, value]) => value === undefined).map(([key]) => key)).toEqual([]);
        const [m, l] = [master.priorVisits, local.priorVisits];
        if (m === l) expect(merged.priorVisits).toBe(m);
        else if (!master._deleted && !local._deleted && base !== undefined && base.priorVisits === m) expect(merged.priorVisits).toBe(l);
        else expect([m, l]).toContain(merged.priorVisits);
      }),
      RUNS,
    );
  });

  it('a tombstone wins whole (master if both), with nothing new recorded', () => {
    fc.assert(
      fc.property(tripleArb, ({ base, master, local }) => {
        fc.pre(master._deleted || local._deleted);
        const tombstone = master._deleted ? master : local;
        const merged = mergeCustomer(base, master, local);
        for (const unit of UNITS) expect(pick(merged, unit)).toEqual(pick(tombstone, unit));
        expect(merged.conflicts).toEqual(tombstone.conflicts);
      }),
      RUNS,
    );
  });

  it('roles do not change which value a field keeps, nor updatedAt / updatedBy', () => {
    fc.assert(
      fc.property(tripleArb, ({ base, master, local }) => {
        fc.pre(!master._deleted && !local._deleted);
        const one = mergeCustomer(base, master, local);
        const other = mergeCustomer(base, local, master);
        for (const unit of UNITS) expect(pick(one, unit)).toEqual(pick(other, unit));
        expect([one.updatedAt, one.updatedBy]).toEqual([other.updatedAt, other.updatedBy]);
      }),
      RUNS,
    );
  });
});

describe('list fields combine instead of conflicting', () => {
  it('keeps allergies added on two terminals at once (a safety matter), and honours a removal', () => {
    const base = customerWith({ allergies: ['nuts', 'gluten'] });
    const master = customerWith({ allergies: ['nuts', 'gluten', 'lactose'] }, '2025-03-01T09:05:00.000Z');
    const local = customerWith({ allergies: ['nuts', 'sesame'] }, '2025-03-01T09:06:00.000Z');
    const merged = mergeCustomer(base, master, local);
    expect(merged.preferences.allergies).toEqual(['lactose', 'nuts', 'sesame']);
    expect(merged.conflicts).toEqual([]);
  });

  it('mergeSet gives up (returns undefined) beyond the schema limit so the ordinary rule records the loser', () => {
    const many = (prefix: string) => Array.from({ length: 20 }, (_, i) => `${prefix}${i}`);
    expect(mergeSet([], many('a'), many('b'), 30)).toBeUndefined();
    expect(mergeSet(['x'], ['x', 'y'], ['z'], 30)).toEqual(['y', 'z']);
  });
});

function customerWith(preferences: Partial<Customer['preferences']>, updatedAt = '2025-03-01T09:00:00.000Z'): Customer {
  return CustomerSchema.parse({
    id: '00000000-0000-4000-8000-00000000000a',
    merchantId: '00000000-0000-4000-8000-000000000001',
    updatedAt,
    _deleted: false,
    phone: '+989121234567',
    phoneKey: '09121234567',
    phoneReversed: '765432121989',
    name: 'Ahmad Mohammadi',
    nameKey: 'ahmad mohammadi',
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
    preferences: { favorites: [], allergies: [], preferredTime: null, ...preferences },
    tags: [],
    consent: [],
    status: 'active',
    mergedInto: null,
    storeId: '00000000-0000-4000-8000-000000000003',
    createdAt: '2025-02-28T16:20:00.000Z',
    updatedBy: '00000000-0000-4000-8000-000000000015',
    conflicts: [],
  });
}
