// Time for analytics: business times are ISO-8601 UTC strings (docs/architecture.md#money-time-ids); the dashboard buckets them by the
// merchant's local calendar day, in the merchant's time zone. A "day" here is an integer: days since
// 1970-01-01 of the LOCAL civil date (so day 0 is 1 January 1970 on the merchant's wall calendar).
// Parsing and zone conversion run once per document in the cold pass, so both avoid Date.parse and Intl
// per call: a fixed-layout parser, and zone offsets cached per UTC hour (Intl is asked once per day seen).
// The cold path (`readInstant`) passes only small integers between functions: V8 boxes a double that crosses
// a call it did not inline into a fresh heap number, and a million of those are collections in the worker.

import { DAY_MS, HOUR_MS } from '../../../../sync/model/dates.ts';

/** Milliseconds in a day (the model's constant, for the analytics modules that count in days). */
export { DAY_MS };

/** Days since 1970-01-01 of a proleptic Gregorian civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** First and last year of MONTH_STARTS. */
const TABLE_FROM = 1900;
const TABLE_TO = 2155;
/** The day number of the first of each month of TABLE_FROM…TABLE_TO: the parser's one lookup per instant. */
const MONTH_STARTS = new Int32Array((TABLE_TO - TABLE_FROM + 1) * 12);
for (let y = TABLE_FROM; y <= TABLE_TO; y++) for (let m = 1; m <= 12; m++) MONTH_STARTS[(y - TABLE_FROM) * 12 + m - 1] = daysFromCivil(y, m, 1);

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

/** Two ASCII digits of `s` at `i` as a number, or −1 when either is not a digit. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  // `>>> 0` turns a negative difference into a huge number: one comparison per digit.
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

/** What `readUtc` read: the UTC day number and the milliseconds into it (both small integers). */
const utc = new Int32Array(2);

/**
 * Reads the replica's layout, `YYYY-MM-DDTHH:mm:ss.sssZ` (what IsoDateTimeSchema admits), digit by digit
 * into `utc`. False for anything else, and for values Date.parse refuses or reads differently (an hour of 24,
 * a 60th second): the callers then ask Date.parse. Days 29–31 of any month roll over, as Date.parse does.
 */
function readUtc(iso: string): boolean {
  if (iso.length !== 24 || iso.charCodeAt(23) !== 90 /* Z */ || iso.charCodeAt(10) !== 84 /* T */) return false;
  if (iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45 || iso.charCodeAt(13) !== 58 || iso.charCodeAt(16) !== 58 || iso.charCodeAt(19) !== 46) return false;
  const century = two(iso, 0);
  const year = two(iso, 2);
  const month = two(iso, 5);
  const day = two(iso, 8);
  const hour = two(iso, 11);
  const minute = two(iso, 14);
  const second = two(iso, 17);
  const centis = two(iso, 20);
  const milli = iso.charCodeAt(22) - 48;
  // Any −1 (a non-digit) makes the OR negative.
  if ((century | year | month | day | hour | minute | second | centis) < 0 || milli >>> 0 > 9) return false;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return false;
  const y = century * 100 + year;
  utc[0] = y >= TABLE_FROM && y <= TABLE_TO ? MONTH_STARTS[(y - TABLE_FROM) * 12 + month - 1]! + day - 1 : daysFromCivil(y, month, day);
  utc[1] = hour * HOUR_MS + minute * 60_000 + second * 1000 + centis * 10 + milli;
  return true;
}

/**
 * Milliseconds of an ISO-8601 UTC instant, exactly as Date.parse reads it (NaN when unreadable): the
 * replica's layout is read digit by digit, several times faster; anything else goes to Date.parse.
 */
export function parseIsoMs(iso: string): number {
  return readUtc(iso) ? utc[0]! * DAY_MS + utc[1]! : Date.parse(iso);
}

/** `readInstant`'s answer for a string that is not an instant (no real day is this far from 1970). */
export const NO_DAY = -0x3fffffff;

/**
 * The cold path's reader: the instant of `iso` (as `parseIsoMs`) written to `out[at]`, and its local day in
 * `clock`'s zone returned — or NO_DAY, with nothing written, when `iso` is not an instant.
 */
export function readInstant(iso: string, clock: ZoneClock, out: Float64Array, at: number): number {
  if (readUtc(iso)) {
    const day = utc[0]!;
    const ms = utc[1]!;
    out[at] = day * DAY_MS + ms;
    return clock.localDay(day, ms);
  }
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return NO_DAY;
  out[at] = ms;
  return clock.dayOf(ms);
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
  /** Local day number of the instant `msOfDay` (0 ≤ msOfDay < DAY_MS) into UTC day `utcDay`. */
  localDay(utcDay: number, msOfDay: number): number;
  /** UTC offset in minutes at an instant (Tehran: 210). */
  offsetMinutes(ms: number): number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * An Intl formatter, made once per process: making one loads ICU data for its zone or calendar (a
 * millisecond or two, every time). Only the formatter object is shared; each clock asks it for its own
 * offsets.
 */
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = formatters.get(key);
  if (!format) {
    format = make();
    formatters.set(key, format);
  }
  return format;
}

const TRANSITION = 0x7fff; // an hour with an offset change inside it: computed exactly, never cached
const UNKNOWN = 0x7ffe;
/** More than ~60 years of hours is not cached (a wildly skewed clock): such instants ask Intl each time. */
const MAX_CACHED_HOURS = 24 * 366 * 60;

/**
 * A zone clock with offsets cached per UTC hour, in a dense window that grows in whole days (offsets in
 * minutes fit an Int16). Intl is asked for the offset at the start of a UTC day and of the next; when they
 * agree (every day but the DST switches) the day's 24 hours are filled at once, else hour by hour, and an hour
 * containing a switch is marked and computed exactly per call. The end of one day is the start of the next,
 * so a year of days costs ~366 Intl calls.
 */
class HourlyZoneClock implements ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private base = 0;
  private cache = new Int16Array(0);
  /** Offsets at UTC day starts already asked of Intl. */
  private readonly starts = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = formatter(`zone|${timeZone}`, () => new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', timeZoneName: 'longOffset' }));
  }

  /** The offset at an instant, from Intl, in whole minutes (rounded, for the local mean times of old dates). */
  private exact(ms: number): number {
    let name = '';
    for (const part of this.format.formatToParts(ms)) if (part.type === 'timeZoneName') name = part.value;
    // "GMT+03:30", "GMT-00:44:30", or "GMT" alone for UTC.
    const match = /^GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(name);
    if (!match) throw new Error(`unreadable UTC offset ${name} in ${this.timeZone}`);
    if (!match[1]) return 0;
    return Math.round((match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]) + Number(match[4] ?? 0) / 60));
  }

  private startOffset(utcDay: number): number {
    let offset = this.starts.get(utcDay);
    if (offset === undefined) {
      offset = this.exact(utcDay * DAY_MS);
      this.starts.set(utcDay, offset);
    }
    return offset;
  }

  private fillDay(utcDay: number): void {
    const start = utcDay * DAY_MS;
    const a = this.startOffset(utcDay);
    const at = utcDay * 24 - this.base;
    if (a === this.startOffset(utcDay + 1)) this.cache.fill(a, at, at + 24);
    else
      for (let h = 0; h < 24; h++) {
        const s = this.exact(start + h * HOUR_MS);
        this.cache[at + h] = s === this.exact(start + (h + 1) * HOUR_MS - 1) ? s : TRANSITION;
      }
  }

  /** The cached offset of a UTC hour (filling its day first), or TRANSITION / UNKNOWN. */
  private hourOffset(hour: number): number {
    let i = hour - this.base;
    if (i >= 0 && i < this.cache.length) {
      const cached = this.cache[i]!;
      if (cached !== UNKNOWN) return cached;
    } else {
      const empty = this.cache.length === 0;
      const lo = empty ? hour : Math.min(this.base, hour);
      const hi = empty ? hour : Math.max(this.base + this.cache.length - 1, hour);
      if (hi - lo > MAX_CACHED_HOURS) return UNKNOWN;
      // A month of slack on each side, so streaming in date order does not copy at every new day.
      const base = Math.floor(lo / 24) * 24 - 24 * 31;
      const next = new Int16Array((Math.floor(hi / 24) + 32) * 24 - base).fill(UNKNOWN);
      if (!empty) next.set(this.cache, this.base - base);
      this.cache = next;
      this.base = base;
      i = hour - base;
    }
    this.fillDay(Math.floor(hour / 24));
    return this.cache[i]!;
  }

  offsetMinutes(ms: number): number {
    const cached = this.hourOffset(Math.floor(ms / HOUR_MS));
    return cached === TRANSITION || cached === UNKNOWN ? this.exact(ms) : cached;
  }

  dayOf(ms: number): number {
    return Math.floor((ms + this.offsetMinutes(ms) * 60_000) / DAY_MS);
  }

  localDay(utcDay: number, msOfDay: number): number {
    // msOfDay ≥ 0, so `| 0` floors (an integer division the compiler turns into a multiplication).
    let offset = this.hourOffset(utcDay * 24 + ((msOfDay / HOUR_MS) | 0));
    if (offset === TRANSITION || offset === UNKNOWN) offset = this.exact(utcDay * DAY_MS + msOfDay);
    // |offset| < 24 h, so the local day is the UTC day or a neighbour.
    const local = msOfDay + offset * 60_000;
    return local < 0 ? utcDay - 1 : local >= DAY_MS ? utcDay + 1 : utcDay;
  }
}

/** A zone clock for an IANA time zone (offsets cached per UTC hour). */
export function createZoneClock(timeZone: string): ZoneClock {
  return new HourlyZoneClock(timeZone);
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
  const monthOf = (day: number): number => {
    if (calendar === 'gregory') {
      const { year, month } = civilFromDays(day);
      return year * 12 + month - 1;
    }
    let ordinal = cache.get(day);
    if (ordinal === undefined) {
      let year = 0;
      let month = 1;
      const persian = formatter('persian', () => new Intl.DateTimeFormat('en-US-u-ca-persian', { timeZone: 'UTC', year: 'numeric', month: 'numeric' }));
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
