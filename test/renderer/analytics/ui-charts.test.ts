// What the dashboard's charts show, before recharts draws it: the series built from a snapshot (keys, labels
// in the UI language and calendar, signs), how values read (exact, compact, plotted in major units), the
// axis label and tooltip parts in both directions (react-dom/server, the real i18next resources).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { SnapshotSchema, type Snapshot } from '../../../src/renderer/features/analytics/compute/schema.ts';
import {
  categorySummary,
  countMeasure,
  dailySeries,
  frequencySeries,
  loyaltySeries,
  moneyMeasure,
  niceTicks,
  ratingSeries,
  sameSeries,
  segmentSeries,
  seriesSummary,
  tickInterval,
  tierSeries,
  wrapLabel,
  type ChartDatum,
} from '../../../src/renderer/features/analytics/ui/chart-data.ts';
import { AxisTick, ChartTooltip } from '../../../src/renderer/features/analytics/ui/chart-parts.tsx';
import { setupI18n } from '../../../src/renderer/i18n/setup.ts';

const NO_ROWS = { none: [], new: [], regular: [], vip: [], 'at-risk': [], churned: [] };

/** A snapshot with hand-picked numbers (validated by the worker's own schema, so its shape is the real one). */
const snapshot: Snapshot = SnapshotSchema.parse({
  currency: 'USD',
  timeZone: 'Asia/Tehran',
  query: {
    from: '2025-06-01',
    to: '2025-06-04',
    storeId: null,
    now: '2025-06-03T12:00:00.000Z',
    calendar: 'gregory',
    listLimit: 20,
  },
  kpis: {
    visits: 9,
    revenue: 123_456,
    averageTicket: 13_717,
    voidedVisits: 0,
    activeCustomers: 5,
    newCustomers: 2,
    returningCustomers: 3,
    customers: 7,
  },
  daily: [
    { day: '2025-06-01', visits: 2, revenue: 20_000 },
    { day: '2025-06-02', visits: 6, revenue: 100_456 },
    { day: '2025-06-03', visits: 1, revenue: 3_000 },
  ],
  frequency: [
    { bucket: '1', customers: 3 },
    { bucket: '2', customers: 1 },
    { bucket: '3', customers: 0 },
    { bucket: '4', customers: 1 },
    { bucket: '5-9', customers: 0 },
    { bucket: '10+', customers: 0 },
  ],
  cohorts: [],
  segments: { none: 1, new: 2, regular: 1, vip: 1, 'at-risk': 1, churned: 1 },
  segmentMembers: NO_ROWS,
  topCustomers: [],
  clv: { customers: 5, total: 123_456, average: 24_691, projectedAverage: 30_000, top: [] },
  churn: [],
  loyalty: {
    earned: 900,
    redeemed: 300,
    expired: 50,
    adjustedUp: 20,
    adjustedDown: 10,
    reversed: -40,
    issued: 920,
    outstanding: 5_000,
    overdrawn: 0,
    valuePerPoint: null,
    liability: null,
  },
  tiers: { bronze: 4, silver: 2, gold: 1, platinum: 0 },
  feedback: { count: 4, average: 4.25, distribution: [0, 0, 1, 1, 2] },
});

let en: TFunction;
let fa: TFunction;
beforeAll(async () => {
  const i18n = await setupI18n('en');
  en = i18n.getFixedT('en', 'analytics');
  fa = i18n.getFixedT('fa', 'analytics');
});

const keysOf = (data: readonly ChartDatum[]) => data.map((d) => d.key);
const valuesOf = (data: readonly ChartDatum[]) => data.map((d) => d.value);

describe('chart series from a snapshot', () => {
  it('dates the days in the UI calendar: Gregorian in English, Persian (Khordad 1404) in Persian digits', () => {
    const english = dailySeries(snapshot, 'visits', 'en');
    expect(keysOf(english)).toEqual(['2025-06-01', '2025-06-02', '2025-06-03']);
    expect(valuesOf(english)).toEqual([2, 6, 1]);
    expect(english.map((d) => d.label)).toEqual(['1 Jun 2025', '2 Jun 2025', '3 Jun 2025']);
    expect(english.map((d) => d.tick)).toEqual(['1 Jun', '2 Jun', '3 Jun']);
    // 1 June 2025 is 11 Khordad 1404.
    const persian = dailySeries(snapshot, 'revenue', 'fa');
    expect(keysOf(persian)).toEqual(keysOf(english));
    expect(valuesOf(persian)).toEqual([20_000, 100_456, 3_000]);
    expect(persian.map((d) => d.label)).toEqual(['۱۱ خرداد ۱۴۰۴', '۱۲ خرداد ۱۴۰۴', '۱۳ خرداد ۱۴۰۴']);
    expect(persian.map((d) => d.tick)).toEqual(['۱۱ خرداد', '۱۲ خرداد', '۱۳ خرداد']);
  });

  it('labels categories in the UI language, keyed by the model’s names, in the model’s order', () => {
    expect(keysOf(frequencySeries(snapshot, en))).toEqual(['1', '2', '3', '4', '5-9', '10+']);
    expect(frequencySeries(snapshot, fa).map((d) => d.label)).toEqual([
      '۱ مراجعه',
      '۲ مراجعه',
      '۳ مراجعه',
      '۴ مراجعه',
      '۵ تا ۹ مراجعه',
      '۱۰ مراجعه و بیشتر',
    ]);
    expect(valuesOf(frequencySeries(snapshot, en))).toEqual([3, 1, 0, 1, 0, 0]);
    expect(segmentSeries(snapshot, en).map((d) => [d.key, d.label, d.value])).toEqual([
      ['none', 'Occasional', 1],
      ['new', 'New', 2],
      ['regular', 'Regular', 1],
      ['vip', 'VIP', 1],
      ['at-risk', 'At risk', 1],
      ['churned', 'Churned', 1],
    ]);
    expect(tierSeries(snapshot, fa).map((d) => [d.key, d.label, d.value])).toEqual([
      ['bronze', 'برنزی', 4],
      ['silver', 'نقره‌ای', 2],
      ['gold', 'طلایی', 1],
      ['platinum', 'پلاتینی', 0],
    ]);
  });

  it('names ratings by their stars, with plural and Persian digits, and draws the stars on the axis', () => {
    const english = ratingSeries(snapshot, en, 'en');
    expect(english.map((d) => d.label)).toEqual(['1 star', '2 stars', '3 stars', '4 stars', '5 stars']);
    expect(english.map((d) => d.tick)).toEqual(['★', '★★', '★★★', '★★★★', '★★★★★']);
    expect(valuesOf(english)).toEqual([0, 0, 1, 1, 2]);
    expect(ratingSeries(snapshot, fa, 'fa').map((d) => d.label)).toEqual([
      '۱ ستاره',
      '۲ ستاره',
      '۳ ستاره',
      '۴ ستاره',
      '۵ ستاره',
    ]);
  });

  it('signs the loyalty flows by what they did to balances: amounts taken below zero, reversals as they are', () => {
    const flows = loyaltySeries(snapshot, en);
    expect(flows.map((d) => [d.key, d.value, d.tone])).toEqual([
      ['earned', 900, 'in'],
      ['adjustedUp', 20, 'in'],
      ['redeemed', -300, 'out'],
      ['expired', -50, 'out'],
      ['adjustedDown', -10, 'out'],
      ['reversed', -40, 'out'],
    ]);
    // The flows add up to the period's change of balances.
    const l = snapshot.loyalty;
    expect(valuesOf(flows).reduce((a, b) => a + b, 0)).toBe(
      l.earned + l.adjustedUp - l.redeemed - l.expired - l.adjustedDown + l.reversed,
    );
    const refunded = loyaltySeries({ ...snapshot, loyalty: { ...l, reversed: 25 } }, fa);
    expect(refunded.at(-1)).toMatchObject({ key: 'reversed', value: 25, tone: 'in', label: fa('loyalty.reversed') });
  });
});

describe('how values read', () => {
  it('money: exact with its currency in text, major units on the plot, compact on the axis', () => {
    const usd = moneyMeasure({ currency: 'USD', display: 'rial' }, 'en');
    expect(usd.text(123_456)).toBe('$1,234.56');
    expect(usd.plot(123_456)).toBe(1234.56);
    expect(usd.axis(1234.56)).toBe('1.2K');
    expect(usd.integer).toBe(false);
    // The rial has no minor unit: plotted as it is; Persian digits and words for magnitudes.
    const irr = moneyMeasure({ currency: 'IRR', display: 'rial' }, 'fa');
    expect(irr.plot(12_500_000)).toBe(12_500_000);
    expect(irr.axis(12_500_000)).toBe('۱۲٫۵\u00a0میلیون');
    expect(irr.text(12_500_000)).toBe('۱۲٬۵۰۰٬۰۰۰\u00a0ریال');
    // In toman: a tenth of the figure on the plot and in the text, with its unit.
    const toman = moneyMeasure({ currency: 'IRR', display: 'toman' }, 'fa');
    expect(toman.plot(12_500_000)).toBe(1_250_000);
    expect(toman.text(12_500_000)).toBe('۱٬۲۵۰٬۰۰۰\u00a0تومان');
  });

  it('counts: whole numbers, in the UI’s digits', () => {
    expect(countMeasure('fa').text(1234)).toBe('۱٬۲۳۴');
    expect(countMeasure('fa').axis(12_500)).toBe('۱۲٫۵\u00a0هزار');
    expect(countMeasure('en').axis(950)).toBe('950');
    expect(countMeasure('en').integer).toBe(true);
  });

  it('labels about as many days as asked on a time axis, whatever the period', () => {
    for (const count of [1, 2, 7, 30, 31, 90, 365, 366, 3651]) {
      const interval = tickInterval(count, 6);
      const labelled = Math.ceil(count / (interval + 1));
      expect(labelled, `${count} days`).toBeLessThanOrEqual(6);
      // One more label would fit the budget only if the interval were smaller: it is the smallest that does.
      if (interval > 0) expect(Math.ceil(count / interval), `${count} days`).toBeGreaterThan(6);
    }
    expect(tickInterval(0, 6)).toBe(0);
  });

  it('puts round ticks on a value axis, covering zero and every value, whole steps for counts', () => {
    expect(niceTicks([3, 1, 0, 24], 4, true)).toEqual([0, 10, 20, 30]);
    expect(niceTicks([2, 6, 1], 4, true)).toEqual([0, 2, 4, 6]);
    expect(niceTicks([1, 1], 4, true)).toEqual([0, 1]);
    expect(niceTicks([0, 0], 4, true)).toEqual([0, 1]);
    expect(niceTicks([], 4, true)).toEqual([0, 1]);
    // Money in major units: fractional steps, free of floating-point noise.
    expect(niceTicks([0.4, 0.7], 4, false)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks([1234.56, 200], 4, false)).toEqual([0, 500, 1000, 1500]);
    // Loyalty flows go below zero: the axis does too.
    expect(niceTicks([58_964, 350, -5_200, 0, 0, -3_564], 4, true)).toEqual([-20_000, 0, 20_000, 40_000, 60_000]);
    for (const values of [[7], [99], [101], [2_610_000], [-1, 1], [0.03], [123_456_789]]) {
      const ticks = niceTicks(values, 4, false);
      expect(ticks[0]!, String(values)).toBeLessThanOrEqual(Math.min(0, ...values));
      expect(ticks.at(-1)!, String(values)).toBeGreaterThanOrEqual(Math.max(0, ...values));
      expect(ticks).toContain(0);
      expect(ticks.length, String(values)).toBeLessThanOrEqual(7);
    }
  });

  it('wraps a category label at spaces into two lines at most, never cutting a word', () => {
    const chars = (text: string) => text.length; // one unit a character
    expect(wrapLabel('5–9 visits', 20, 2, chars)).toEqual(['5–9 visits']);
    expect(wrapLabel('5–9 visits', 6, 2, chars)).toEqual(['5–9', 'visits']);
    expect(wrapLabel('Occasional', 4, 2, chars)).toEqual(['Occasional']);
    expect(wrapLabel('Reversed (voided visits, refunds)', 16, 2, chars)).toEqual([
      'Reversed (voided',
      'visits, refunds)',
    ]);
    expect(wrapLabel('Reversed (voided visits, refunds)', 10, 2, chars)).toEqual(['Reversed', '(voided…']);
    expect(wrapLabel('۵ تا ۹ مراجعه', 6, 2, chars)).toEqual(['۵ تا ۹', 'مراجعه']);
  });

  it('tells a chart with the same data from one that changed', () => {
    const a = dailySeries(snapshot, 'visits', 'en');
    expect(sameSeries(a, dailySeries(snapshot, 'visits', 'en'))).toBe(true);
    expect(sameSeries(a, dailySeries(snapshot, 'visits', 'fa'))).toBe(false);
    expect(sameSeries(a, dailySeries(snapshot, 'revenue', 'en'))).toBe(false);
    expect(sameSeries(a, a.slice(1))).toBe(false);
    expect(
      sameSeries(
        loyaltySeries(snapshot, en),
        loyaltySeries({ ...snapshot, loyalty: { ...snapshot.loyalty, reversed: 40 } }, en),
      ),
    ).toBe(false);
  });

  it('describes a chart in a sentence: total and peak of a series, every bar of a category chart', () => {
    const visits = dailySeries(snapshot, 'visits', 'en');
    expect(seriesSummary(visits, countMeasure('en'), en)).toBe('Total 9; highest 6 on 2 Jun 2025.');
    expect(seriesSummary(dailySeries(snapshot, 'visits', 'fa'), countMeasure('fa'), fa)).toBe(
      'مجموع ۹؛ بیشترین ۶ در ۱۲ خرداد ۱۴۰۴.',
    );
    expect(seriesSummary([], countMeasure('en'), en)).toBe(en('empty'));
    expect(categorySummary(tierSeries(snapshot, en), countMeasure('en'), 'en')).toBe(
      'Bronze: 4, Silver: 2, Gold: 1, Platinum: 0',
    );
    expect(categorySummary(tierSeries(snapshot, fa), countMeasure('fa'), 'fa')).toBe(
      'برنزی: ۴،\u200f نقره‌ای: ۲،\u200f طلایی: ۱،\u200f پلاتینی: ۰',
    );
  });
});

describe('chart parts that carry text', () => {
  const tick = (rtl: boolean, textAnchor: 'start' | 'middle' | 'end') =>
    renderToStaticMarkup(
      createElement(AxisTick, {
        rtl,
        textAnchor,
        x: 40,
        y: 10,
        angle: 0,
        index: 0,
        fill: undefined,
        stroke: 'none',
        verticalAnchor: 'middle',
        visibleTicksCount: 5,
        className: 'recharts-cartesian-axis-tick-value',
        payload: { value: 12_500, coordinate: 10, index: 0 },
        tickFormatter: (v: unknown) => countMeasure(rtl ? 'fa' : 'en').axis(Number(v)),
      }),
    );

  it('keeps a label’s visual edge when it reads right to left: the anchor flips with the direction', () => {
    expect(tick(false, 'end')).toMatch(/direction="ltr"[^>]*text-anchor="end"|text-anchor="end"[^>]*direction="ltr"/);
    expect(tick(true, 'end')).toMatch(
      /direction="rtl"[^>]*text-anchor="start"|text-anchor="start"[^>]*direction="rtl"/,
    );
    expect(tick(true, 'start')).toContain('text-anchor="end"');
    expect(tick(true, 'middle')).toContain('text-anchor="middle"');
    expect(tick(true, 'end')).toContain('۱۲٫۵\u00a0هزار');
    // Recharts finds its labels by its own class to size an axis: the class stays.
    expect(tick(true, 'end')).toMatch(/class="[^"]*recharts-cartesian-axis-tick-value[^"]*chart-tick"/);
  });

  it('shows the tooltip in the UI direction, and keeps an empty status region while inactive', () => {
    const data = dailySeries(snapshot, 'visits', 'fa');
    const byKey = new Map(data.map((d) => [d.key, d]));
    const shown = renderToStaticMarkup(
      createElement(ChartTooltip, { active: true, label: '2025-06-02', byKey, measure: countMeasure('fa'), rtl: true }),
    );
    expect(shown).toBe(
      '<div class="chart-tooltip" dir="rtl" role="status"><span class="chart-tooltip-label">۱۲ خرداد ۱۴۰۴</span><span class="chart-tooltip-value">۶</span></div>',
    );
    expect(
      renderToStaticMarkup(
        createElement(ChartTooltip, {
          active: false,
          label: '2025-06-02',
          byKey,
          measure: countMeasure('fa'),
          rtl: true,
        }),
      ),
    ).toBe('<div class="chart-tooltip-idle" dir="rtl" role="status"></div>');
    expect(
      renderToStaticMarkup(
        createElement(ChartTooltip, {
          active: true,
          label: 'no-such-day',
          byKey,
          measure: countMeasure('fa'),
          rtl: true,
        }),
      ),
    ).toBe('<div class="chart-tooltip-idle" dir="rtl" role="status"></div>');
  });
});
