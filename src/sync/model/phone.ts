import {
  getCountryCallingCode,
  getExampleNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { PatronError } from './errors.ts';
import type { Locale } from './settings.ts';
import { toAsciiDigits, toLocaleDigits } from './text.ts';

// Phone numbers at the counter (docs/architecture.md#phone-numbers). The `max` metadata is used on purpose: the smaller `min`
// set only checks lengths, so it accepts every 09xx… Iranian number (0906, 0950, 0977 …) although
// no such mobile ranges exist; `max` checks the allocated ranges and knows mobile from landline.

/** Converts Persian and Arabic-Indic digits to ASCII (re-exported from text.ts for phone inputs). */
export { toAsciiDigits };

/** Result of reading a typed phone number without throwing (form validation). */
export type PhoneParseResult = { ok: true; e164: string } | { ok: false; code: 'INVALID_PHONE_FORMAT' };

/** How a typed search string maps onto the customer phone indexes. */
export type PhoneQuery = { kind: 'prefix'; key: string } | { kind: 'suffix'; key: string } | { kind: 'none' };

/** The two index keys stored on a customer document next to `phone` (see customer.ts). */
export interface PhoneKeys {
  /** National number as typed domestically (`09123456789`), or `00` + E.164 digits for foreign numbers. */
  phoneKey: string;
  /** E.164 digits reversed, so "last four digits" is a prefix range. */
  phoneReversed: string;
}

/** Typed suffix searches ("last four?") are at most this many digits; longer input is a prefix. */
export const PHONE_SUFFIX_MAX_DIGITS = 6;

/** Same shape as customer.ts `phone`: libphonenumber validity plus the E.164 length bound. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Bidi and other format characters that ride along when a number is copied out of RTL text
 * (LRM/RLM, ALM, embeddings, isolates, ZWNJ/ZWJ, BOM); they are never part of a number.
 */
const FORMAT_CHARS = /[\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** What a cashier may type: an optional leading `+`, digits, and spaces, dashes, dots, slashes, parentheses. */
const PHONE_INPUT = /^\+?[\d\s\-.()/\u2010-\u2015\u2212]+$/;

function region(defaultRegion: string): CountryCode | undefined {
  return isSupportedCountry(defaultRegion) ? defaultRegion : undefined;
}

function callingCode(defaultRegion: string): string | undefined {
  const country = region(defaultRegion);
  return country === undefined ? undefined : getCountryCallingCode(country);
}

const trunkPrefixes = new Map<string, string>();

/**
 * The digits a region's national format writes before the national number of a mobile: `0` for Iran,
 * the UK and Germany, nothing for the US (nobody types its trunk `1`), `06` for Hungary. Taken from the
 * region's example mobile so that `phoneKeys` and `phoneQuery` agree; landlines of the few regions
 * that format them differently (China: mobiles without `0`, landlines with) are found by suffix.
 */
export function trunkPrefix(defaultRegion: string): string {
  const cached = trunkPrefixes.get(defaultRegion);
  if (cached !== undefined) return cached;
  const country = region(defaultRegion);
  const example = country === undefined ? undefined : getExampleNumber(country, mobileExamples);
  let prefix = '';
  if (example) {
    const national = example.formatNational().replace(/\D/g, '');
    // Argentina inserts `15` inside the number; where the national number is not a suffix, use none.
    if (national.endsWith(example.nationalNumber)) prefix = national.slice(0, -example.nationalNumber.length);
  }
  trunkPrefixes.set(defaultRegion, prefix);
  return prefix;
}

function readPhone(input: string, defaultRegion: string): PhoneNumber | undefined {
  const text = toAsciiDigits(input).replace(FORMAT_CHARS, '').trim();
  // Letters are refused here rather than left to libphonenumber, which would read `x12`/`ext 12` as an
  // extension (E.164 has none) and pick a number out of surrounding text.
  if (!PHONE_INPUT.test(text) || !/\d/.test(text)) return undefined;
  let compact = (text.startsWith('+') ? '+' : '') + text.replace(/\D/g, '');
  // `00` is the international prefix in Iran and most of the world, but libphonenumber only honours
  // the default region's own (the US reads `0044…` as a national number), so make it explicit.
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  const parsed = parsePhoneNumberFromString(compact, region(defaultRegion));
  if (!parsed || !parsed.isValid() || parsed.ext !== undefined || !E164.test(parsed.number)) return undefined;
  return parsed;
}

/** Reads a typed phone number into E.164 without throwing, for live form validation. */
export function parsePhone(input: string, defaultRegion: string): PhoneParseResult {
  const parsed = readPhone(input, defaultRegion);
  return parsed ? { ok: true, e164: parsed.number } : { ok: false, code: 'INVALID_PHONE_FORMAT' };
}

/**
 * Normalises what a cashier typed (`09123456789`, `+98 912…`, `0098…`, Persian or Arabic-Indic digits,
 * spaces, dashes, dots, parentheses) to E.164; throws `INVALID_PHONE_FORMAT` instead of saving junk.
 * Landlines are valid numbers and accepted; only numbers outside allocated ranges are refused.
 */
export function normalizePhone(input: string, defaultRegion: string): string {
  const result = parsePhone(input, defaultRegion);
  if (!result.ok) throw new PatronError(result.code);
  return result.e164;
}

function parseE164(e164: string): PhoneNumber {
  const parsed = E164.test(e164) ? parsePhoneNumberFromString(e164) : undefined;
  if (!parsed) throw new PatronError('INVALID_PHONE_FORMAT');
  return parsed;
}

/**
 * The lookup keys for a stored E.164 number. A domestic number is keyed the way it is typed at the
 * counter (`09123456789`), a foreign one as `00` + E.164 digits so that typing `0044…` finds it.
 */
export function phoneKeys(e164: string, defaultRegion: string): PhoneKeys {
  const parsed = parseE164(e164);
  const digits = parsed.number.slice(1);
  const domestic = parsed.countryCallingCode === callingCode(defaultRegion);
  return {
    phoneKey: domestic ? trunkPrefix(defaultRegion) + parsed.nationalNumber : `00${digits}`,
    phoneReversed: [...digits].reverse().join(''),
  };
}

/**
 * Turns what a cashier typed into an index-backed search on `phoneKey` (prefix) or `phoneReversed`
 * (suffix): `+98912`/`0098912` → prefix `0912`, `0912…` → prefix, `4567` → suffix `7654` ("last
 * four?"), 7+ digits without the trunk `0` → `0` + digits. Text with letters is a name, not a phone.
 */
export function phoneQuery(typed: string, defaultRegion: string): PhoneQuery {
  const text = toAsciiDigits(typed).replace(FORMAT_CHARS, '').trim();
  if (/\p{L}/u.test(text)) return { kind: 'none' };
  const digits = text.replace(/\D/g, '');
  if (digits === '') return { kind: 'none' };
  const international = text.startsWith('+') || digits.startsWith('00');
  const trunk = trunkPrefix(defaultRegion);
  if (international) {
    const rest = text.startsWith('+') ? digits : digits.slice(2);
    const cc = callingCode(defaultRegion);
    // Country calling codes are prefix-free, so `+98…` is Iran however many digits follow.
    if (cc !== undefined && rest.startsWith(cc)) {
      const key = trunk + rest.slice(cc.length);
      // `+1` alone in the US would be the empty prefix: every customer, which is no search at all.
      return key === '' ? { kind: 'none' } : { kind: 'prefix', key };
    }
    return { kind: 'prefix', key: `00${rest}` };
  }
  if (digits.startsWith('0')) return { kind: 'prefix', key: digits };
  if (digits.length <= PHONE_SUFFIX_MAX_DIGITS) return { kind: 'suffix', key: [...digits].reverse().join('') };
  return { kind: 'prefix', key: trunk + digits };
}

/**
 * Half-open index range of every key starting with `key`. `\uffff` sorts after any character a key
 * holds (keys are ASCII digits), the form RxDB and IndexedDB range queries take.
 */
export function rangeFor(key: string): { $gte: string; $lt: string } {
  return { $gte: key, $lt: `${key}\uffff` };
}

/**
 * Displays a stored number: national format for the merchant's own country (`0912 345 6789`),
 * international for others (`+44 20 7946 0958`), in Persian digits for `fa`. The result reads back
 * through `normalizePhone` with the same region.
 */
export function formatPhone(e164: string, locale: Locale, defaultRegion: string): string {
  const parsed = parseE164(e164);
  const domestic = parsed.countryCallingCode === callingCode(defaultRegion);
  return toLocaleDigits(domestic ? parsed.formatNational() : parsed.formatInternational(), locale);
}
