// Time units and Gregorian calendar days (`YYYY-MM-DD`), in the merchant's time zone where "today" matters.
// Intl knows the zones, so no offset tables are written here.

/** Milliseconds in an hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in a day (24 hours; calendar days in a zone are `zonedDate`'s business). */
export const DAY_MS = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const GREGORIAN = 'en-US-u-ca-gregory-nu-latn';
const formats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(GREGORIAN, { year: 'numeric', month: 'numeric', day: 'numeric', timeZone });
    formats.set(timeZone, format);
  }
  return format;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The calendar date of an instant in a time zone (`YYYY-MM-DD`); the device's zone if the name is unknown. */
export function zonedDate(instant: Date, timeZone: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = dayFormat(timeZone);
  } catch {
    format = dayFormat(Intl.DateTimeFormat().resolvedOptions().timeZone);
  }
  const parts = format.formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return `${pad(get('year'), 4)}-${pad(get('month'))}-${pad(get('day'))}`;
}

/** Whether a string is a real calendar date `YYYY-MM-DD` (no 2023-02-30). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function utcDay(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00.000Z`);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcDay(to) - utcDay(from)) / DAY_MS);
}

/** The day `days` after `isoDate` (negative: before). */
export function addDays(isoDate: string, days: number): string {
  return new Date(utcDay(isoDate) + days * DAY_MS).toISOString().slice(0, 10);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Days until the next yearly return of a date (birthday, anniversary), counted from `today`; 0 when it is
 * today. A 29 February date is celebrated on 28 February in common years.
 */
export function daysUntilYearly(isoDate: string, today: string): number | null {
  if (!isIsoDate(isoDate) || !isIsoDate(today)) return null;
  const month = Number(isoDate.slice(5, 7));
  const day = Number(isoDate.slice(8, 10));
  const year = Number(today.slice(0, 4));
  for (const y of [year, year + 1]) {
    const d = month === 2 && day === 29 && !isLeap(y) ? 28 : day;
    const days = daysBetween(today, `${pad(y, 4)}-${pad(month)}-${pad(d)}`);
    if (days >= 0) return days;
  }
  return null;
}

/** Days until the birthday when it falls within `windowDays` (today counts), in the merchant's zone; else null. */
export function birthdaySoon(birthday: string | null, now: Date, timeZone: string, windowDays = 7): number | null {
  if (!birthday) return null;
  const days = daysUntilYearly(birthday, zonedDate(now, timeZone));
  return days !== null && days <= windowDays ? days : null;
}
