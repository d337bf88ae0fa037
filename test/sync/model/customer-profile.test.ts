import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerInputSchema, fieldProblems } from '../../../src/sync/model/customer-input.ts';
import { CustomerSchema, type ConsentEntry } from '../../../src/sync/model/customer.ts';
import { consentRewrite, consentState, upgradeCustomerV0, type CustomerV0 } from '../../../src/sync/model/customer-profile.ts';
import { newCustomer } from '../../../src/sync/model/document-builders.ts';
import { newId } from '../../../src/sync/model/ids.ts';

// The profile's histories (consent per channel, timeline) and the version-1 migration of a customer.

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const at = (minute: number): string => new Date(Date.parse('2026-03-01T09:00:00.000Z') + minute * 60_000).toISOString();
const entry = (n: number, state: ConsentEntry['state'], minute: number, channel: ConsentEntry['channel'] = 'sms'): ConsentEntry => ({
  id: uuid(n), channel, state, at: at(minute), source: 'counter', by: uuid(99),
});

describe('consent state per channel', () => {
  it('is the latest decision by business time; never asked is no', () => {
    expect(consentState([], 'email')).toEqual({ granted: false, entry: null });
    const history = [entry(1, 'granted', 0), entry(2, 'withdrawn', 5), entry(3, 'granted', 3), entry(4, 'granted', 9, 'email')];
    expect(consentState(history, 'sms')).toEqual({ granted: false, entry: history[1] });
    expect(consentState(history, 'email').granted).toBe(true);
  });

  it('a tie at the same instant goes to the withdrawal, then the greater id, whatever the order', () => {
    const seed = Number(process.env.PATRON_TEST_SEED ?? Date.now() % 2 ** 31);
    console.log(`consent state: seed ${seed} (PATRON_TEST_SEED to repeat)`);
    const arb = fc.uniqueArray(fc.record({ n: fc.integer({ min: 1, max: 40 }), state: fc.constantFrom('granted' as const, 'withdrawn' as const), minute: fc.integer({ min: 0, max: 3 }) }), { selector: (r) => r.n, maxLength: 8 });
    fc.assert(
      fc.property(arb, fc.integer(), (rows, shift) => {
        const history = rows.map((r) => entry(r.n, r.state, r.minute));
        const rotated = history.map((_, i) => history[(i + Math.abs(shift)) % history.length]!);
        const state = consentState(history, 'sms');
        expect(consentState(rotated.reverse(), 'sms')).toEqual(state);
        if (history.length === 0) return;
        const latest = Math.max(...rows.map((r) => r.minute));
        const last = rows.filter((r) => r.minute === latest);
        expect(state.granted).toBe(last.every((r) => r.state === 'granted'));
      }),
      { numRuns: 100, seed },
    );
  });

  it('a history never holds two entries under one id (one could shadow the other past the append-only check)', () => {
    const ctx = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-03-01T09:00:00.000Z', offline: false };
    const customer = newCustomer({ phone: '09121234567', name: 'Ali Rezaei', consent: { sms: true } }, ctx, 'IR');
    const shadow = { ...customer.consent[0]!, state: 'withdrawn' as const, at: at(60) };
    expect(CustomerSchema.safeParse({ ...customer, consent: [customer.consent[0], shadow] }).success).toBe(false);
    expect(CustomerSchema.safeParse({ ...customer, timeline: [{ id: uuid(1), text: 'a', at: at(0), by: uuid(2) }, { id: uuid(1), text: 'b', at: at(1), by: uuid(2) }] }).success).toBe(false);
  });

  it('a rewrite is a removed or altered entry; appending is not', () => {
    const stored = [entry(1, 'granted', 0)];
    expect(consentRewrite(stored, [...stored, entry(2, 'withdrawn', 1)])).toBeNull();
    expect(consentRewrite(stored, [])).toBe('a consent entry was removed');
    expect(consentRewrite(stored, [{ ...stored[0]!, at: at(-60) }])).toBe('a consent entry was altered');
    expect(consentRewrite(stored, [{ ...stored[0]!, state: 'withdrawn' }])).toBe('a consent entry was altered');
  });
});

describe('version-1 migration of a customer', () => {
  const ctx = { merchantId: newId(), storeId: newId(), terminalId: newId(), staffId: newId(), now: '2026-03-01T09:00:00.000Z', offline: false };
  const current = newCustomer({ phone: '09121234567', name: 'Ali Rezaei' }, ctx, 'IR');
  const { phone2: _a, phone2Key: _b, phone2Reversed: _c, address: _d, company: _e, source: _f, preferredChannel: _g, timeline: _h, consent: _i, ...common } = current;
  const v0 = (notes: string, marketingConsent: boolean): CustomerV0 => ({ ...common, notes, marketingConsent, updatedAt: '2026-03-02T10:00:00.000Z', updatedBy: ctx.staffId });

  it('notes become the first timeline note, a true consent a granted entry per channel, ids from the customer', () => {
    const upgraded = upgradeCustomerV0(v0('espresso, no sugar', true));
    expect(CustomerSchema.parse(upgraded)).toEqual(upgraded);
    expect(upgraded.timeline).toEqual([{ id: `${current.id}:note`, text: 'espresso, no sugar', at: '2026-03-02T10:00:00.000Z', by: ctx.staffId }]);
    expect(upgraded.consent.map((e) => [e.id, e.channel, e.state, e.source])).toEqual([
      [`${current.id}:email`, 'email', 'granted', 'migrated'],
      [`${current.id}:sms`, 'sms', 'granted', 'migrated'],
    ]);
    expect(upgraded).not.toHaveProperty('notes');
    expect(upgraded).not.toHaveProperty('marketingConsent');
  });

  it('no notes and no consent: empty histories, empty profile fields', () => {
    expect(upgradeCustomerV0(v0('', false))).toMatchObject({ timeline: [], consent: [], phone2: null, address: '', company: '', source: null, preferredChannel: null });
  });
});

describe('profile details as entered', () => {
  const schema = customerInputSchema({ region: 'IR', today: '2026-03-01' });
  const base = { phone: '09121234567', name: 'Ali Rezaei', email: '', birthday: '', anniversary: '', favorites: [], allergies: [], preferredTime: '' as const, tags: [], status: 'active' as const };

  it('normalises the second phone like the first and keeps the new fields', () => {
    const parsed = schema.parse({ ...base, phone2: '۰۹۳۵ ۱۱۱ ۲۲۳۳', address: '  12 Valiasr St ', company: 'Sol Co', source: 'referral', preferredChannel: 'sms' });
    expect(parsed).toMatchObject({ phone2: '+989351112233', address: '12 Valiasr St', company: 'Sol Co', source: 'referral', preferredChannel: 'sms' });
  });

  it('each bad field has its own problem', () => {
    const bad = (input: Record<string, unknown>) => {
      const result = schema.safeParse({ ...base, ...input });
      return result.success ? {} : fieldProblems(result.error);
    };
    expect(bad({ phone2: '0912' })).toEqual({ phone2: 'INVALID_PHONE_FORMAT' });
    expect(bad({ phone2: '+989121234567' })).toEqual({ phone2: 'SAME_PHONE' });
    expect(bad({ address: 'x'.repeat(301) })).toEqual({ address: 'TOO_LONG' });
    expect(bad({ company: 'x'.repeat(101) })).toEqual({ company: 'TOO_LONG' });
    expect(bad({ source: 'tv' })).toEqual({ source: 'INVALID' });
    expect(bad({ preferredChannel: 'email' })).toEqual({ preferredChannel: 'MISSING_EMAIL' });
    expect(bad({ preferredChannel: 'email', email: 'ali@example.com' })).toEqual({});
  });
});
