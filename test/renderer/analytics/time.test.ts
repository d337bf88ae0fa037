import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createZoneClock, DAY_MS, daysFromCivil, NO_DAY, parseIsoMs, readInstant } from '../../../src/renderer/features/analytics/compute/time.ts';

// The cold path's own parsing against the platform: parseIsoMs / readInstant must read every string exactly
// as Date.parse does (the fast path only where the layout is the replica's, Date.parse for the rest), and put
// every instant in the local day Intl gives for the zone.

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Strings in the replica's layout, with fields also out of range (month 13, hour 24, second 60, …). */
const layoutArb = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 19 }),
    day: fc.integer({ min: 0, max: 39 }),
    hour: fc.integer({ min: 0, max: 29 }),
    minute: fc.integer({ min: 0, max: 69 }),
    second: fc.integer({ min: 0, max: 69 }),
    milli: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ year, month, day, hour, minute, second, milli }) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(milli, 3)}Z`);

/** One character of a layout string replaced (a digit where a separator goes, a letter, a non-ASCII one…). */
const mutatedArb = fc
  .tuple(layoutArb, fc.nat(23), fc.constantFrom('0', '9', '-', ':', '.', 'T', 't', 'Z', 'z', ' ', '/', '+', 'a', '٣', '\u0000', '😀'))
  .map(([s, at, c]) => s.slice(0, at) + c + s.slice(at + 1));

/** Other lengths and layouts Date.parse may or may not read. */
const otherArb = fc.oneof(
  layoutArb.map((s) => s.slice(0, 19) + 'Z'),
  layoutArb.map((s) => s.slice(0, 23) + '+03:30'),
  layoutArb.map((s) => s.slice(0, 10)),
  layoutArb.map((s) => `+0${s}`),
  fc.string({ maxLength: 30 }),
);

const ZONES = ['UTC', 'Asia/Tehran', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Africa/Casablanca', 'Pacific/Apia'];

const formats = new Map<string, Intl.DateTimeFormat>();
/** The local day of an instant as Intl gives it (the reference). */
function intlDay(ms: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  // Intl writes years before 1 as era years; the instants below are all after 1970.
  return daysFromCivil(get('year'), get('month'), get('day'));
}

describe('parsing instants (property tests against Date.parse and Intl)', () => {
  it('parseIsoMs reads any string exactly as Date.parse', () => {
    fc.assert(
      fc.property(fc.oneof(layoutArb, mutatedArb, otherArb), (s) => {
        expect(parseIsoMs(s)).toStrictEqual(Date.parse(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('readInstant writes what Date.parse reads and returns its local day, or NO_DAY and writes nothing', () => {
    const clocks = new Map(ZONES.map((zone) => [zone, createZoneClock(zone)]));
    const out = new Float64Array(3);
    fc.assert(
      fc.property(fc.oneof(layoutArb, mutatedArb, otherArb), fc.constantFrom(...ZONES), (s, zone) => {
        out[1] = -1;
        const day = readInstant(s, clocks.get(zone)!, out, 1);
        const ms = Date.parse(s);
        if (Number.isNaN(ms)) {
          expect(day).toBe(NO_DAY);
          expect(out[1]).toBe(-1);
        } else {
          expect(out[1]).toBe(ms);
          expect(day).toBe(clocks.get(zone)!.dayOf(ms));
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('puts instants in the local day Intl gives, across DST switches and odd offsets (1971–2100)', () => {
    const clocks = new Map(ZONES.map((zone) => [zone, createZoneClock(zone)]));
    const from = Date.UTC(1971, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), fc.constantFrom(...ZONES), (ms, zone) => {
        const iso = new Date(ms).toISOString();
        const out = new Float64Array(1);
        expect(readInstant(iso, clocks.get(zone)!, out, 0)).toBe(intlDay(ms, zone));
        expect(out[0]).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
    // Around each switch of a DST zone, minute by minute (a switch seldom falls on a random instant).
    const ny = clocks.get('America/New_York')!;
    const lordHowe = clocks.get('Australia/Lord_Howe')!;
    for (const [clock, zone, at] of [
      [ny, 'America/New_York', Date.UTC(2025, 2, 9, 7)],
      [ny, 'America/New_York', Date.UTC(2025, 10, 2, 6)],
      [lordHowe, 'Australia/Lord_Howe', Date.UTC(2025, 3, 5, 15)],
      [lordHowe, 'Australia/Lord_Howe', Date.UTC(2025, 9, 4, 15, 30)],
    ] as const) {
      for (let ms = at - 3 * 3_600_000; ms <= at + 3 * 3_600_000; ms += 60_000) {
        expect(readInstant(new Date(ms).toISOString(), clock, new Float64Array(1), 0), `${zone} ${new Date(ms).toISOString()}`).toBe(intlDay(ms, zone));
      }
    }
  });

  it('agrees with dayOf for instants outside the cached window (a wildly skewed clock)', () => {
    const clock = createZoneClock('Asia/Tehran');
    const out = new Float64Array(1);
    for (const iso of ['2025-06-01T12:00:00.000Z', '1905-01-01T00:00:00.000Z', '2199-12-31T23:59:59.999Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      const ms = Date.parse(iso);
      expect(readInstant(iso, clock, out, 0)).toBe(clock.dayOf(ms));
      expect(out[0]).toBe(ms);
      expect(Math.floor((ms + clock.offsetMinutes(ms) * 60_000) / DAY_MS)).toBe(clock.dayOf(ms));
    }
  });
});
