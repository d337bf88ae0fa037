import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CustomerSchema } from '../../../src/sync/model/customer.ts';
import { isPatronError } from '../../../src/sync/model/errors.ts';
import {
  formatPhone,
  normalizePhone,
  parsePhone,
  phoneKeys,
  phoneQuery,
  rangeFor,
  toAsciiDigits,
  trunkPrefix,
  type PhoneQuery,
} from '../../../src/sync/model/phone.ts';

/** Seed 001 "Validate Iranian mobile prefixes". */
const SEED_001_PREFIXES = [
  '901', '902', '903', '905', '910', '911', '912', '913', '914', '915', '916', '917', '918', '919', '920', '921',
  '922', '930', '933', '934', '935', '936', '937', '938', '939',
];

function expectInvalid(input: string, region = 'IR'): void {
  expect(parsePhone(input, region)).toEqual({ ok: false, code: 'INVALID_PHONE_FORMAT' });
  let thrown: unknown;
  try {
    normalizePhone(input, region);
  } catch (error) {
    thrown = error;
  }
  expect(isPatronError(thrown) && thrown.code === 'INVALID_PHONE_FORMAT').toBe(true);
}

describe('toAsciiDigits', () => {
  it('converts Persian and Arabic-Indic digits and keeps everything else', () => {
    expect(toAsciiDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(toAsciiDigits('٠١٢٣٤٥٦٧٨٩')).toBe('0123456789');
    expect(toAsciiDigits('تلفن: ۰۹۱۲-٣٤٥ 6789')).toBe('تلفن: 0912-345 6789');
  });
});

describe('normalizePhone: seed 001 Iranian forms', () => {
  it.each([
    ['national', '09123456789'],
    ['international', '+989123456789'],
    ['00 international prefix', '00989123456789'],
    ['Persian digits', '۰۹۱۲۳۴۵۶۷۸۹'],
    ['Arabic-Indic digits', '٠٩١٢٣٤٥٦٧٨٩'],
    ['Persian digits with +', '+۹۸۹۱۲۳۴۵۶۷۸۹'],
    ['mixed scripts', '۰۹۱۲٣٤٥6789'],
    ['spaces', '0912 345 6789'],
    ['dashes', '0912-345-6789'],
    ['dots', '0912.345.6789'],
    ['parentheses', '(0912) 345-6789'],
    ['international with spaces', '+98 912 345 6789'],
    ['00 with spaces', '0098 912 345 6789'],
    ['(0) trunk written after the country code', '+98 (0) 912 345 6789'],
    ['without the trunk 0', '9123456789'],
    ['padding and tabs', '  0912\t345 6789  '],
    ['bidi marks copied from RTL text', '\u200e+98 912 345 6789\u200f'],
    ['Persian digits with dashes', '۰۹۱۲-۳۴۵-۶۷۸۹'],
  ])('%s: %s', (_label, input) => {
    expect(normalizePhone(input, 'IR')).toBe('+989123456789');
  });

  it.each(SEED_001_PREFIXES)('accepts the seed 001 mobile prefix %s', (prefix) => {
    expect(normalizePhone(`0${prefix}1234567`, 'IR')).toBe(`+98${prefix}1234567`);
    expect(normalizePhone(`00 98 ${prefix} 765 4321`, 'IR')).toBe(`+98${prefix}7654321`);
  });

  it('accepts landlines too: a customer may give a shop or home number (Tehran 021)', () => {
    expect(normalizePhone('021-1234-5678', 'IR')).toBe('+982112345678');
    expect(normalizePhone('0098 21 1234 5678', 'IR')).toBe('+982112345678');
  });
});

describe('normalizePhone: other regions', () => {
  it.each([
    ['+1 201-555-0123', 'IR', '+12015550123'],
    ['+44 20 7946 0958', 'IR', '+442079460958'],
    ['+49 30 901820', 'IR', '+4930901820'],
    ['0044 20 7946 0958', 'IR', '+442079460958'],
    ['(201) 555-0123', 'US', '+12015550123'],
    ['201.555.0123', 'US', '+12015550123'],
    ['1 201 555 0123', 'US', '+12015550123'],
    // The US international prefix is 011; `00` is rewritten to `+` because cashiers type it anyway.
    ['0044 20 7946 0958', 'US', '+442079460958'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['00 98 912 345 6789', 'US', '+989123456789'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['030 901820', 'DE', '+4930901820'],
  ])('%s in %s → %s', (input, region, e164) => {
    expect(normalizePhone(input, region)).toBe(e164);
  });

  it('reads international numbers even when the default region is unknown', () => {
    expect(normalizePhone('+98 912 345 6789', 'ZZ')).toBe('+989123456789');
    expectInvalid('09123456789', 'ZZ');
  });
});

describe('normalizePhone: invalid input', () => {
  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['only punctuation', '+-()'],
    ['the prefix alone', '0912'],
    ['Persian prefix alone', '۰۹۱۲'],
    ['too short', '0912345678'],
    ['too long', '091234567890'],
    ['country code alone', '+98'],
    ['letters', 'abc'],
    ['a trailing letter (libphonenumber would read an extension)', '09123456789x'],
    ['an extension', '09123456789 ext 12'],
    ['a name with digits', 'Ali 09123456789'],
    ['plus in the middle', '0912+3456789'],
    ['a national number of another country without its code', '2015550123'],
    ['an unassigned country code', '+999 123 4567'],
  ])('%s: %j', (_label, input) => {
    expectInvalid(input);
  });

  it('reports the code in parsePhone for form validation instead of throwing', () => {
    expect(parsePhone('09123456789', 'IR')).toEqual({ ok: true, e164: '+989123456789' });
    expect(parsePhone('0912', 'IR')).toEqual({ ok: false, code: 'INVALID_PHONE_FORMAT' });
  });
});

describe('phoneKeys', () => {
  it.each([
    ['+989123456789', 'IR', '09123456789', '987654321989'],
    ['+12015550123', 'US', '2015550123', '32105551021'],
    ['+442079460958', 'GB', '02079460958', '859064970244'],
    ['+4930901820', 'DE', '030901820', '0281090394'],
    ['+442079460958', 'IR', '00442079460958', '859064970244'],
    ['+989123456789', 'US', '00989123456789', '987654321989'],
    // Canada shares +1 with the US: a domestic number for a US merchant.
    ['+14165550123', 'US', '4165550123', '32105556141'],
  ])('%s in %s', (e164, region, phoneKey, phoneReversed) => {
    const keys = phoneKeys(e164, region);
    expect(keys).toEqual({ phoneKey, phoneReversed });
    expect(CustomerSchema.shape.phoneKey.safeParse(keys.phoneKey).success).toBe(true);
    expect(CustomerSchema.shape.phoneReversed.safeParse(keys.phoneReversed).success).toBe(true);
  });

  it('refuses a stored value that is not E.164', () => {
    expect(() => phoneKeys('09123456789', 'IR')).toThrow('Invalid phone number format');
  });

  it('knows the trunk prefix cashiers type per region', () => {
    expect(trunkPrefix('IR')).toBe('0');
    expect(trunkPrefix('GB')).toBe('0');
    expect(trunkPrefix('US')).toBe('');
    expect(trunkPrefix('ZZ')).toBe('');
  });
});

describe('phoneQuery', () => {
  it.each<[string, string, PhoneQuery]>([
    ['0912', 'IR', { kind: 'prefix', key: '0912' }],
    ['0912 34', 'IR', { kind: 'prefix', key: '091234' }],
    ['۰۹۱۲', 'IR', { kind: 'prefix', key: '0912' }],
    ['+98912', 'IR', { kind: 'prefix', key: '0912' }],
    ['0098912', 'IR', { kind: 'prefix', key: '0912' }],
    ['+98', 'IR', { kind: 'prefix', key: '0' }],
    ['+44 20', 'IR', { kind: 'prefix', key: '004420' }],
    ['0044', 'IR', { kind: 'prefix', key: '0044' }],
    ['4567', 'IR', { kind: 'suffix', key: '7654' }],
    ['۴۵۶۷', 'IR', { kind: 'suffix', key: '7654' }],
    ['123456', 'IR', { kind: 'suffix', key: '654321' }],
    ['9123456', 'IR', { kind: 'prefix', key: '09123456' }],
    ['912 345 6789', 'IR', { kind: 'prefix', key: '09123456789' }],
    ['+1 201', 'US', { kind: 'prefix', key: '201' }],
    ['2015550', 'US', { kind: 'prefix', key: '2015550' }],
    ['0123', 'US', { kind: 'prefix', key: '0123' }],
    ['+1', 'US', { kind: 'none' }],
    ['', 'IR', { kind: 'none' }],
    ['  - ', 'IR', { kind: 'none' }],
    ['+', 'IR', { kind: 'none' }],
    ['Ali', 'IR', { kind: 'none' }],
    ['علی ۴۵۶۷', 'IR', { kind: 'none' }],
  ])('%j in %s', (typed, region, expected) => {
    expect(phoneQuery(typed, region)).toEqual(expected);
  });

  it('gives the half-open index range of a prefix', () => {
    expect(rangeFor('0912')).toEqual({ $gte: '0912', $lt: '0912\uffff' });
  });

  // The keys and the queries must agree: simulate the two indexes as sorted arrays and range-scan them.
  const customers = [
    '+989123456789',
    '+989124567890',
    '+989351114567',
    '+982112345678',
    '+442079460958',
    '+12015550123',
  ];
  function search(typed: string, region: string): string[] {
    const query = phoneQuery(typed, region);
    if (query.kind === 'none') return [];
    const field = query.kind === 'prefix' ? 'phoneKey' : 'phoneReversed';
    const range = rangeFor(query.key);
    return customers.filter((e164) => {
      const key = phoneKeys(e164, region)[field];
      return key >= range.$gte && key < range.$lt;
    });
  }

  it.each<[string, string[]]>([
    ['0912', ['+989123456789', '+989124567890']],
    ['+98 912 3', ['+989123456789']],
    ['00989351', ['+989351114567']],
    ['4567', ['+989351114567']],
    ['6789', ['+989123456789']],
    ['9124567', ['+989124567890']],
    ['021', ['+982112345678']],
    ['0044 20', ['+442079460958']],
    ['+1 201', ['+12015550123']],
    ['958', ['+442079460958']],
    // Known limit of one query kind: last digits that start with 0 read as a national prefix.
    ['0958', []],
  ])('an Iranian counter typing %j finds %j', (typed, expected) => {
    expect(search(typed, 'IR')).toEqual(expected);
  });

  it('finds numbers the way a US counter types them', () => {
    expect(search('201-555', 'US')).toEqual([]); // 6 digits without 0 are a suffix search ("last digits")
    expect(search('2015550', 'US')).toEqual(['+12015550123']);
    expect(search('0123', 'US')).toEqual([]); // a leading 0 means a prefix, and no US key starts with 0
    expect(search('123', 'US')).toEqual(['+12015550123']);
    expect(search('0098 912', 'US')).toEqual(['+989123456789', '+989124567890']);
  });
});

describe('formatPhone', () => {
  it.each([
    ['+989123456789', 'en', 'IR', '0912 345 6789'],
    ['+989123456789', 'fa', 'IR', '۰۹۱۲ ۳۴۵ ۶۷۸۹'],
    ['+442079460958', 'en', 'IR', '+44 20 7946 0958'],
    ['+442079460958', 'fa', 'IR', '+۴۴ ۲۰ ۷۹۴۶ ۰۹۵۸'],
    ['+442079460958', 'en', 'GB', '020 7946 0958'],
    ['+12015550123', 'en', 'US', '(201) 555-0123'],
    ['+989123456789', 'en', 'US', '+98 912 345 6789'],
  ] as const)('%s in %s for %s', (e164, locale, region, expected) => {
    expect(formatPhone(e164, locale, region)).toBe(expected);
  });

  it('refuses a value that is not E.164', () => {
    expect(() => formatPhone('0912', 'en', 'IR')).toThrow('Invalid phone number format');
  });

  it('reads back through normalizePhone for generated Iranian mobiles (property)', () => {
    const mobile = fc
      .tuple(fc.constantFrom(...SEED_001_PREFIXES), fc.stringMatching(/^\d{7}$/))
      .map(([prefix, rest]) => `+98${prefix}${rest}`);
    fc.assert(
      fc.property(mobile, fc.constantFrom('en' as const, 'fa' as const), fc.constantFrom('IR', 'US', 'GB'), (e164, locale, region) => {
        expect(normalizePhone(e164, region)).toBe(e164);
        expect(normalizePhone(formatPhone(e164, locale, region), region)).toBe(e164);
        const { phoneKey } = phoneKeys(e164, region);
        expect(normalizePhone(phoneKey, region)).toBe(e164);
      }),
    );
  });
});
