import { PatronError } from './errors.ts';
import type { CurrencyDisplay, Locale } from './settings.ts';
import { toAsciiDigits } from './text.ts';

// Money is a safe integer in minor units plus an ISO 4217 code (docs/architecture.md#money-time-ids); it becomes text only here,
// at the edge, through Intl. Decimal strings are handed to Intl (ES2023 accepts them) so that large
// amounts are never divided in floating point on the way to the screen.

/** The Intl locale behind each UI locale: `fa-IR` writes Persian digits and ٬ ٫ separators. */
export const MONEY_LOCALES: Readonly<Record<Locale, string>> = { en: 'en-US', fa: 'fa-IR' };

const CURRENCY = /^[A-Z]{3}$/;
const digitsCache = new Map<string, number>();
const formatters = new Map<string, Intl.NumberFormat>();

function checkCurrency(currency: string): void {
  if (!CURRENCY.test(currency)) throw new PatronError('VALIDATION_FAILED', { currency });
}

function checkMinor(minor: number): void {
  if (!Number.isSafeInteger(minor)) throw new PatronError('VALIDATION_FAILED', { minor: String(minor) });
}

/**
 * Decimal places of a currency's minor unit, as CLDR has them: USD/EUR 2, IRR/JPY 0, KWD 3. (ISO 4217
 * lists IRR with 2, but rials are never split in practice, and CLDR agrees.) Cached per currency.
 */
export function minorUnitDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  checkCurrency(currency);
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  digitsCache.set(currency, digits);
  return digits;
}

function formatter(locale: Locale, currency: string): Intl.NumberFormat {
  const cacheKey = `${locale}:${currency}`;
  let f = formatters.get(cacheKey);
  if (!f) {
    f = new Intl.NumberFormat(MONEY_LOCALES[locale], { style: 'currency', currency });
    formatters.set(cacheKey, f);
  }
  return f;
}

/** Exact decimal string of an amount in minor units (`123456`, USD → `"1234.56"`). */
export function minorToDecimal(minor: number, currency: string): `${number}` {
  checkMinor(minor);
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${abs}` as `${number}`;
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}` as `${number}`;
}

/**
 * Displays an amount for the UI locale (`$1,234.50`, `IRR 45,000`; for `fa` Persian digits such as
 * `ریال ۴۵٬۰۰۰`). Exact strings depend on the ICU version, so compare them only after parsing back.
 */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  return formatter(locale, currency).format(minorToDecimal(minor, currency));
}

/** Major-unit number of an amount, for charts and arithmetic that tolerates floating point only. */
export function fromMinor(minor: number, currency: string): number {
  checkMinor(minor);
  return minor / 10 ** minorUnitDigits(currency);
}

/**
 * Minor units of a major-unit number (`12.5` USD → 1250). Throws `VALIDATION_FAILED` when the value
 * has more precision than the currency (beyond binary floating-point noise) or leaves the safe range.
 */
export function toMinor(major: number, currency: string): number {
  const scaled = major * 10 ** minorUnitDigits(currency);
  const minor = Math.round(scaled);
  // 0.29 * 100 is 28.999999999999996: accept binary noise (a few ulps of the product, so relative to
  // its size), refuse a real third decimal on USD however large the amount.
  if (!Number.isFinite(scaled) || Math.abs(scaled - minor) > 16 * Number.EPSILON * Math.max(1, Math.abs(scaled))) {
    throw new PatronError('VALIDATION_FAILED', { amount: String(major) });
  }
  const result = minor === 0 ? 0 : minor; // no -0 in stored documents
  checkMinor(result);
  return result;
}

/** Thousands separators a cashier may type: comma, Arabic thousands separator ٬, Arabic comma ،. */
const GROUP = '[,\u066c\u060c]';
/** Decimal separators: full stop and the Arabic decimal separator ٫. */
const DECIMAL = '[.\u066b]';
/** Digits with optional correctly placed thousands separators, then optional decimals. */
const AMOUNT = new RegExp(`^(\\d{1,3}(?:${GROUP}\\d{3})+|\\d*)(?:${DECIMAL}(\\d+))?$`);

const symbolCache = new Map<string, readonly string[]>();

/** The currency's symbols as Intl writes them (`$`, `US$`, `ریال`, `€`) plus its ISO code. */
function currencySymbols(currency: string): readonly string[] {
  let symbols = symbolCache.get(currency);
  if (!symbols) {
    const found = new Set<string>([currency]);
    for (const locale of Object.keys(MONEY_LOCALES) as Locale[]) {
      for (const part of formatter(locale, currency).formatToParts(1)) {
        if (part.type === 'currency') found.add(part.value);
      }
    }
    // Longest first, so `US$` is removed whole rather than leaving `US`.
    symbols = [...found].sort((a, b) => b.length - a.length);
    symbolCache.set(currency, symbols);
  }
  return symbols;
}

/**
 * Reads an amount a cashier typed (or pasted from `formatMoney`) into minor units: ASCII, Persian or
 * Arabic-Indic digits, thousands separators `,` `٬` `،` in groups of three, decimals after `.` or `٫`,
 * an optional currency symbol or code. Negatives, junk, misplaced separators (`1,5` is refused rather
 * than read as fifteen) and more decimals than the currency has throw `VALIDATION_FAILED`.
 */
export function parseMoney(input: string, currency: string): number {
  const fail = (): never => {
    throw new PatronError('VALIDATION_FAILED', { amount: input.slice(0, 64) });
  };
  const digits = minorUnitDigits(currency);
  let text = toAsciiDigits(input).replace(/[\s\p{Cf}]/gu, '');
  // At most one symbol, before or after the number: `$12` and `12 IRR`, never `USD $12`.
  for (const symbol of currencySymbols(currency)) {
    const compactSymbol = symbol.replace(/[\s\p{Cf}]/gu, '');
    if (compactSymbol === '') continue;
    if (text.startsWith(compactSymbol)) {
      text = text.slice(compactSymbol.length);
      break;
    }
    if (text.endsWith(compactSymbol)) {
      text = text.slice(0, -compactSymbol.length);
      break;
    }
  }
  const match = AMOUNT.exec(text);
  if (!match) return fail();
  const whole = (match[1] ?? '').replace(/\D/g, '');
  const fraction = match[2] ?? '';
  if (whole === '' && fraction === '') return fail();
  if (fraction.length > digits) return fail();
  const minor = Number(`${whole}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) return fail();
  return minor;
}

// Shown units. An Iranian merchant may show (and have cashiers type) amounts in toman, the unit people in Iran
// think and talk in: 1 toman = 10 rial. Amounts stay stored in rial, so a setting change rewrites nothing, and
// the conversion is exact: digits are shifted as text, never multiplied or divided in floating point.

/** The unit amounts are shown and typed in: the merchant's currency and, for IRR, rial or toman. */
export interface MoneyUnit {
  readonly currency: string;
  readonly display: CurrencyDisplay;
}

/** Rial in one toman. */
export const RIAL_PER_TOMAN = 10;

/** The unit a merchant's settings show amounts in. */
export function moneyUnit(settings: { readonly currency: string; readonly currencyDisplay: CurrencyDisplay }): MoneyUnit {
  return { currency: settings.currency, display: settings.currencyDisplay };
}

/** Whether amounts in `unit` are shown in toman (only IRR has a toman; the setting is ignored elsewhere). */
export function showsToman(unit: MoneyUnit): boolean {
  return unit.currency === 'IRR' && unit.display === 'toman';
}

/** Words for the Iranian units, written after the figure: Intl knows no toman, and writes rial as `IRR` in English. */
export const IRANIAN_UNIT_NAMES: Readonly<Record<CurrencyDisplay, Readonly<Record<Locale, string>>>> = {
  rial: { en: 'rial', fa: 'ریال' },
  toman: { en: 'toman', fa: 'تومان' },
};

/** The shown unit's word for IRR amounts (`تومان`, `rial`); null for other currencies, which Intl names. */
export function iranianUnitName(unit: MoneyUnit, locale: Locale): string | null {
  if (unit.currency !== 'IRR') return null;
  return IRANIAN_UNIT_NAMES[showsToman(unit) ? 'toman' : 'rial'][locale];
}

/** Exact decimal string of an amount (minor units) in the shown unit: 250000 rial → `"25000"` toman, 25 → `"2.5"`. */
export function minorToShown(minor: number, unit: MoneyUnit): `${number}` {
  const decimal = minorToDecimal(minor, unit.currency);
  if (!showsToman(unit)) return decimal;
  const sign = decimal.startsWith('-') ? '-' : '';
  const digits = decimal.slice(sign.length).padStart(2, '0');
  const whole = digits.slice(0, -1).replace(/^0+(?=\d)/, '');
  const tenth = digits.slice(-1);
  return `${sign}${whole}${tenth === '0' ? '' : `.${tenth}`}` as `${number}`;
}

/**
 * Reads an amount typed in the shown unit into minor units (rial for IRR). In toman the figure is a whole
 * number of toman times ten, exactly; a fraction of a toman throws `VALIDATION_FAILED` with
 * `details.reason = 'TOMAN_FRACTION'`, so the form can say why. Otherwise as `parseMoney`.
 */
export function parseMoneyIn(input: string, unit: MoneyUnit): number {
  if (!showsToman(unit)) return parseMoney(input, unit.currency);
  const names = [...Object.values(IRANIAN_UNIT_NAMES.toman), 'Toman'];
  let text = input.trim();
  for (const name of names) if (text.endsWith(name)) text = text.slice(0, -name.length);
  const whole = toAsciiDigits(text).replace(/[\s\p{Cf}]/gu, '');
  if (/[.\u066b]\d*[1-9]/.test(whole)) throw new PatronError('VALIDATION_FAILED', { amount: input.slice(0, 64), reason: 'TOMAN_FRACTION' });
  // Zero decimals (`25,000.0`) are still a whole toman; the rest is read as a whole IRR figure, then shifted.
  const toman = parseMoney(whole.replace(/[.\u066b]0*$/, ''), 'IRR');
  const rial = toman === 0 ? 0 : Number(`${toman}0`);
  if (!Number.isSafeInteger(rial)) throw new PatronError('VALIDATION_FAILED', { amount: input.slice(0, 64) });
  return rial;
}
