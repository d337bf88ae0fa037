import { TIERS } from '../../../../sync/model/common.ts';
import { minorToShown, type MoneyUnit } from '../../../../sync/model/money.ts';
import { SEGMENTS } from '../../../../sync/model/segments.ts';
import type { Locale } from '../../../../sync/model/settings.ts';
import type { Snapshot } from '../compute/schema.ts';
import { formatAmount, formatCompact, formatDay, formatList, formatNumber } from '../../../lib/format.ts';

// What each dashboard chart shows, as plain data: built here (no React, no recharts) so keys, labels in the UI
// language and calendar, and number formatting are tested in Node; the chart components only draw.

/** One point of a time series or one bar. */
export interface ChartDatum {
  /** Stable key: the day (YYYY-MM-DD), frequency bucket, segment, tier, star count or ledger line. CSV exports it. */
  key: string;
  /** The name in the UI language and calendar (tooltip, data table). */
  label: string;
  /** The axis label: the same, or shorter. */
  tick: string;
  /** The raw value: a count, points, or money in minor units. */
  value: number;
  /** Loyalty flows: points added to balances (`in`) or taken from them (`out`), drawn in two colours. */
  tone?: 'in' | 'out';
}

/** How a chart's values read: exactly in tooltips and tables, compactly on the axis, as plain numbers on the plot. */
export interface Measure {
  /** The exact value in the UI language (money with its currency). */
  text(value: number): string;
  /** The number the plot scales (money in major units: minor units would put 100× on a dollar axis). */
  plot(value: number): number;
  /** An axis tick for a plotted number. */
  axis(plotted: number): string;
  /** Whole numbers only (counts): no 2.5 on the axis. */
  integer: boolean;
}

/** i18next's `t` for the analytics namespace, as the builders need it. */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Counts and points. */
export function countMeasure(locale: Locale): Measure {
  return { text: (v) => formatNumber(v, locale), plot: (v) => v, axis: (v) => formatCompact(v, locale), integer: true };
}

/** Money in minor units, shown (and plotted) in the merchant's unit. */
export function moneyMeasure(unit: MoneyUnit, locale: Locale): Measure {
  return {
    text: (v) => formatAmount(Math.round(v), unit, locale),
    plot: (v) => Number(minorToShown(Math.round(v), unit)),
    axis: (v) => formatCompact(v, locale),
    integer: false,
  };
}

/** Visits or revenue per day of the period, dated in the UI calendar. */
export function dailySeries(snapshot: Snapshot, metric: 'visits' | 'revenue', locale: Locale): ChartDatum[] {
  return snapshot.daily.map((d) => ({
    key: d.day,
    label: formatDay(d.day, locale),
    tick: formatDay(d.day, locale, 'monthDay'),
    value: d[metric],
  }));
}

/** Customers by their number of visits in the period. */
export function frequencySeries(snapshot: Snapshot, t: Translate): ChartDatum[] {
  return snapshot.frequency.map((f) => category(f.bucket, t(`frequency.${f.bucket}`), f.customers));
}

/** Customers by segment, in the model's segment order. */
export function segmentSeries(snapshot: Snapshot, t: Translate): ChartDatum[] {
  return SEGMENTS.map((s) => category(s, t(`common:segment.${s}`), snapshot.segments[s]));
}

/** Customers by tier, lowest first. */
export function tierSeries(snapshot: Snapshot, t: Translate): ChartDatum[] {
  return TIERS.map((tier) => category(tier, t(`tier.${tier}`), snapshot.tiers[tier]));
}

/** Feedback ratings by stars: the axis shows the stars, the tooltip and table say "3 stars". */
export function ratingSeries(snapshot: Snapshot, t: Translate, locale: Locale): ChartDatum[] {
  return snapshot.feedback.distribution.map((count, i) => ({
    key: String(i + 1),
    label: t('stars', { count: i + 1, n: formatNumber(i + 1, locale) }),
    tick: '★'.repeat(i + 1),
    value: count,
  }));
}

/**
 * The ledger lines that move points in the period, in the loyalty table's order, with the sign each has on
 * balances: the snapshot gives redeemed, expired and removed points as amounts taken (positive), and
 * reversals as their signed effect (a voided visit takes its points back, a refunded redemption gives them back).
 */
export const LOYALTY_FLOWS = [
  ['earned', 1],
  ['adjustedUp', 1],
  ['redeemed', -1],
  ['expired', -1],
  ['adjustedDown', -1],
  ['reversed', 1],
] as const;

/** What each ledger line did to point balances in the period: above zero adds, below zero takes. */
export function loyaltySeries(snapshot: Snapshot, t: Translate): ChartDatum[] {
  return LOYALTY_FLOWS.map(([key, sign]) => {
    const value = sign * snapshot.loyalty[key];
    return { ...category(key, t(`loyalty.${key}`), value), tone: value < 0 ? 'out' : 'in' };
  });
}

function category(key: string, label: string, value: number): ChartDatum {
  return { key, label, tick: label, value };
}

/**
 * Recharts' numeric `interval` for a category axis of `count` points showing about `labels` of them: every
 * (interval + 1)-th tick is drawn. A number rather than 'preserveEnd' so no tick is measured in the DOM
 * (a year of days would be 365 measurements on every render).
 */
export function tickInterval(count: number, labels: number): number {
  return Math.max(0, Math.ceil(count / Math.max(1, labels)) - 1);
}

/**
 * Round ticks for a value axis covering 0 and every value: about `count` steps of 1, 2, 2.5 or 5 × 10ⁿ (whole
 * steps for counts). Computed here rather than by recharts so the labels are known before drawing: the
 * axis is sized from them once, instead of measuring its rendered labels and drawing the chart again.
 */
export function niceTicks(values: readonly number[], count: number, integer: boolean): number[] {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  if (lo === hi) return [0, 1];
  const rough = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
  if (integer) step = Math.max(1, Math.ceil(step));
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  // Multiples of the step, rounded back from floating point (3 × 0.2 is 0.6000000000000001).
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)));
}

/**
 * A category label in at most `maxLines` lines no wider than `width` (as `measure` measures), broken at
 * spaces. A word wider than a line keeps a line of its own rather than being cut; words that do not fit the
 * last line end it with "…" (the tooltip and the table have the label whole).
 */
export function wrapLabel(text: string, width: number, maxLines: number, measure: (text: string) => number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && measure(`${last} ${word}`) <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]}…`];
}

/** Two data series show the same thing (a new snapshot often leaves a chart as it was: no need to draw it again). */
export function sameSeries(a: readonly ChartDatum[], b: readonly ChartDatum[]): boolean {
  return (
    a === b ||
    (a.length === b.length &&
      a.every((d, i) => {
        const e = b[i]!;
        return d.key === e.key && d.value === e.value && d.label === e.label && d.tick === e.tick && d.tone === e.tone;
      }))
  );
}

/** A time series in one sentence for assistive technology: the total and the highest point. */
export function seriesSummary(data: readonly ChartDatum[], measure: Measure, t: Translate): string {
  const peak = data.reduce<ChartDatum | null>((best, d) => (best === null || d.value > best.value ? d : best), null);
  if (!peak) return t('empty');
  const total = data.reduce((sum, d) => sum + d.value, 0);
  return t('charts.summary', { total: measure.text(total), peak: measure.text(peak.value), day: peak.label });
}

/** Bars in one sentence for assistive technology: every label with its value, as a list in the UI language. */
export function categorySummary(data: readonly ChartDatum[], measure: Measure, locale: Locale): string {
  return formatList(data.map((d) => `${d.label}: ${measure.text(d.value)}`), locale);
}
