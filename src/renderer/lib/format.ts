import { formatMoney, iranianUnitName, minorToShown, type MoneyUnit } from '../../sync/model/money.ts';
import { formatPhone } from '../../sync/model/phone.ts';
import type { Locale } from '../../sync/model/settings.ts';
import { toLocaleDigits } from '../../sync/model/text.ts';

// Every number, amount, date, time and phone the UI shows, formatted here and nowhere else: through Intl, so
// Persian gets Persian digits and separators and the Persian (Solar Hijri) calendar, English gets Latin digits
// and the Gregorian calendar. Formatters are cached: building an Intl object costs far more than using one.

/** The UI locale of an i18next language tag (anything but Persian is English). */
export function asLocale(language: string | undefined): Locale {
  return language?.toLowerCase().startsWith('fa') ? 'fa' : 'en';
}

/** The calendar months and periods follow in a UI locale. */
export function calendarOf(locale: Locale): 'gregory' | 'persian' {
  return locale === 'fa' ? 'persian' : 'gregory';
}

/** Intl locale for numbers: `fa-IR` writes Persian digits and ٬ separators. */
const NUMBER_LOCALES: Readonly<Record<Locale, string>> = { en: 'en-US', fa: 'fa-IR' };
/** Intl locale for dates: Persian uses the Persian calendar explicitly (not only by region default). */
const DATE_LOCALES: Readonly<Record<Locale, string>> = { en: 'en-GB', fa: 'fa-IR-u-ca-persian' };

type Formatter = Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.ListFormat;
const cache = new Map<string, Formatter>();

function cached<T extends Formatter>(key: string, make: () => T): T {
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** A number in the locale's digits and separators: whole unless `options` ask for fraction digits. */
export function formatNumber(value: number, locale: Locale, options: Intl.NumberFormatOptions = {}): string {
  const all = { maximumFractionDigits: 0, ...options };
  return cached(`n:${locale}:${JSON.stringify(all)}`, () => new Intl.NumberFormat(NUMBER_LOCALES[locale], all)).format(value);
}

/**
 * The plain figures of a form (text fields holding `1500000` or `12.5`) written in the locale's digits and
 * separators, as a person reads them (`۱٬۵۰۰٬۰۰۰`); other text (names, dates) is left alone. The forms'
 * parsers read every digit script and separator back.
 */
export function localizeFigures<F>(form: F, locale: Locale): F {
  if (typeof form === 'string') {
    const match = /^-?\d+(?:\.(\d+))?$/.exec(form);
    if (!match || form.length > 15) return form;
    return formatNumber(Number(form), locale, { maximumFractionDigits: match[1]?.length ?? 0 }) as F;
  }
  if (Array.isArray(form)) return form.map((item: unknown) => localizeFigures(item, locale)) as F;
  if (form !== null && typeof form === 'object') {
    return Object.fromEntries(Object.entries(form).map(([key, value]) => [key, localizeFigures(value, locale)])) as F;
  }
  return form;
}

/** Items as one list in the locale's words (`a, b and c`, `a، b و c`), narrow style. */
export function formatList(items: readonly string[], locale: Locale): string {
  return cached(`l:${locale}`, () => new Intl.ListFormat(NUMBER_LOCALES[locale], { style: 'narrow', type: 'conjunction' })).format(items);
}

/** A ratio as a whole percentage (`42%`, `٪۴۲`). */
export function formatPercent(ratio: number, locale: Locale): string {
  return formatNumber(ratio, locale, { style: 'percent', maximumFractionDigits: 0 });
}

/** A number shortened to a few digits and the locale's word for its magnitude (12.5K, ۱۲٫۵ هزار): chart axes. */
export function formatCompact(value: number, locale: Locale): string {
  return formatNumber(value, locale, { notation: 'compact', maximumFractionDigits: 1 });
}

/**
 * Money in minor units, in the merchant's shown unit (model money.ts: exact, never divided in floating point).
 * Iranian amounts read as people say them, figure then unit (`۲۵٬۰۰۰ تومان`, `25,000 toman`, `250,000 rial`),
 * joined by a no-break space so the unit never wraps away from its figure.
 */
export function formatAmount(minor: number, unit: MoneyUnit, locale: Locale): string {
  const name = iranianUnitName(unit, locale);
  if (name === null) return formatMoney(minor, unit.currency, locale);
  // A decimal string, so large amounts reach Intl exactly; a tenth only when a rial amount is not whole toman.
  const figure = cached(`m:${locale}`, () => new Intl.NumberFormat(NUMBER_LOCALES[locale], { maximumFractionDigits: 1 })).format(minorToShown(minor, unit));
  return `${figure}\u00a0${name}`;
}

/** How the locale writes the shown unit on its own (`تومان`, `rial`, `$` for USD), for field labels. */
export function currencyLabel(unit: MoneyUnit, locale: Locale): string {
  const name = iranianUnitName(unit, locale);
  if (name !== null) return name;
  const currency = unit.currency;
  try {
    const parts = cached(`c:${locale}:${currency}`, () => new Intl.NumberFormat(NUMBER_LOCALES[locale], { style: 'currency', currency })).formatToParts(1);
    return parts.find((p) => p.type === 'currency')?.value ?? currency;
  } catch {
    return currency;
  }
}

function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions, timeZone: string | undefined): Intl.DateTimeFormat {
  return cached(`d:${locale}:${timeZone ?? ''}:${JSON.stringify(options)}`, () => {
    try {
      return new Intl.DateTimeFormat(DATE_LOCALES[locale], { ...options, ...(timeZone ? { timeZone } : {}) });
    } catch {
      // An unknown zone in replicated settings must not break the page: fall back to the device's zone.
      return new Intl.DateTimeFormat(DATE_LOCALES[locale], options);
    }
  });
}

const DAY_STYLES = {
  long: { dateStyle: 'long' },
  medium: { dateStyle: 'medium' },
  short: { dateStyle: 'short' },
  monthDay: { month: 'short', day: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

/**
 * A calendar day `YYYY-MM-DD` (a birthday, a reward's validity, a chart's day): no zone applies, so its UTC
 * midnight is formatted in UTC. `monthDay` is for a chart's time axis, where the period gives the year.
 */
export function formatDay(day: string, locale: Locale, style: keyof typeof DAY_STYLES = 'medium'): string {
  const date = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(date) ? day : dateFormat(locale, DAY_STYLES[style], 'UTC').format(date);
}

/** The month (and year) of a calendar day in the locale's calendar: خرداد ۱۴۰۴, June 2025. */
export function formatMonth(day: string, locale: Locale): string {
  const date = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(date) ? day : dateFormat(locale, { year: 'numeric', month: 'long' }, 'UTC').format(date);
}

/**
 * The name of a Gregorian month (1–12) in the UI language: birthdays are stored as Gregorian dates, so a
 * birthday-month filter names Gregorian months in Persian too (ژانویه).
 */
export function gregorianMonthName(month: number, locale: Locale): string {
  return dateFormat(locale, { month: 'long', calendar: 'gregory' }, 'UTC').format(Date.UTC(2024, month - 1, 1));
}

/** An instant (ISO-8601 UTC) as a date in the merchant's time zone. */
export function formatInstant(iso: string, locale: Locale, timeZone: string): string {
  const date = Date.parse(iso);
  return Number.isNaN(date) ? iso : dateFormat(locale, { dateStyle: 'medium' }, timeZone).format(date);
}

/** An instant (ISO-8601 UTC) as date and time in the merchant's time zone. */
export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  const date = Date.parse(iso);
  return Number.isNaN(date) ? iso : dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }, timeZone).format(date);
}

/** An instant as a time of day (`14:05`, `۱۴:۰۵`), in the given zone or the device's. */
export function formatTime(instantMs: number, locale: Locale, timeZone?: string): string {
  return dateFormat(locale, { timeStyle: 'short' }, timeZone).format(new Date(instantMs));
}

const RELATIVE_STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** How long ago (or until) an instant, in words of the locale (`2 minutes ago`, `۲ دقیقه پیش`). */
export function formatRelative(iso: string, nowMs: number, locale: Locale): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  let value = (then - nowMs) / 1000;
  const format = cached(`r:${locale}`, () => new Intl.RelativeTimeFormat(NUMBER_LOCALES[locale], { numeric: 'auto' }));
  // Under ten seconds is "now": a ticking "3 seconds ago" is noise at the counter.
  if (Math.abs(value) < 10) return format.format(0, 'second');
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}

const phones = new Map<string, string>();

/**
 * A phone (E.164) in the national format of the merchant's country, international otherwise, in locale
 * digits; cached, because lookup results re-render on every keystroke and parsing a number costs more.
 */
export function formatPhoneNumber(e164: string, locale: Locale, defaultRegion: string): string {
  const key = `${locale}|${defaultRegion}|${e164}`;
  let text = phones.get(key);
  if (text === undefined) {
    try {
      text = formatPhone(e164, locale, defaultRegion);
    } catch {
      text = e164;
    }
    // Bounded: a long shift at the counter must not grow this without end.
    if (phones.size > 5000) phones.clear();
    phones.set(key, text);
  }
  return text;
}

/** A member code (`7-04253`) in locale digits; typed back in either script, the lookup reads it. */
export function formatMemberCode(code: string, locale: Locale): string {
  return toLocaleDigits(code, locale);
}

/**
 * Text wrapped in Unicode first-strong isolates, for interpolation into a sentence of the other direction
 * (a Persian staff name inside an English line keeps its place and the punctuation around it).
 */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
