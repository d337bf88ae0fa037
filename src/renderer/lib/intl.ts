import { formatPhone } from '../../sync/model/phone.ts';
import type { Locale } from '../../sync/model/settings.ts';

// Numbers, dates and relative times for the UI, always through Intl so Persian gets Persian digits and the
// Persian (Solar Hijri) calendar. Formatters are cached: building an Intl object costs far more than using it.

/** The UI locale of an i18next language tag (anything but Persian is English). */
export function asLocale(language: string | undefined): Locale {
  return language?.toLowerCase().startsWith('fa') ? 'fa' : 'en';
}

/** Intl locale for numbers: `fa-IR` writes Persian digits and ٬ separators. */
const NUMBER_LOCALES: Readonly<Record<Locale, string>> = { en: 'en-US', fa: 'fa-IR' };
/** Intl locale for dates: Persian uses the Persian calendar explicitly (not only by region default). */
const DATE_LOCALES: Readonly<Record<Locale, string>> = { en: 'en-GB', fa: 'fa-IR-u-ca-persian' };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: () => T,
): T {
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** A whole number or decimal in the locale's digits and separators. */
export function formatNumber(value: number, locale: Locale, options: Intl.NumberFormatOptions = {}): string {
  const key = `n:${locale}:${JSON.stringify(options)}`;
  return cached(key, () => new Intl.NumberFormat(NUMBER_LOCALES[locale], options)).format(value);
}

/** A fraction 0..1 as a whole percentage (`42%`, `٪۴۲`). */
export function formatPercent(fraction: number, locale: Locale): string {
  return formatNumber(Math.max(0, Math.min(1, fraction)), locale, { style: 'percent', maximumFractionDigits: 0 });
}

/**
 * A calendar date `YYYY-MM-DD` (birthday, anniversary): no time zone applies, so it is formatted as that
 * day in UTC. Persian shows the Persian calendar (`۲۴ اسفند ۱۳۶۳`).
 */
export function formatCalendarDate(
  isoDate: string,
  locale: Locale,
  style: 'long' | 'medium' | 'short' = 'long',
): string {
  const date = new Date(`${isoDate}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return cached(
    `d:${locale}:${style}`,
    () => new Intl.DateTimeFormat(DATE_LOCALES[locale], { dateStyle: style, timeZone: 'UTC' }),
  ).format(date);
}

/** An instant (ISO-8601 UTC) as date and time in the merchant's time zone. */
export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return cached(`dt:${locale}:${timeZone}`, () =>
    safeDateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }, timeZone),
  ).format(date);
}

/** An instant as a time of day (`14:05`, `۱۴:۰۵`) in the given zone. */
export function formatTime(instantMs: number, locale: Locale, timeZone?: string): string {
  return cached(`t:${locale}:${timeZone ?? ''}`, () =>
    safeDateTimeFormat(locale, { timeStyle: 'short' }, timeZone),
  ).format(new Date(instantMs));
}

function safeDateTimeFormat(
  locale: Locale,
  options: Intl.DateTimeFormatOptions,
  timeZone: string | undefined,
): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(DATE_LOCALES[locale], { ...options, ...(timeZone ? { timeZone } : {}) });
  } catch {
    // An unknown zone in replicated settings must not break the page: fall back to the device's zone.
    return new Intl.DateTimeFormat(DATE_LOCALES[locale], options);
  }
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

/** How the locale writes a currency on its own (`ریال` for IRR in Persian, `$` for USD), for field labels. */
export function currencyLabel(currency: string, locale: Locale): string {
  try {
    const parts = cached(
      `c:${locale}:${currency}`,
      () => new Intl.NumberFormat(NUMBER_LOCALES[locale], { style: 'currency', currency }),
    ).formatToParts(1);
    return parts.find((p) => p.type === 'currency')?.value ?? currency;
  } catch {
    return currency;
  }
}

const phones = new Map<string, string>();

/**
 * formatPhone (national format for the merchant's country, international otherwise, locale digits), cached:
 * lookup results re-render on every keystroke and parsing a number each time would cost more than the query.
 */
export function formatPhoneCached(e164: string, locale: Locale, defaultRegion: string): string {
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
