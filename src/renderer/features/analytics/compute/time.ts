// Time for analytics: business times are ISO-8601 UTC strings (DESIGN §4); the dashboard buckets them by the
// merchant's local calendar day, in the merchant's time zone. A "day" here is an integer: days since
// 1970-01-01 of the LOCAL civil date (so day 0 is 1 January 1970 on the merchant's wall calendar).
// Parsing and zone conversion run once per document in the cold pass, so both avoid Date.parse and Intl
// per call: a fixed-layout parser, and zone offsets cached per UTC hour (Intl is asked once per day seen).

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Days since 1970-01-01 of a proleptic Gregorian civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The civil date of a day number (inverse of `daysFromCivil`). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** `YYYY-MM-DD` of a day number. */
export function dayKey(day: number): string {
  const { year, month, day: d } = civilFromDays(day);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a `YYYY-MM-DD` key; null when it is not a real calendar date. */
export function dayOfKey(key: string): number | null {
  const m = DAY_KEY.exec(key);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = daysFromCivil(year, month, day);
  const back = civilFromDays(days);
  return back.year === year && back.month === month && back.day === day ? days : null;
}

const ZERO = 48;

/** Two ASCII digits of `s` at `i` as a number (garbage, not an error, for non-digits: the caller checks). */
function two(s: string, i: number): number {
  return (s.charCodeAt(i) - ZERO) * 10 + s.charCodeAt(i + 1) - ZERO;
}

/**
 * Milliseconds of an ISO-8601 UTC instant. The replica's layout (`YYYY-MM-DDTHH:mm:ss.sssZ`, what
 * IsoDateTimeSchema admits) is read digit by digit, several times faster than Date.parse; anything else
 * falls back to Date.parse (NaN when unreadable). No closures: this runs once per document of the cold pass.
 */
export function parseIsoMs(iso: string): number {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */) return Date.parse(iso);
  const year = two(iso, 0) * 100 + two(iso, 2);
  const month = two(iso, 5);
  const day = two(iso, 8);
  const hour = two(iso, 11);
  const minute = two(iso, 14);
  const second = two(iso, 17);
  const milli = two(iso, 20) * 10 + iso.charCodeAt(22) - ZERO;
  const ms = daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * 60_000 + second * 1000 + milli;
  // A digit position holding a non-digit makes the arithmetic garbage; Date.parse decides then.
  return Number.isFinite(ms) && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60 && milli >= 0 && milli < 1000
    ? ms
    : Date.parse(iso);
}

/** ISO-8601 UTC string of milliseconds. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** Converts instants to local day numbers in one IANA time zone. */
export interface ZoneClock {
  readonly timeZone: string;
  /** Local day number of an instant. */
  dayOf(ms: number): number;
  /** UTC offset in minutes at an instant (Tehran: 210). */
  offsetMinutes(ms: number): number;
}

const TRANSITION = 0x7fff; // an hour with an offset change inside it: computed exactly, never cached
const UNKNOWN = 0x7ffe;

/**
 * A zone clock with offsets cached per UTC hour. Intl is asked for the offsets at both ends of a UTC day;
 * when they agree (every day but the two DST switches a year) the whole day's 24 hours are filled at once.
 * An hour containing a switch is marked and computed exactly per call.
 */
export function createZoneClock(timeZone: string): ZoneClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const exact = (ms: number): number => {
    const seconds = Math.floor(ms / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(seconds)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return Math.round((wall - seconds) / 60_000);
  };
  // Dense cache over a window of hours that grows in whole days; offsets (minutes) fit an Int16.
  let base = 0;
  let cache = new Int16Array(0);
  const fillDay = (utcDay: number) => {
    const start = utcDay * DAY_MS;
    const a = exact(start);
    const b = exact(start + DAY_MS - 1);
    const offset = (utcDay * 24) - base;
    if (a === b) cache.fill(a, offset, offset + 24);
    else for (let h = 0; h < 24; h++) {
      const s = exact(start + h * HOUR_MS);
      cache[offset + h] = s === exact(start + (h + 1) * HOUR_MS - 1) ? s : TRANSITION;
    }
  };
  const ensure = (hour: number): number => {
    let i = hour - base;
    if (cache.length === 0 || i < 0 || i >= cache.length) {
      const lo = cache.length === 0 ? hour : Math.min(base, hour);
      const hi = cache.length === 0 ? hour : Math.max(base + cache.length - 1, hour);
      // More than ~60 years of hours: do not cache such outliers (a wildly skewed clock).
      if (hi - lo > 24 * 366 * 60) return UNKNOWN;
      const newBase = Math.floor(lo / 24) * 24 - 24 * 31;
      const newLength = (Math.floor(hi / 24) + 32) * 24 - newBase;
      const next = new Int16Array(newLength).fill(UNKNOWN);
      if (cache.length > 0) next.set(cache, base - newBase);
      cache = next;
      base = newBase;
      i = hour - base;
    }
    if (cache[i] === UNKNOWN) fillDay(Math.floor(hour / 24));
    return cache[i]!;
  };
  const offsetMinutes = (ms: number): number => {
    const cached = ensure(Math.floor(ms / HOUR_MS));
    return cached === TRANSITION || cached === UNKNOWN ? exact(ms) : cached;
  };
  return {
    timeZone,
    offsetMinutes,
    dayOf: (ms) => Math.floor((ms + offsetMinutes(ms) * 60_000) / DAY_MS),
  };
}

/** Calendars the dashboard buckets months in: Gregorian, or the Persian (Solar Hijri) calendar for `fa`. */
export type CalendarName = 'gregory' | 'persian';

/** Month arithmetic over local day numbers in one calendar. Months are ordinals: year × 12 + month − 1. */
export interface MonthIndex {
  readonly calendar: CalendarName;
  /** Month ordinal of a local day. */
  monthOf(day: number): number;
  /** First local day of the month holding `day`. */
  monthStart(day: number): number;
  /** First local day of the year holding `day`. */
  yearStart(day: number): number;
}

/** A month index; Persian months come from Intl (cached per day), Gregorian ones from arithmetic. */
export function createMonthIndex(calendar: CalendarName): MonthIndex {
  const cache = new Map<number, number>();
  const persian = new Intl.DateTimeFormat('en-US-u-ca-persian', { timeZone: 'UTC', year: 'numeric', month: 'numeric' });
  const monthOf = (day: number): number => {
    if (calendar === 'gregory') {
      const { year, month } = civilFromDays(day);
      return year * 12 + month - 1;
    }
    let ordinal = cache.get(day);
    if (ordinal === undefined) {
      let year = 0;
      let month = 1;
      for (const part of persian.formatToParts(day * DAY_MS)) {
        if (part.type === 'year') year = Number(part.value);
        else if (part.type === 'month') month = Number(part.value);
      }
      ordinal = year * 12 + month - 1;
      cache.set(day, ordinal);
    }
    return ordinal;
  };
  const monthStart = (day: number): number => {
    if (calendar === 'gregory') {
      const { year, month } = civilFromDays(day);
      return daysFromCivil(year, month, 1);
    }
    const target = monthOf(day);
    let d = day;
    while (monthOf(d - 1) === target) d -= 1;
    return d;
  };
  const yearStart = (day: number): number => {
    if (calendar === 'gregory') return daysFromCivil(civilFromDays(day).year, 1, 1);
    const year = Math.floor(monthOf(day) / 12);
    let d = monthStart(day);
    while (Math.floor(monthOf(d - 1) / 12) === year) d = monthStart(d - 1);
    return d;
  };
  return { calendar, monthOf, monthStart, yearStart };
}
