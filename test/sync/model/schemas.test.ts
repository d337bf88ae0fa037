// The zod contract against real cases from seed 001 (a café CRM: Persian names, IRR prices, espresso).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CustomerSchema, NAME_MAX, NAME_MIN, type Customer } from '../../../src/sync/model/customer.ts';
import { earnEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import { LoyaltyEntrySchema, type LoyaltyKind } from '../../../src/sync/model/loyalty-entry.ts';
import {
  DEFAULT_PROGRAM,
  DEFAULT_SEGMENT_RULES,
  ProgramSchema,
  SegmentRulesSchema,
  SettingsSchema,
  type Program,
} from '../../../src/sync/model/settings.ts';
import { VisitSchema, itemsSubtotal, visitChangeAllowed, type Visit } from '../../../src/sync/model/visit.ts';

const MERCHANT = '0190a4a8-0000-7000-8000-000000000001';
const STORE = '0190a4a8-0000-7000-8000-0000000000a1';
const TERMINAL = '0190a4a8-0000-7000-8000-0000000000b1';
const STAFF = '0190a4a8-0000-7000-8000-0000000000c1';
const MANAGER = '0190a4a8-0000-7000-8000-0000000000c2';
const CUSTOMER = '0190a4a8-0000-7000-8000-000000000101';
const VISIT = '0190a4a8-0000-7000-8000-000000000201';
const ENTRY = '0190a4a8-0000-7000-8000-000000000501';

/** Seed 001's example customer, in the contract's shape (E.164 phone, folded keys, camelCase). */
function seedCustomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: CUSTOMER,
    merchantId: MERCHANT,
    updatedAt: '2024-01-15T10:35:00.000Z',
    _deleted: false,
    phone: '+989123456789',
    phoneKey: '09123456789',
    phoneReversed: '987654321989',
    name: 'احمد محمدی',
    nameKey: 'احمد محمدی',
    email: 'ahmad@example.com',
    birthday: '1985-03-15',
    anniversary: '2020-06-10',
    phone2: null,
    phone2Key: null,
    phone2Reversed: null,
    address: '',
    company: '',
    source: 'walk-in',
    preferredChannel: null,
    timeline: [{ id: `${CUSTOMER}:note`, text: 'مشتری VIP - ترجیح قهوه اسپرسو', at: '2023-06-01T09:00:00.000Z', by: STAFF }],
    preferences: { favorites: ['espresso'], allergies: ['nuts'], preferredTime: 'morning' },
    tags: [],
    consent: [],
    status: 'active',
    mergedInto: null,
    storeId: STORE,
    createdAt: '2023-06-01T09:00:00.000Z',
    updatedBy: STAFF,
    conflicts: [],
    ...overrides,
  };
}

/** Seed 001's "record new visit": two double espressos at 45,000 IRR. */
function seedVisit(overrides: Partial<Visit> = {}): Visit {
  return VisitSchema.parse({
    id: VISIT,
    merchantId: MERCHANT,
    updatedAt: '2024-01-15T10:30:00.000Z',
    _deleted: false,
    storeId: STORE,
    customerId: CUSTOMER,
    terminalId: TERMINAL,
    staffId: STAFF,
    occurredAt: '2024-01-15T10:30:00.000Z',
    items: [{ name: 'اسپرسو دوبل', quantity: 2, unitPrice: 45000 }],
    subtotal: 90000,
    discount: 0,
    total: 90000,
    currency: 'IRR',
    paymentMethod: 'cash',
    pointsEarned: 90,
    notes: 'سرویس سریع و عالی',
    feedback: null,
    voided: false,
    voidedAt: null,
    voidedBy: null,
    voidReason: null,
    ...overrides,
  });
}

function entry(kind: LoyaltyKind, points: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ENTRY,
    merchantId: MERCHANT,
    updatedAt: '2024-01-15T10:30:00.000Z',
    _deleted: false,
    customerId: CUSTOMER,
    kind,
    points,
    visitId: null,
    rewardId: null,
    reversesId: null,
    storeId: STORE,
    terminalId: TERMINAL,
    staffId: STAFF,
    offline: false,
    note: '',
    occurredAt: '2024-01-15T10:30:00.000Z',
    ...overrides,
  };
}

/** Issue codes and paths of a failed parse, for precise assertions. */
function issues(schema: z.ZodType, value: unknown): { code: string; path: string }[] {
  const result = schema.safeParse(value);
  expect(result.success, 'expected the parse to fail').toBe(false);
  return (result.error?.issues ?? []).map((i) => ({ code: i.code, path: i.path.join('.') }));
}

describe('customers (seed 001)', () => {
  it("parses seed 001's example customer and keeps it as is", () => {
    const raw = seedCustomer();
    const customer: Customer = CustomerSchema.parse(raw);
    expect(customer).toEqual(raw);
    expect(customer.preferences).toEqual({ favorites: ['espresso'], allergies: ['nuts'], preferredTime: 'morning' });
  });

  it('accepts the optional fields as null, not as missing', () => {
    const blank = { email: null, birthday: null, anniversary: null };
    expect(CustomerSchema.safeParse(seedCustomer(blank)).success).toBe(true);
    const { email: _email, ...withoutEmail } = seedCustomer();
    expect(issues(CustomerSchema, withoutEmail)).toEqual([{ code: 'invalid_type', path: 'email' }]);
  });

  it.each([
    ['3 characters', 'علی', true],
    ['2 characters', 'عل', false],
    ['empty', '', false],
    [`${NAME_MAX} characters`, 'ا'.repeat(NAME_MAX), true],
    [`${NAME_MAX + 1} characters`, 'ا'.repeat(NAME_MAX + 1), false],
  ])('a name of %s: valid = %s', (_label, name, valid) => {
    expect(CustomerSchema.safeParse(seedCustomer({ name })).success).toBe(valid);
  });

  it("name bounds are seed 001's 3–100 characters", () => {
    expect([NAME_MIN, NAME_MAX]).toEqual([3, 100]);
  });

  it("refuses unknown fields, including seed 001's own snake_case shapes (strict objects)", () => {
    expect(issues(CustomerSchema, seedCustomer({ segment: 'regular' }))).toEqual([
      { code: 'unrecognized_keys', path: '' },
    ]);
    const seedPreferences = { favorite_drink: 'espresso', allergies: ['nuts'], preferred_time: 'morning' };
    expect(issues(CustomerSchema, seedCustomer({ preferences: seedPreferences }))).toContainEqual({
      code: 'unrecognized_keys',
      path: 'preferences',
    });
    // An own `__proto__` key, as JSON.parse makes it from a request body.
    const polluted = { ...seedCustomer(), ...(JSON.parse('{"__proto__": {"admin": true}}') as object) };
    expect(Object.keys(polluted)).toContain('__proto__');
    expect(issues(CustomerSchema, polluted)).toEqual([{ code: 'unrecognized_keys', path: '' }]);
  });

  it('does not coerce types', () => {
    expect(issues(CustomerSchema, seedCustomer({ company: 12 }))).toEqual([{ code: 'invalid_type', path: 'company' }]);
    expect(issues(CustomerSchema, seedCustomer({ tags: 'vip' }))).toEqual([{ code: 'invalid_type', path: 'tags' }]);
    expect(issues(CustomerSchema, seedCustomer({ birthday: new Date('1985-03-15') }))).toEqual([
      { code: 'invalid_type', path: 'birthday' },
    ]);
  });

  it("stores E.164: seed 001's national form '09123456789' is not a stored phone", () => {
    expect(CustomerSchema.safeParse(seedCustomer({ phone: '09123456789' })).success).toBe(false);
    expect(CustomerSchema.safeParse(seedCustomer({ phone: '+98 912 345 6789' })).success).toBe(false);
  });

  it.each([
    ['email', 'ahmad@'],
    ['birthday', '1985-02-30'],
    ['birthday', '1985/03/15'],
    ['status', 'vip'],
    ['mergedInto', 'NOT-A-UUID'],
    ['mergedInto', '0190A4A8-0000-7000-8000-000000000101'], // upper case: ids are canonical lower case
    ['updatedAt', '2024-01-15T10:35:00+03:30'], // UTC only
  ])('refuses %s = %j', (field, value) => {
    expect(issues(CustomerSchema, seedCustomer({ [field]: value }))).toEqual([
      expect.objectContaining({ path: field }),
    ]);
  });
});

describe('visits (seed 001)', () => {
  it('itemsSubtotal: 2 × 45,000 = 90,000 and the two-line order = 170,000', () => {
    expect(itemsSubtotal(seedVisit().items)).toBe(90000);
    const order = [
      { name: 'اسپرسو', quantity: 2, unitPrice: 45000 },
      { name: 'کیک شکلاتی', quantity: 1, unitPrice: 80000 },
    ];
    expect(itemsSubtotal(order)).toBe(170000);
    expect(itemsSubtotal([])).toBe(0);
  });

  it('does not coerce: a string amount or quantity fails, and so does a fraction', () => {
    const raw = { ...seedVisit() } as Record<string, unknown>;
    expect(issues(VisitSchema, { ...raw, total: '90000' })).toEqual([{ code: 'invalid_type', path: 'total' }]);
    expect(issues(VisitSchema, { ...raw, items: [{ name: 'اسپرسو', quantity: '2', unitPrice: 45000 }] })).toEqual([
      { code: 'invalid_type', path: 'items.0.quantity' },
    ]);
    expect(issues(VisitSchema, { ...raw, discount: 0.5 })).toEqual([{ code: 'invalid_type', path: 'discount' }]);
    expect(VisitSchema.safeParse({ ...raw, total: Number.MAX_SAFE_INTEGER + 1 }).success).toBe(false);
  });

  it('feedback is 1–5 stars', () => {
    expect(VisitSchema.safeParse({ ...seedVisit(), feedback: { rating: 5, comment: 'عالی بود!' } }).success).toBe(true);
    expect(VisitSchema.safeParse({ ...seedVisit(), feedback: { rating: 6, comment: '' } }).success).toBe(false);
    expect(VisitSchema.safeParse({ ...seedVisit(), feedback: { rating: 0, comment: '' } }).success).toBe(false);
  });
});

describe('visitChangeAllowed', () => {
  const stored = seedVisit();
  const voided = seedVisit({
    voided: true,
    voidedAt: '2024-01-15T11:00:00.000Z',
    voidedBy: MANAGER,
    voidReason: 'wrong customer',
    updatedAt: '2024-01-15T11:00:00.000Z',
  });
  const withFeedback = seedVisit({ feedback: { rating: 5, comment: 'عالی بود!' } });

  it('allows an unchanged replay', () => {
    expect(visitChangeAllowed(stored, seedVisit())).toBe(true);
  });

  it('allows a void, and a void after feedback', () => {
    expect(visitChangeAllowed(stored, voided)).toBe(true);
    expect(visitChangeAllowed(withFeedback, { ...voided, feedback: withFeedback.feedback })).toBe(true);
  });

  it('refuses an un-void, and a void that names no time or staff', () => {
    expect(visitChangeAllowed(voided, stored)).toBe(false);
    expect(visitChangeAllowed(stored, { ...voided, voidedAt: null })).toBe(false);
    expect(visitChangeAllowed(stored, { ...voided, voidedBy: null })).toBe(false);
    expect(visitChangeAllowed(voided, { ...voided, voidedBy: STAFF })).toBe(false);
  });

  it('refuses rewriting history: total, items, customer, time', () => {
    expect(visitChangeAllowed(stored, seedVisit({ total: 80000 }))).toBe(false);
    expect(
      visitChangeAllowed(stored, seedVisit({ items: [{ name: 'اسپرسو دوبل', quantity: 3, unitPrice: 45000 }] })),
    ).toBe(false);
    expect(visitChangeAllowed(stored, seedVisit({ customerId: '0190a4a8-0000-7000-8000-000000000102' }))).toBe(false);
    expect(visitChangeAllowed(stored, seedVisit({ occurredAt: '2024-01-15T10:31:00.000Z' }))).toBe(false);
  });

  it('allows feedback to be added once, and refuses changing or removing it', () => {
    expect(visitChangeAllowed(stored, withFeedback)).toBe(true);
    expect(visitChangeAllowed(withFeedback, seedVisit({ feedback: { rating: 1, comment: 'بد' } }))).toBe(false);
    expect(visitChangeAllowed(withFeedback, stored)).toBe(false);
  });

  it('compares parsed documents: zod puts nested keys back in schema order', () => {
    const reordered = VisitSchema.parse({ ...stored, items: [{ unitPrice: 45000, quantity: 2, name: 'اسپرسو دوبل' }] });
    expect(visitChangeAllowed(stored, reordered)).toBe(true);
  });

  // Known contract defects (reported): after a void the reason can still be rewritten, and a visit that is not
  // voided may carry void fields. When this test fails, visitChangeAllowed was tightened: flip it.
  it('refuses rewriting the void reason after a void, and void fields without the void flag', () => {
    expect(visitChangeAllowed(voided, { ...voided, voidReason: 'something else' })).toBe(false);
    expect(visitChangeAllowed(stored, { ...stored, voidedAt: voided.voidedAt, voidedBy: MANAGER })).toBe(false);
  });
});

describe('loyalty entries: sign rules', () => {
  it.each([
    ['earn', 90, true],
    ['earn', 0, false],
    ['earn', -1, false],
    ['redeem', -200, true],
    ['redeem', 200, false],
    ['redeem', 0, false],
    ['expire', -10, true],
    ['expire', 10, false],
    ['adjust', 10, true],
    ['adjust', -10, true],
    ['adjust', 0, false],
  ] as const)('%s with %i points: valid = %s', (kind, points, valid) => {
    const result = LoyaltyEntrySchema.safeParse(entry(kind, points));
    expect(result.success).toBe(valid);
    if (!valid) expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['points']);
  });

  it("a visit's earning uses the deterministic id and names the visit", () => {
    expect(LoyaltyEntrySchema.safeParse(entry('earn', 90, { id: earnEntryId(VISIT), visitId: VISIT })).success).toBe(
      true,
    );
  });

  it('a reversal must name the entry it reverses, and may go either way but not zero', () => {
    const reverses = earnEntryId(VISIT);
    const reversal = { id: reversalEntryId(reverses), visitId: VISIT, reversesId: reverses };
    expect(LoyaltyEntrySchema.safeParse(entry('reversal', -90, reversal)).success).toBe(true);
    expect(LoyaltyEntrySchema.safeParse(entry('reversal', 200, reversal)).success).toBe(true);
    expect(issues(LoyaltyEntrySchema, entry('reversal', -90))).toEqual([{ code: 'custom', path: 'reversesId' }]);
    expect(issues(LoyaltyEntrySchema, entry('reversal', 0, reversal))).toEqual([{ code: 'custom', path: 'points' }]);
  });

  it('points are integers given as numbers', () => {
    expect(issues(LoyaltyEntrySchema, entry('earn', '12'))).toEqual([{ code: 'invalid_type', path: 'points' }]);
    expect(issues(LoyaltyEntrySchema, entry('earn', 1.5))).toEqual([{ code: 'invalid_type', path: 'points' }]);
    expect(issues(LoyaltyEntrySchema, entry('bonus' as LoyaltyKind, 10))).toContainEqual({
      code: 'invalid_value',
      path: 'kind',
    });
  });
});

describe('settings: the loyalty program', () => {
  const withTiers = (thresholds: readonly number[]): Program => ({
    ...DEFAULT_PROGRAM,
    tiers: DEFAULT_PROGRAM.tiers.map((rule, i) => ({ ...rule, threshold: thresholds[i] ?? 0 })),
  });

  it('DEFAULT_PROGRAM (0/500/1000/2500, ×1/1.25/1.5/2) and DEFAULT_SEGMENT_RULES pass', () => {
    expect(ProgramSchema.parse(DEFAULT_PROGRAM)).toEqual(DEFAULT_PROGRAM);
    expect(SegmentRulesSchema.parse(DEFAULT_SEGMENT_RULES)).toEqual(DEFAULT_SEGMENT_RULES);
    const settings = {
      id: MERCHANT,
      merchantId: MERCHANT,
      updatedAt: '2024-01-15T10:30:00.000Z',
      _deleted: false,
      businessName: 'کافه پاترون',
      currency: 'IRR',
      currencyDisplay: 'rial',
      defaultRegion: 'IR',
      locale: 'fa',
      timeZone: 'Asia/Tehran',
      stores: [{ id: STORE, name: 'ولیعصر', address: 'تهران' }],
      program: DEFAULT_PROGRAM,
      segments: DEFAULT_SEGMENT_RULES,
      tagCatalogue: [],
      updatedBy: MANAGER,
      conflicts: [],
    };
    expect(SettingsSchema.safeParse(settings).success).toBe(true);
  });

  it('refuses thresholds that do not increase', () => {
    expect(issues(ProgramSchema, withTiers([0, 500, 500, 2500]))).toEqual([
      { code: 'custom', path: 'tiers.2.threshold' },
    ]);
    expect(issues(ProgramSchema, withTiers([0, 1000, 500, 2500]))).toEqual([
      { code: 'custom', path: 'tiers.2.threshold' },
    ]);
  });

  it('refuses a first tier above 0, tiers out of order, and a missing tier', () => {
    expect(issues(ProgramSchema, withTiers([100, 500, 1000, 2500]))).toEqual([
      { code: 'custom', path: 'tiers.0.threshold' },
    ]);
    const swapped = [DEFAULT_PROGRAM.tiers[1], DEFAULT_PROGRAM.tiers[0], ...DEFAULT_PROGRAM.tiers.slice(2)];
    expect(ProgramSchema.safeParse({ ...DEFAULT_PROGRAM, tiers: swapped }).success).toBe(false);
    expect(issues(ProgramSchema, { ...DEFAULT_PROGRAM, tiers: DEFAULT_PROGRAM.tiers.slice(0, 3) })).toEqual([
      { code: 'too_small', path: 'tiers' },
    ]);
  });

  it('refuses a multiplier below 1 and a zero earnPer, and does not coerce', () => {
    const low = { ...DEFAULT_PROGRAM, tiers: DEFAULT_PROGRAM.tiers.map((t) => ({ ...t, multiplier: 0.5 })) };
    expect(ProgramSchema.safeParse(low).success).toBe(false);
    expect(issues(ProgramSchema, { ...DEFAULT_PROGRAM, earnPer: 0 })).toEqual([{ code: 'too_small', path: 'earnPer' }]);
    expect(issues(ProgramSchema, { ...DEFAULT_PROGRAM, earnPer: '1000' })).toEqual([
      { code: 'invalid_type', path: 'earnPer' },
    ]);
  });
});
