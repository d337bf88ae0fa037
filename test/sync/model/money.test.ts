import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isPatronError } from '../../../src/sync/model/errors.ts';
import {
  formatMoney,
  fromMinor,
  minorToDecimal,
  minorToShown,
  minorUnitDigits,
  parseMoney,
  parseMoneyIn,
  toMinor,
  type MoneyUnit,
} from '../../../src/sync/model/money.ts';

/** Intl's spacing (NBSP, narrow NBSP) and bidi marks differ between ICU versions; compare without them. */
function plain(s: string): string {
  return s.replace(/[\s\p{Cf}]/gu, '');
}

function expectValidationFailed(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isPatronError(thrown) && thrown.code === 'VALIDATION_FAILED').toBe(true);
}

const PERSIAN_DIGIT = /[\u06f0-\u06f9]/;

describe('minorUnitDigits', () => {
  it.each([
    ['IRR', 0], // CLDR: rials are not split (ISO 4217 still lists 2)
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KWD', 3],
  ])('%s has %i', (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
    expect(minorUnitDigits(currency)).toBe(digits); // cached
  });

  it('refuses something that is not an ISO code', () => {
    expectValidationFailed(() => minorUnitDigits('usd'));
    expectValidationFailed(() => minorUnitDigits('US'));
  });
});

describe('formatMoney', () => {
  it.each([
    [4_500_000, 'IRR', 'IRR4,500,000'],
    [45_000, 'IRR', 'IRR45,000'],
    [123_450, 'USD', '$1,234.50'],
    [123_456, 'EUR', '€1,234.56'],
    [5, 'USD', '$0.05'],
    [0, 'EUR', '€0.00'],
    [-350, 'USD', '-$3.50'],
  ])('en: %i %s → %s', (minor, currency, expected) => {
    const text = formatMoney(minor, currency, 'en');
    expect(plain(text)).toBe(expected);
    expect(text).not.toMatch(PERSIAN_DIGIT);
  });

  it.each([
    [45_000, 'IRR', '۴۵٬۰۰۰'],
    [123_450, 'USD', '۱٬۲۳۴٫۵۰'],
    [123_456, 'EUR', '۱٬۲۳۴٫۵۶'],
  ])('fa: %i %s writes Persian digits %s', (minor, currency, digits) => {
    const text = formatMoney(minor, currency, 'fa');
    expect(text).toMatch(PERSIAN_DIGIT);
    expect(text).not.toMatch(/[0-9]/);
    expect(plain(text)).toContain(digits);
  });

  it('names the rial in Persian for fa', () => {
    expect(formatMoney(45_000, 'IRR', 'fa')).toContain('ریال');
  });

  it('formats the largest safe amount exactly (no floating-point division)', () => {
    expect(plain(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', 'en'))).toBe('$90,071,992,547,409.91');
    expect(plain(formatMoney(Number.MAX_SAFE_INTEGER, 'IRR', 'en'))).toBe('IRR9,007,199,254,740,991');
  });

  it('refuses amounts that are not safe integers', () => {
    expectValidationFailed(() => formatMoney(1.5, 'USD', 'en'));
    expectValidationFailed(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, 'USD', 'en'));
    expectValidationFailed(() => formatMoney(Number.NaN, 'USD', 'en'));
  });
});

describe('parseMoney', () => {
  it.each([
    ['45000', 'IRR', 45_000],
    ['45,000', 'IRR', 45_000],
    ['۴۵٬۰۰۰', 'IRR', 45_000],
    ['٤٥،٠٠٠', 'IRR', 45_000],
    ['۴۵۰۰۰', 'IRR', 45_000],
    ['1,234,567', 'IRR', 1_234_567],
    [' 45 000 ', 'IRR', 45_000],
    ['0', 'IRR', 0],
    ['12', 'USD', 1200],
    ['12.5', 'USD', 1250],
    ['12.50', 'USD', 1250],
    ['1,234.56', 'USD', 123_456],
    ['۱٬۲۳۴٫۵۶', 'USD', 123_456],
    ['.5', 'USD', 50],
    ['0.05', 'EUR', 5],
    ['007', 'USD', 700],
    ['$12.50', 'USD', 1250],
    ['12.50 USD', 'USD', 1250],
    ['€1,234.56', 'EUR', 123_456],
    ['45,000 ریال', 'IRR', 45_000],
    ['IRR 45,000', 'IRR', 45_000],
    ['1.234', 'KWD', 1234],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('%j %s → %i', (input, currency, minor) => {
    expect(parseMoney(input, currency)).toBe(minor);
  });

  it.each([
    ['empty', '', 'USD'],
    ['blank', '   ', 'USD'],
    ['letters', 'abc', 'USD'],
    ['digits with letters', '12a', 'USD'],
    ['negative', '-5', 'USD'],
    ['Unicode minus', '−5', 'USD'],
    ['decimals on a currency without them', '45000.5', 'IRR'],
    ['too many decimals', '12.345', 'USD'],
    ['a decimal point alone', '.', 'USD'],
    ['a trailing decimal point', '12.', 'USD'],
    ['two decimal points', '1.2.3', 'USD'],
    ['a comma as decimal separator (1,5 is not fifteen)', '1,5', 'EUR'],
    ['misplaced thousands separator', '12,34', 'USD'],
    ['thousands separator after the decimal', '1.234,56', 'EUR'],
    ['a leading separator', ',500', 'USD'],
    ['another currency symbol', '€12', 'USD'],
    ['two symbols', 'USD $12', 'USD'],
    ['exponent', '1e5', 'USD'],
    ['beyond the safe range', '90071992547409.92', 'USD'],
  ])('%s: %j %s', (_label, input, currency) => {
    expectValidationFailed(() => parseMoney(input, currency));
  });

  it('reads back what formatMoney writes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('IRR', 'USD', 'EUR', 'JPY', 'KWD'),
        fc.constantFrom('en' as const, 'fa' as const),
        (minor, currency, locale) => {
          expect(parseMoney(formatMoney(minor, currency, locale), currency)).toBe(minor);
        },
      ),
    );
  });
});

describe('toMinor / fromMinor / minorToDecimal', () => {
  it('converts between major and minor units', () => {
    expect(toMinor(12.5, 'USD')).toBe(1250);
    expect(toMinor(0.29, 'USD')).toBe(29); // 0.29 * 100 is 28.999999999999996
    expect(toMinor(45_000, 'IRR')).toBe(45_000);
    expect(toMinor(-3.5, 'EUR')).toBe(-350);
    expect(toMinor(1_234_567.89, 'USD')).toBe(123_456_789);
    expect(toMinor(90_071_992_547_409.91, 'USD')).toBe(Number.MAX_SAFE_INTEGER);
    expect(Object.is(toMinor(-0, 'USD'), 0)).toBe(true);
    expect(fromMinor(1250, 'USD')).toBe(12.5);
    expect(fromMinor(45_000, 'IRR')).toBe(45_000);
  });

  it('refuses precision the currency does not have, and unsafe results', () => {
    expectValidationFailed(() => toMinor(12.345, 'USD'));
    expectValidationFailed(() => toMinor(0.5, 'IRR'));
    expectValidationFailed(() => toMinor(10_000_000_000.123, 'USD'));
    expectValidationFailed(() => toMinor(Number.POSITIVE_INFINITY, 'USD'));
    expectValidationFailed(() => toMinor(1e20, 'USD'));
    expectValidationFailed(() => fromMinor(0.5, 'USD'));
  });

  it('round-trips through major units for everyday amounts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), fc.constantFrom('IRR', 'USD', 'KWD'), (minor, currency) => {
        expect(toMinor(fromMinor(minor, currency), currency)).toBe(minor);
      }),
    );
  });

  it('writes exact decimal strings', () => {
    expect(minorToDecimal(123_456, 'USD')).toBe('1234.56');
    expect(minorToDecimal(5, 'USD')).toBe('0.05');
    expect(minorToDecimal(-5, 'KWD')).toBe('-0.005');
    expect(minorToDecimal(45_000, 'IRR')).toBe('45000');
  });
});

describe('shown units: toman and rial (amounts stored in rial)', () => {
  const TOMAN: MoneyUnit = { currency: 'IRR', display: 'toman' };
  const RIAL: MoneyUnit = { currency: 'IRR', display: 'rial' };

  it('shows rial amounts in toman exactly, a tenth only when there is one', () => {
    expect(minorToShown(250_000, TOMAN)).toBe('25000');
    expect(minorToShown(25, TOMAN)).toBe('2.5');
    expect(minorToShown(5, TOMAN)).toBe('0.5');
    expect(minorToShown(0, TOMAN)).toBe('0');
    expect(minorToShown(-250_010, TOMAN)).toBe('-25001');
    expect(minorToShown(Number.MAX_SAFE_INTEGER, TOMAN)).toBe('900719925474099.1');
    expect(minorToShown(250_000, RIAL)).toBe('250000');
    // Only the rial has a toman: the setting means nothing for other currencies.
    expect(minorToShown(1250, { currency: 'USD', display: 'toman' })).toBe('12.50');
  });

  it.each([
    ['25000', 250_000],
    ['25,000', 250_000],
    ['۲۵٬۰۰۰', 250_000],
    ['۲۵٬۰۰۰ تومان', 250_000],
    ['25,000 toman', 250_000],
    ['25000.0', 250_000],
    ['0', 0],
    ['900,719,925,474,099', 9_007_199_254_740_990],
  ])('reads %j typed in toman as %i rial', (input, rial) => {
    expect(parseMoneyIn(input, TOMAN)).toBe(rial);
  });

  it('refuses a fraction of a toman with its own reason, and what is not an amount', () => {
    for (const input of ['2.5', '۲٫۵', '25,000.5']) {
      let thrown: unknown;
      try {
        parseMoneyIn(input, TOMAN);
      } catch (error) {
        thrown = error;
      }
      expect(isPatronError(thrown) && thrown.details?.reason).toBe('TOMAN_FRACTION');
    }
    expectValidationFailed(() => parseMoneyIn('abc', TOMAN));
    expectValidationFailed(() => parseMoneyIn('', TOMAN));
    expectValidationFailed(() => parseMoneyIn('-5', TOMAN));
    // Ten times the largest safe toman figure is not a safe rial amount.
    expectValidationFailed(() => parseMoneyIn('9007199254740991', TOMAN));
  });

  it('toman typed → rial → shown round-trips exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 10) }), (toman) => {
        const rial = parseMoneyIn(String(toman), TOMAN);
        expect(rial).toBe(toman * 10);
        expect(minorToShown(rial, TOMAN)).toBe(String(toman));
      }),
    );
  });

  it('in rial, and for other currencies, reads as parseMoney does', () => {
    expect(parseMoneyIn('250,000', RIAL)).toBe(250_000);
    expect(parseMoneyIn('12.50', { currency: 'USD', display: 'toman' })).toBe(1250);
  });
});
