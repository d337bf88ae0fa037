import { formatMoney, MONEY_LOCALES } from '../../../sync/model/money.ts';
import type { Locale } from '../../../sync/model/settings.ts';
import type { CalendarName } from './compute/time.ts';

// Numbers, money, percentages and dates for the UI locale: Persian digits and the Persian calendar for `fa`
// (fa-IR-u-ca-persian), English digits and the Gregorian calendar for `en`. Formatters are cached.

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** The UI locale of an i18next language. */
export function uiLocale(language: string | undefined): Locale {
  return language?.startsWith('fa') ? 'fa' : 'en';
}

/** The calendar months and periods follow for a UI locale. */
export function calendarOf(locale: Locale): CalendarName {
  return locale === 'fa' ? 'persian' : 'gregory';
}

/** An integer or decimal in the locale's digits. */
export function formatNumber(value: number, locale: Locale, fractionDigits = 0): string {
  return cached(`n:${locale}:${fractionDigits}`, () => new Intl.NumberFormat(MONEY_LOCALES[locale], { maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 })).format(value);
}

/** A number for an axis tick, shortened to a few digits and the locale's word for the magnitude (12.5K, ۱۲٫۵ هزار). */
export function formatCompact(value: number, locale: Locale): string {
  return cached(`c:${locale}`, () => new Intl.NumberFormat(MONEY_LOCALES[locale], { notation: 'compact', maximumFractionDigits: 1 })).format(value);
}

/** A 0..1 ratio as a percentage. */
export function formatPercent(ratio: number, locale: Locale): string {
  return cached(`p:${locale}`, () => new Intl.NumberFormat(MONEY_LOCALES[locale], { style: 'percent', maximumFractionDigits: 0 })).format(ratio);
}

/** Money in minor units (money.ts `formatMoney`: exact, never divided in floating point). */
export function formatAmount(minor: number, currency: string, locale: Locale): string {
  return formatMoney(minor, currency, locale);
}

const dateLocale = (locale: Locale) => (locale === 'fa' ? 'fa-IR-u-ca-persian' : 'en-US');

const DAY_STYLES: Record<'short' | 'medium' | 'monthDay', Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'short' },
  medium: { dateStyle: 'medium' },
  monthDay: { month: 'short', day: 'numeric' },
};

/**
 * A local calendar day (`YYYY-MM-DD`) in the locale's calendar: `medium` ۱ خرداد ۱۴۰۴ or Jun 1, 2025,
 * `short` ۱۴۰۴/۳/۱ or 6/1/25, `monthDay` for a chart's time axis (the period gives the year) ۱ خرداد or Jun 1.
 */
export function formatDay(day: string, locale: Locale, style: keyof typeof DAY_STYLES = 'medium'): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // A day key is already local: format its UTC midnight in UTC so no zone shifts it.
  return cached(`d:${locale}:${style}`, () => new Intl.DateTimeFormat(dateLocale(locale), { ...DAY_STYLES[style], timeZone: 'UTC' })).format(Date.UTC(y, m - 1, d));
}

/** The month (and year) of a local day in the locale's calendar, e.g. خرداد ۱۴۰۴ or June 2025. */
export function formatMonth(day: string, locale: Locale): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return cached(`m:${locale}`, () => new Intl.DateTimeFormat(dateLocale(locale), { year: 'numeric', month: 'long', timeZone: 'UTC' })).format(Date.UTC(y, m - 1, d));
}

/** An instant as a date in the merchant's time zone and the locale's calendar. */
export function formatInstant(iso: string, locale: Locale, timeZone: string): string {
  return cached(`i:${locale}:${timeZone}`, () => new Intl.DateTimeFormat(dateLocale(locale), { dateStyle: 'medium', timeZone })).format(Date.parse(iso));
}

/** An instant with its time of day, in the merchant's time zone. */
export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  return cached(`t:${locale}:${timeZone}`, () => new Intl.DateTimeFormat(dateLocale(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone })).format(Date.parse(iso));
}
