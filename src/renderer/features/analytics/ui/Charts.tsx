import { memo, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Rectangle,
  Tooltip,
  XAxis,
  YAxis,
  type BarShapeProps,
} from 'recharts';
import type { Locale } from '../../../../sync/model/settings.ts';
import {
  categorySummary,
  niceTicks,
  sameSeries,
  seriesSummary,
  tickInterval,
  type ChartDatum,
  type Measure,
} from './chart-data.ts';
import { AxisTick, ChartTooltip, labelWidth } from './chart-parts.tsx';
import { DataTable } from './DataTable.tsx';

// The dashboard's charts, drawn by recharts. CSP (style-src 'self'): recharts sets only `style` properties
// through React (CSSOM, allowed), never a style attribute or element; colours come from analytics.css
// through classes and `currentColor`. Accessibility: each chart is named by its caption, described by a
// one-sentence summary, keyboard-navigable (recharts' accessibility layer: Tab, then the arrow keys), and
// its data is a table with a CSV export next to it. In Persian the plot is mirrored: time runs right to left
// and the value axis stands on the right.
//
// Cost: snapshots arrive every few hundred milliseconds while visits sync, and recharts redraws a chart in
// several synchronous passes. So animation is off (re-animating a year of days each time would cost frames
// and distract), axes get fixed sizes (no measure-and-redraw pass), and a chart whose data did not change
// is not drawn again.

/** Labels on a time axis, whatever the period's length. */
const TIME_LABELS = 6;
/** Steps on a value axis. */
const VALUE_STEPS = 4;
/** Room beside value labels: recharts' tick line (6 px) and margin (2 px), and a little air. */
const VALUE_AXIS_GAP = 12;
/** A category axis: two lines of 12 px labels under a 6 px tick. */
const CATEGORY_AXIS_HEIGHT = 40;

interface PlotProps {
  data: readonly ChartDatum[];
  measure: Measure;
  locale: Locale;
  /** The id of the caption naming the chart. */
  labelledBy: string;
}

/** Rows recharts draws, labels by key, and the value axis: round ticks covering the data and its width. */
function usePlot(data: readonly ChartDatum[], measure: Measure) {
  return useMemo(() => {
    const byKey = new Map(data.map((d) => [d.key, d]));
    const rows = data.map((d) => ({ key: d.key, plot: measure.plot(d.value), tone: d.tone ?? 'in' }));
    const ticks = niceTicks(
      rows.map((r) => r.plot),
      VALUE_STEPS,
      measure.integer,
    );
    const width = labelWidth(ticks.map((v) => measure.axis(v))) + VALUE_AXIS_GAP;
    const tick = (key: unknown) => byKey.get(String(key))?.tick ?? '';
    return { byKey, rows, tick, value: { ticks, width } };
  }, [data, measure]);
}

/** A series over the days of the period, as an area. */
export function TimeSeriesPlot({ data, measure, locale, labelledBy }: PlotProps) {
  const { t } = useTranslation('analytics');
  const { byKey, rows, tick, value } = usePlot(data, measure);
  const rtl = locale === 'fa';
  return (
    <AreaChart
      className="chart-plot"
      responsive
      data={rows}
      margin={{ top: 8, right: 12, bottom: 4, left: 12 }}
      aria-labelledby={labelledBy}
      desc={seriesSummary(data, measure, t)}
    >
      <CartesianGrid vertical={false} />
      <XAxis
        dataKey="key"
        reversed={rtl}
        padding={{ left: 16, right: 16 }}
        interval={tickInterval(rows.length, TIME_LABELS)}
        tickFormatter={tick}
        tick={(p) => <AxisTick {...p} rtl={rtl} />}
      />
      <YAxis
        orientation={rtl ? 'right' : 'left'}
        width={value.width}
        ticks={value.ticks}
        domain={[value.ticks[0]!, value.ticks.at(-1)!]}
        interval={0}
        tickFormatter={(v: number) => measure.axis(v)}
        tick={(p) => <AxisTick {...p} rtl={rtl} />}
      />
      <Tooltip
        isAnimationActive={false}
        content={(p) => <ChartTooltip active={p.active} label={p.label} byKey={byKey} measure={measure} rtl={rtl} />}
      />
      <Area
        dataKey="plot"
        type="linear"
        stroke="currentColor"
        fill="currentColor"
        fillOpacity={0.15}
        strokeWidth={2}
        dot={false}
        isAnimationActive={false}
      />
    </AreaChart>
  );
}

/** One bar per category, every category labelled (labels wrap within their bar's width). */
export function CategoryPlot({ data, measure, locale, labelledBy }: PlotProps) {
  const { byKey, rows, tick, value } = usePlot(data, measure);
  const rtl = locale === 'fa';
  return (
    <BarChart
      className="chart-plot"
      responsive
      data={rows}
      margin={{ top: 8, right: 12, bottom: 4, left: 12 }}
      aria-labelledby={labelledBy}
      desc={categorySummary(data, measure, locale)}
    >
      <CartesianGrid vertical={false} />
      <XAxis
        dataKey="key"
        reversed={rtl}
        interval={0}
        height={CATEGORY_AXIS_HEIGHT}
        tickFormatter={tick}
        tick={(p) => <AxisTick {...p} rtl={rtl} wrap />}
      />
      <YAxis
        orientation={rtl ? 'right' : 'left'}
        width={value.width}
        ticks={value.ticks}
        domain={[value.ticks[0]!, value.ticks.at(-1)!]}
        interval={0}
        tickFormatter={(v: number) => measure.axis(v)}
        tick={(p) => <AxisTick {...p} rtl={rtl} />}
      />
      <Tooltip
        isAnimationActive={false}
        content={(p) => <ChartTooltip active={p.active} label={p.label} byKey={byKey} measure={measure} rtl={rtl} />}
      />
      <Bar
        dataKey="plot"
        fill="currentColor"
        isAnimationActive={false}
        shape={(p: BarShapeProps) => (
          <Rectangle {...p} className={`chart-tone-${(p.payload as { tone: string }).tone}`} />
        )}
      />
    </BarChart>
  );
}

interface FigureProps {
  kind: 'time' | 'category';
  title: string;
  data: readonly ChartDatum[];
  measure: Measure;
  locale: Locale;
  /** The data table's CSV file name and its two column headers (what the keys are, what the values are). */
  fileName: string;
  headers: readonly [string, string];
}

/** A captioned chart with its data table. Drawn again only when what it shows changed. */
export const ChartFigure = memo(
  function ChartFigure({ kind, title, data, measure, locale, fileName, headers }: FigureProps) {
    const captionId = useId();
    const plot = { data, measure, locale, labelledBy: captionId };
    return (
      <figure className="chart" data-chart={kind}>
        <figcaption id={captionId}>{title}</figcaption>
        {kind === 'time' ? <TimeSeriesPlot {...plot} /> : <CategoryPlot {...plot} />}
        <ChartData title={title} fileName={fileName} data={data} measure={measure} headers={headers} />
      </figure>
    );
  },
  (a, b) =>
    a.kind === b.kind &&
    a.title === b.title &&
    a.measure === b.measure &&
    a.locale === b.locale &&
    a.fileName === b.fileName &&
    a.headers[0] === b.headers[0] &&
    a.headers[1] === b.headers[1] &&
    sameSeries(a.data, b.data),
);

/**
 * A chart's data as a table with a CSV export, behind a disclosure: a year of days is 365 rows, rendered
 * only once opened. The CSV has the stable keys (ISO days, segment names) and raw values (minor units).
 */
function ChartData({ title, fileName, data, measure, headers }: Omit<FigureProps, 'kind' | 'locale'>) {
  const { t } = useTranslation('analytics');
  const [open, setOpen] = useState(false);
  return (
    <details className="chart-data" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('charts.showData')}</summary>
      {open && (
        <DataTable
          caption={title}
          fileName={fileName}
          rows={data}
          rowKey={(d) => d.key}
          columns={[
            { key: 'key', header: headers[0], cell: (d) => d.label, csv: (d) => d.key },
            {
              key: 'value',
              header: headers[1],
              cell: (d) => measure.text(d.value),
              csv: (d) => d.value,
              numeric: true,
            },
          ]}
        />
      )}
    </details>
  );
}
