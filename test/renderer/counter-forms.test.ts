import { describe, expect, it } from 'vitest';
import { newCustomer } from '../../src/sync/model/document-builders.ts';
import { DEFAULT_PROGRAM } from '../../src/sync/model/settings.ts';
import { changedFields } from '../../src/sync/client/commands/customers.ts';
import { resolveRoots } from '../../src/sync/client/queries/merge-roots.ts';
import { customerInputSchema, preferencesOf } from '../../src/sync/model/customer-input.ts';
import type { Customer } from '../../src/sync/model/customer.ts';
import {
  customerToForm,
  emptyCustomerForm,
  splitList,
  validateCustomerForm,
} from '../../src/renderer/features/counter/customer-form.ts';
import { moveHighlight, prefillFromLookup } from '../../src/renderer/features/counter/lookup-input.ts';
import { emptyVisitForm, parseVisitForm, previewPoints } from '../../src/renderer/features/counter/visit-form.ts';
import type { MoneyUnit } from '../../src/sync/model/money.ts';
import { FIXED_CONTEXT } from '../helpers/documents.ts';

const IRR: MoneyUnit = { currency: 'IRR', display: 'rial' };
const TOMAN: MoneyUnit = { currency: 'IRR', display: 'toman' };
const USD: MoneyUnit = { currency: 'USD', display: 'rial' };

const TODAY = '2025-03-20';
const ctx = FIXED_CONTEXT;

describe('sign-up form validation', () => {
  it('requires phone and name, with the model codes as i18n keys', () => {
    const result = validateCustomerForm(emptyCustomerForm(), 'IR', TODAY);
    expect(result).toEqual({
      ok: false,
      errors: { phone: 'common:fields.REQUIRED', name: 'common:fields.REQUIRED' },
    });
  });

  it('refuses an invalid number and a short or long name (seed 001: 3–100)', () => {
    const result = validateCustomerForm(emptyCustomerForm({ phone: '0906 123 4567', name: 'Al' }), 'IR', TODAY);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.phone).toBe('common:fields.INVALID_PHONE_FORMAT');
      expect(result.errors.name).toBe('common:fields.INVALID_NAME');
    }
    const long = validateCustomerForm(emptyCustomerForm({ phone: '09121234567', name: 'x'.repeat(101) }), 'IR', TODAY);
    expect(!long.ok && long.errors.name).toBe('common:fields.INVALID_NAME');
  });

  it('accepts Persian digits and national, international and 0098 forms', () => {
    for (const phone of ['۰۹۱۲ ۱۲۳ ۴۵۶۷', '+98 912 123 4567', '00989121234567', '0912-123-4567']) {
      const result = validateCustomerForm(emptyCustomerForm({ phone, name: 'زهرا محمدی' }), 'IR', TODAY);
      expect(result.ok && result.e164, phone).toBe('+989121234567');
    }
  });

  it('checks email, real dates (not in the future) and list sizes', () => {
    const result = validateCustomerForm(
      emptyCustomerForm({
        phone: '09121234567',
        name: 'Ali Rezaei',
        email: 'not-an-email',
        birthday: '2023-02-29',
        anniversary: '2030-01-01',
        favorites: 'x'.repeat(61),
      }),
      'IR',
      TODAY,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toMatchObject({
        email: 'common:fields.INVALID_EMAIL',
        birthday: 'common:fields.INVALID_DATE',
        anniversary: 'common:fields.FUTURE_DATE',
        favorites: 'common:fields.ITEM_TOO_LONG',
      });
    }
  });

  it('builds the model input that newCustomer accepts', () => {
    const result = validateCustomerForm(
      emptyCustomerForm({
        phone: '0912 123 4567',
        name: '  Ali  Rezaei ',
        email: 'ali@example.com',
        birthday: '1985-03-15',
        favorites: 'espresso، turkish coffee, espresso',
        allergies: 'nuts',
        preferredTime: 'morning',
        phone2: '۰۹۳۵ ۱۱۱ ۲۲۳۳',
        company: 'Sol Co',
        consentSms: true,
      }),
      'IR',
      TODAY,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const checked = customerInputSchema({ region: 'IR', today: TODAY }).parse(result.input);
    expect(preferencesOf(checked)).toEqual({
      favorites: ['espresso', 'turkish coffee'],
      allergies: ['nuts'],
      preferredTime: 'morning',
    });
    const customer = newCustomer({ ...checked, preferences: preferencesOf(checked), consent: { email: checked.consentEmail, sms: checked.consentSms } }, ctx, 'IR');
    expect(customer.phone).toBe('+989121234567');
    expect(customer.phone2).toBe('+989351112233');
    expect(customer.name).toBe('Ali Rezaei');
    expect(customer.company).toBe('Sol Co');
    expect(customer.consent.map((e) => [e.channel, e.state, e.source])).toEqual([['sms', 'granted', 'counter']]);
  });

  it('round-trips an existing customer and reports only changed fields', () => {
    const customer = newCustomer({ phone: '09121234567', name: 'Ali Rezaei', tags: ['vip'] }, ctx, 'IR');
    const form = customerToForm(customer, 'IR');
    expect(form.phone).toBe('0912 123 4567');
    const check = customerInputSchema({ region: 'IR', today: TODAY });
    const same = validateCustomerForm(form, 'IR', TODAY);
    expect(same.ok && changedFields(customer, check.parse(same.input))).toEqual({});
    const edited = validateCustomerForm({ ...form, address: '12 Valiasr St', status: 'blocked' }, 'IR', TODAY);
    expect(edited.ok && changedFields(customer, check.parse(edited.input))).toEqual({
      address: '12 Valiasr St',
      status: 'blocked',
    });
  });

  it('splits lists on Latin and Persian commas and new lines', () => {
    expect(splitList(' a, b،c\n\n d ,a')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('lookup helpers', () => {
  const c = (id: string, mergedInto: string | null = null) => ({ id, mergedInto }) as Customer;
  it('shows merged duplicates as their root, once, in index order', () => {
    const roots: Record<string, string> = { b: 'a', c: 'a' };
    const resolved = resolveRoots([c('b', 'a'), c('x'), c('a'), c('c', 'a'), c('d', 'z')], (id) => roots[id] ?? id);
    expect(resolved.rootIds).toEqual(['a', 'x', 'z']);
    expect(resolved.missing).toEqual(['z']);
  });

  it('prefills the sign-up form with a phone or a name', () => {
    expect(prefillFromLookup('0912 34', 'IR')).toEqual({ phone: '0912 34', name: '' });
    expect(prefillFromLookup('۴۵۶۷', 'IR')).toEqual({ phone: '۴۵۶۷', name: '' });
    expect(prefillFromLookup('زهرا', 'IR')).toEqual({ phone: '', name: 'زهرا' });
  });

  it('moves the highlight with wrap-around', () => {
    expect(moveHighlight(-1, 3, 'ArrowDown')).toBe(0);
    expect(moveHighlight(2, 3, 'ArrowDown')).toBe(0);
    expect(moveHighlight(0, 3, 'ArrowUp')).toBe(2);
    expect(moveHighlight(0, 0, 'ArrowUp')).toBe(-1);
  });
});

describe('visit form', () => {
  it('reads amounts in Persian digits and separators, with a discount', () => {
    const parsed = parseVisitForm({ ...emptyVisitForm(), amount: '۱۲۵٬۰۰۰', discount: '5,000' }, IRR);
    expect(parsed).toMatchObject({ ok: true, subtotal: 125_000, discount: 5_000, total: 120_000 });
  });

  it('sums item lines instead of the amount, and flags bad lines', () => {
    const ok = parseVisitForm(
      { ...emptyVisitForm(), amount: '1', items: [{ key: 'a', name: 'Latte', quantity: '۲', unitPrice: '85,000' }] },
      IRR,
    );
    expect(ok).toMatchObject({
      ok: true,
      subtotal: 170_000,
      input: { items: [{ name: 'Latte', quantity: 2, unitPrice: 85_000 }] },
    });
    expect(ok.ok && 'amount' in ok.input).toBe(false);
    const bad = parseVisitForm(
      { ...emptyVisitForm(), items: [{ key: 'a', name: '', quantity: '0', unitPrice: 'abc' }] },
      IRR,
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        'items.0.name': 'common:fields.REQUIRED',
        'items.0.quantity': 'counter:validation.quantity',
        'items.0.unitPrice': 'counter:validation.amount',
      },
    });
  });

  it('refuses a missing amount and a discount above it', () => {
    expect(parseVisitForm(emptyVisitForm(), IRR)).toEqual({
      ok: false,
      errors: { amount: 'common:fields.REQUIRED' },
    });
    expect(parseVisitForm({ ...emptyVisitForm(), amount: '10', discount: '11' }, IRR)).toEqual({
      ok: false,
      errors: { discount: 'counter:validation.discountTooLarge' },
    });
    expect(parseVisitForm({ ...emptyVisitForm(), amount: '12.5' }, USD)).toMatchObject({ ok: true, total: 1250 });
  });

  it('in toman: the amount, item prices and discount are typed in toman and recorded in rial; a fraction of a toman is refused', () => {
    expect(parseVisitForm({ ...emptyVisitForm(), amount: '۲۵٬۰۰۰', discount: '500' }, TOMAN)).toMatchObject({ ok: true, subtotal: 250_000, discount: 5_000, total: 245_000 });
    const lines = parseVisitForm({ ...emptyVisitForm(), items: [{ key: 'a', name: 'Latte', quantity: '2', unitPrice: '8,500 تومان' }] }, TOMAN);
    expect(lines).toMatchObject({ ok: true, subtotal: 170_000, input: { items: [{ unitPrice: 85_000 }] } });
    expect(parseVisitForm({ ...emptyVisitForm(), amount: '12.5' }, TOMAN)).toEqual({ ok: false, errors: { amount: 'counter:validation.tomanFraction' } });
  });

  it('previews the points of the program at the customer tier; blocked earns nothing', () => {
    expect(previewPoints(125_999, 'bronze', DEFAULT_PROGRAM, false)).toBe(125);
    expect(previewPoints(125_000, 'silver', DEFAULT_PROGRAM, false)).toBe(156);
    expect(previewPoints(125_000, 'platinum', DEFAULT_PROGRAM, true)).toBe(0);
  });
});
