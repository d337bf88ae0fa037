// The Persian (Solar Hijri) calendar for entering dates in Persian — done with Intl alone, which knows the
// calendar, so no conversion tables are hand-written here. Gregorian day arithmetic is the model's (dates.ts).

import { DAY_MS, isIsoDate } from '../../sync/model/dates.ts';

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let format = partsCache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric', timeZone });
    partsCache.set(key, format);
  }
  return format;
}

function ymd(parts: Intl.DateTimeFormatPart[]): { year: number; month: number; day: number } {
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { year: get('year'), month: get('month'), day: get('day') };
}

function utcDay(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00.000Z`);
}

// ---- the Persian calendar, through Intl ----

const PERSIAN = 'en-US-u-ca-persian-nu-latn';

/** A date in the Persian calendar. */
export interface PersianDate {
  year: number;
  month: number;
  day: number;
}

/** The Persian-calendar date of a Gregorian `YYYY-MM-DD`. */
export function toPersian(isoDate: string): PersianDate | null {
  if (!isIsoDate(isoDate)) return null;
  return ymd(partsFormat(PERSIAN, 'UTC').formatToParts(new Date(utcDay(isoDate))));
}

/** Day of the Persian year (1..366): months 1–6 have 31 days, 7–11 have 30, Esfand 29 or 30. */
function dayOfYear(month: number, day: number): number {
  return month <= 6 ? (month - 1) * 31 + day : 186 + (month - 7) * 30 + day;
}

/**
 * The Gregorian `YYYY-MM-DD` of a Persian-calendar date, or null when no such day exists (Esfand 30 in a
 * common year, month 13). Starts from an estimate and corrects it with Intl until the day matches.
 */
export function fromPersian(date: PersianDate): string | null {
  const { year, month, day } = date;
  if (
    ![year, month, day].every(Number.isInteger) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    year < 1 ||
    year > 9000
  )
    return null;
  if (month > 6 && day > 30) return null;
  // 1 Farvardin falls on 20 or 21 March of Gregorian year + 621, so the estimate is off by a day or two;
  // step towards the target until Intl agrees (at most a few steps).
  const target = year * 10_000 + month * 100 + day;
  let ms = Date.UTC(year + 621, 2, 20) + (dayOfYear(month, day) - 1) * DAY_MS;
  for (let i = 0; i < 6; i++) {
    const iso = new Date(ms).toISOString().slice(0, 10);
    const got = toPersian(iso);
    if (!got) return null;
    const at = got.year * 10_000 + got.month * 100 + got.day;
    if (at === target) return iso;
    ms += (at < target ? 1 : -1) * DAY_MS;
  }
  return null;
}

/** The twelve Persian month names in the UI locale (Farvardin … Esfand / فروردین … اسفند). */
export function persianMonthNames(locale: 'en' | 'fa'): string[] {
  const format = new Intl.DateTimeFormat(locale === 'fa' ? 'fa-IR-u-ca-persian' : 'en-US-u-ca-persian', {
    month: 'long',
    timeZone: 'UTC',
  });
  // The 5th of each Persian month in 1400 (Gregorian 2021–22), found from its first day.
  return Array.from({ length: 12 }, (_, i) =>
    format.format(new Date(utcDay(fromPersian({ year: 1400, month: i + 1, day: 5 }) ?? '2021-03-25'))),
  );
}
