import { describe, expect, it } from 'vitest';
import { fromPersian, persianMonthNames, toPersian } from '../../src/renderer/lib/calendar.ts';
import { birthdaySoon, daysUntilYearly, isIsoDate, zonedDate } from '../../src/sync/model/dates.ts';
import { currencyLabel, formatAmount, formatDay, formatNumber, formatRelative } from '../../src/renderer/lib/format.ts';

describe('calendar helpers', () => {
  it('finds the date in the merchant time zone, not the device one', () => {
    // 22:00 UTC on 20 March is already 21 March (Nowruz) in Tehran (UTC+3:30).
    const instant = new Date('2025-03-20T22:00:00.000Z');
    expect(zonedDate(instant, 'Asia/Tehran')).toBe('2025-03-21');
    expect(zonedDate(instant, 'UTC')).toBe('2025-03-20');
    expect(zonedDate(instant, 'Not/AZone')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('validates real dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2023-2-1')).toBe(false);
  });

  it('counts days to the next birthday, across the year end and on 29 February', () => {
    expect(daysUntilYearly('1990-01-03', '2024-12-30')).toBe(4);
    expect(daysUntilYearly('1990-12-30', '2024-12-30')).toBe(0);
    expect(daysUntilYearly('1992-02-29', '2025-02-25')).toBe(3);
    expect(daysUntilYearly('1992-02-29', '2024-02-25')).toBe(4);
  });

  it('flags a birthday within seven days in the merchant zone', () => {
    const now = new Date('2025-03-20T22:00:00.000Z');
    expect(birthdaySoon('1985-03-28', now, 'Asia/Tehran')).toBe(7);
    expect(birthdaySoon('1985-03-29', now, 'Asia/Tehran')).toBeNull();
    expect(birthdaySoon('1985-03-21', now, 'Asia/Tehran')).toBe(0);
    expect(birthdaySoon(null, now, 'Asia/Tehran')).toBeNull();
  });

  it('converts between Gregorian and Persian dates both ways', () => {
    expect(toPersian('2025-03-21')).toEqual({ year: 1404, month: 1, day: 1 });
    expect(fromPersian({ year: 1404, month: 1, day: 1 })).toBe('2025-03-21');
    expect(fromPersian({ year: 1363, month: 12, day: 24 })).toBe('1985-03-15');
    expect(fromPersian({ year: 1403, month: 12, day: 30 })).toBe('2025-03-20'); // 1403 is a leap year
    expect(fromPersian({ year: 1402, month: 12, day: 30 })).toBeNull();
    expect(fromPersian({ year: 1402, month: 7, day: 31 })).toBeNull();
    for (const iso of ['1950-01-01', '1999-09-23', '2000-02-29', '2024-12-31']) {
      const p = toPersian(iso);
      expect(p && fromPersian(p)).toBe(iso);
    }
    expect(persianMonthNames('fa')[0]).toBe('فروردین');
    expect(persianMonthNames('fa')[11]).toBe('اسفند');
  });
});

describe('Intl formatting', () => {
  it('writes Persian digits and the Persian calendar for fa', () => {
    expect(formatNumber(1234, 'fa')).toBe('۱٬۲۳۴');
    expect(formatNumber(1234, 'en')).toBe('1,234');
    expect(formatDay('1985-03-15', 'fa', 'long')).toContain('اسفند');
    expect(formatDay('1985-03-15', 'fa', 'long')).toContain('۱۳۶۳');
    expect(formatDay('1985-03-15', 'en', 'long')).toBe('15 March 1985');
  });

  it('says how long ago in words', () => {
    const now = Date.parse('2025-01-01T12:00:00.000Z');
    expect(formatRelative('2025-01-01T11:58:00.000Z', now, 'en')).toBe('2 minutes ago');
    expect(formatRelative('2025-01-01T11:59:58.000Z', now, 'en')).toBe('now');
    expect(formatRelative('2025-01-01T11:58:00.000Z', now, 'fa')).toMatch(/۲/);
  });
});

describe('amounts in the shown unit', () => {
  it('Iranian amounts: figure, no-break space, toman or rial in the UI language; other currencies through Intl', () => {
    const toman = { currency: 'IRR', display: 'toman' } as const;
    const rial = { currency: 'IRR', display: 'rial' } as const;
    expect(formatAmount(250_000, toman, 'fa')).toBe('۲۵٬۰۰۰\u00a0تومان');
    expect(formatAmount(250_000, toman, 'en')).toBe('25,000\u00a0toman');
    expect(formatAmount(25, toman, 'en')).toBe('2.5\u00a0toman');
    expect(formatAmount(250_000, rial, 'fa')).toBe('۲۵۰٬۰۰۰\u00a0ریال');
    expect(formatAmount(250_000, rial, 'en')).toBe('250,000\u00a0rial');
    expect(formatAmount(123_450, { currency: 'USD', display: 'toman' }, 'en')).toBe('$1,234.50');
    expect([currencyLabel(toman, 'fa'), currencyLabel(rial, 'en'), currencyLabel({ currency: 'USD', display: 'rial' }, 'en')]).toEqual(['تومان', 'rial', '$']);
  });
});
