import { createMonthIndex, createZoneClock, dayKey, dayOfKey, type CalendarName } from './compute/time.ts';

// The period picker's presets as local days [from, to) in the merchant's time zone. Months and years are the
// UI calendar's: "this month" in Persian is the current Persian month.

/** Period presets. */
export const PERIOD_PRESETS = ['thisMonth', 'last30', 'last90', 'thisYear', 'custom'] as const;
/** A period preset. */
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** A period as day keys, `to` exclusive. */
export interface Period {
  from: string;
  to: string;
}

/** Today's local day in a time zone. */
export function todayIn(timeZone: string, nowMs: number): number {
  return createZoneClock(timeZone).dayOf(nowMs);
}

/** The days of a preset, ending today (inclusive). */
export function presetPeriod(preset: Exclude<PeriodPreset, 'custom'>, today: number, calendar: CalendarName): Period {
  const months = createMonthIndex(calendar);
  const to = today + 1;
  switch (preset) {
    case 'thisMonth':
      return { from: dayKey(months.monthStart(today)), to: dayKey(to) };
    case 'last30':
      return { from: dayKey(today - 29), to: dayKey(to) };
    case 'last90':
      return { from: dayKey(today - 89), to: dayKey(to) };
    case 'thisYear':
      return { from: dayKey(months.yearStart(today)), to: dayKey(to) };
  }
}

/** A custom period from two inclusive dates (`YYYY-MM-DD`); null when they do not make one. */
export function customPeriod(first: string, last: string): Period | null {
  const from = dayOfKey(first);
  const through = dayOfKey(last);
  if (from === null || through === null || through < from || through - from > 3650) return null;
  return { from: dayKey(from), to: dayKey(through + 1) };
}
