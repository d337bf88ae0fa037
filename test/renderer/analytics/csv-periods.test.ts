import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvFileName, toCsv } from '../../../src/renderer/features/analytics/csv.ts';
import { asLocale as uiLocale, calendarOf, formatDay, formatMonth, formatNumber } from '../../../src/renderer/lib/format.ts';
import { customPeriod, presetPeriod } from '../../../src/renderer/features/analytics/periods.ts';
import { createZoneClock, dayOfKey, parseIsoMs } from '../../../src/renderer/features/analytics/compute/time.ts';

describe('CSV export', () => {
  it('quotes per RFC 4180, ends lines with CRLF, starts with a UTF-8 BOM and defuses formulas', () => {
    const csv = toCsv(['name', 'spend'], [['Ali, Jr.', 1200], ['he said "hi"', null], ['=HYPERLINK("x")', 'two\nlines'], ['سارا', '+989121234567'], ['plain', 0.5]]);
    expect(csv).toBe(
      '\uFEFFname,spend\r\n' +
        '"Ali, Jr.",1200\r\n' +
        '"he said ""hi""",\r\n' +
        `"'=HYPERLINK(""x"")","two\nlines"\r\n` +
        "سارا,'+989121234567\r\n" +
        'plain,0.5\r\n',
    );
    expect(csvFileName('segment at-risk', '2025-06-01')).toBe('segment-at-risk-2025-06-01.csv');
  });
});

describe('periods and calendars', () => {
  const today = dayOfKey('2025-06-15')!;
  it('presets end today and follow the UI calendar', () => {
    expect(presetPeriod('last30', today, 'gregory')).toEqual({ from: '2025-05-17', to: '2025-06-16' });
    expect(presetPeriod('thisMonth', today, 'gregory')).toEqual({ from: '2025-06-01', to: '2025-06-16' });
    expect(presetPeriod('thisYear', today, 'gregory')).toEqual({ from: '2025-01-01', to: '2025-06-16' });
    // Persian: Khordad 1404 began on 2025-05-22, the year 1404 on 2025-03-21 (Nowruz).
    expect(presetPeriod('thisMonth', today, 'persian')).toEqual({ from: '2025-05-22', to: '2025-06-16' });
    expect(presetPeriod('thisYear', today, 'persian')).toEqual({ from: '2025-03-21', to: '2025-06-16' });
    expect(customPeriod('2025-06-01', '2025-06-01')).toEqual({ from: '2025-06-01', to: '2025-06-02' });
    expect(customPeriod('2025-06-02', '2025-06-01')).toBeNull();
    expect(customPeriod('', '2025-06-01')).toBeNull();
  });

  it('buckets instants by the merchant’s local day, across DST switches', () => {
    const tehran = createZoneClock('Asia/Tehran');
    expect(tehran.dayOf(parseIsoMs('2025-05-31T20:29:59.999Z'))).toBe(dayOfKey('2025-05-31'));
    expect(tehran.dayOf(parseIsoMs('2025-05-31T20:30:00.000Z'))).toBe(dayOfKey('2025-06-01'));
    const ny = createZoneClock('America/New_York');
    // 2025-03-09 02:00 EST → 03:00 EDT (07:00 UTC); 2025-11-02 02:00 EDT → 01:00 EST (06:00 UTC).
    expect(ny.offsetMinutes(parseIsoMs('2025-03-09T06:59:59.000Z'))).toBe(-300);
    expect(ny.offsetMinutes(parseIsoMs('2025-03-09T07:00:00.000Z'))).toBe(-240);
    expect(ny.dayOf(parseIsoMs('2025-11-02T04:30:00.000Z'))).toBe(dayOfKey('2025-11-02'));
    expect(ny.dayOf(parseIsoMs('2025-11-02T03:59:00.000Z'))).toBe(dayOfKey('2025-11-01'));
    // Tehran still had DST in 2021, switching at local midnight — in the middle of a UTC hour (20:30Z):
    // 2021-03-22 00:00 +03:30 became 01:00 +04:30; 2021-09-22 00:00 +04:30 went back to 23:00 +03:30.
    expect(tehran.dayOf(parseIsoMs('2021-03-21T20:29:00.000Z'))).toBe(dayOfKey('2021-03-21'));
    expect(tehran.dayOf(parseIsoMs('2021-03-21T20:30:00.000Z'))).toBe(dayOfKey('2021-03-22'));
    expect(tehran.offsetMinutes(parseIsoMs('2021-03-21T20:30:00.000Z'))).toBe(270);
    expect(tehran.dayOf(parseIsoMs('2021-09-21T19:29:00.000Z'))).toBe(dayOfKey('2021-09-21'));
    expect(tehran.dayOf(parseIsoMs('2021-09-21T19:30:00.000Z'))).toBe(dayOfKey('2021-09-21'));
    expect(tehran.dayOf(parseIsoMs('2021-09-21T20:30:00.000Z'))).toBe(dayOfKey('2021-09-22'));
  });

  it('parses the replica’s ISO layout exactly like Date.parse, and anything else through it', () => {
    for (const iso of ['2025-06-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2024-02-29T12:34:56.789Z', '2025-06-01T00:00:00Z', 'nonsense'])
      expect(parseIsoMs(iso)).toStrictEqual(Date.parse(iso));
  });

  it('formats Persian digits and the Persian calendar for fa', () => {
    expect(uiLocale('fa')).toBe('fa');
    expect(calendarOf('fa')).toBe('persian');
    expect(formatNumber(1234, 'fa')).toBe('۱٬۲۳۴');
    expect(formatDay('2025-03-21', 'fa', 'short')).toContain('۱۴۰۴');
    expect(formatMonth('2025-05-22', 'fa')).toContain('خرداد');
    expect(formatMonth('2025-05-22', 'en')).toBe('May 2025');
  });
});

describe('translations', () => {
  const keys = (value: unknown, prefix = ''): string[] =>
    typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)) : [prefix];
  it.each(['analytics', 'inbox', 'settings'])('%s has the same keys in English and Persian', (ns) => {
    const read = (locale: string) => JSON.parse(readFileSync(new URL(`../../../src/renderer/i18n/locales/${locale}/${ns}.json`, import.meta.url), 'utf8')) as unknown;
    expect(keys(read('fa')).sort()).toEqual(keys(read('en')).sort());
  });
});

describe('id index', () => {
  it('maps UUIDs (and anything else) to their integers through growth', async () => {
    const { IdIndex } = await import('../../../src/renderer/features/analytics/compute/id-index.ts');
    const { v4, v5, v7 } = await import('uuid');
    const index = new IdIndex();
    const ids = [...Array.from({ length: 3000 }, () => v7()), ...Array.from({ length: 1000 }, () => v4()), ...Array.from({ length: 500 }, (_, i) => v5(`k${i}`, '6f1c3b5e-2d47-4a8e-9a61-0c8f4e7b2d19')), 'not-a-uuid', 'ABCDEF00-0000-7000-8000-000000000000', ''];
    ids.forEach((id, i) => index.set(id, i));
    expect(index.size).toBe(ids.length);
    ids.forEach((id, i) => expect(index.get(id)).toBe(i));
    expect(index.get(v7())).toBe(-1);
    expect(index.get('ffffffff-ffff-7fff-bfff-ffffffffffff')).toBe(-1);
  });
});
