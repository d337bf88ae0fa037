import type { BaseTickContentProps, TextAnchor } from 'recharts';
import { wrapLabel, type ChartDatum, type Measure } from './chart-data.ts';

// The pieces of a recharts chart that carry text, made to speak the UI language: axis labels that read right
// to left in Persian, and a tooltip styled by analytics.css (recharts' default tooltip has inline colours).

const MIRRORED: Record<TextAnchor, TextAnchor> = { start: 'end', end: 'start', middle: 'middle', inherit: 'inherit' };

/** The size of tick labels: analytics.css gives `.chart-tick` the same, in the page's font. */
const TICK_FONT_PX = 12;
let canvas: CanvasRenderingContext2D | null = null;

/**
 * The width in pixels of the widest of `labels` in the tick font. A canvas measures text without laying the
 * page out, so a value axis is sized before it is drawn (recharts' `width="auto"` draws the chart, measures
 * the drawn labels and draws it again).
 */
export function labelWidth(labels: readonly string[]): number {
  if (!canvas) {
    canvas = document.createElement('canvas').getContext('2d');
    if (!canvas) throw new Error('no 2D canvas to measure chart labels');
    canvas.font = `${TICK_FONT_PX}px ${getComputedStyle(document.documentElement).fontFamily}`;
  }
  const context = canvas;
  return Math.ceil(Math.max(0, ...labels.map((label) => context.measureText(label).width)));
}

/** Line height of wrapped labels, in em. */
const LINE_EM = 1.2;
/** Where the first line's baseline goes for recharts' vertical anchors (the label's top, middle or bottom at y). */
const FIRST_LINE_EM = {
  start: () => 0.71,
  middle: (lines: number) => 0.355 - ((lines - 1) * LINE_EM) / 2,
  end: (lines: number) => -(lines - 1) * LINE_EM,
};

/**
 * An axis label in the UI's direction. Recharts lays the plot out in SVG coordinates and picks the anchor for
 * left-to-right text: a label right of its axis starts at x. SVG measures `start` and `end` in the text's own
 * direction, so a right-to-left label keeps the same visual edge at x with the opposite anchor; without the
 * `direction`, "۱۲٫۵ هزار" would read as "هزار ۱۲٫۵". With `wrap`, a category label breaks into two lines
 * at most as wide as its bar's band (recharts gives the whole axis width), measured on a canvas: recharts'
 * own wrapping measures in the DOM, in the body's font size rather than the label's.
 */
export function AxisTick({ rtl, wrap = false, ...props }: BaseTickContentProps & { rtl: boolean; wrap?: boolean }) {
  const { payload, tickFormatter, index, x, y, width, verticalAnchor, textAnchor, className, visibleTicksCount } =
    props;
  const label = tickFormatter ? tickFormatter(payload.value, index) : String(payload.value);
  const band = Number(width) / Math.max(1, visibleTicksCount);
  const lines = wrap ? wrapLabel(label, band, 2, (text) => labelWidth([text])) : [label];
  return (
    <text
      x={x}
      y={y}
      textAnchor={rtl ? MIRRORED[textAnchor] : textAnchor}
      direction={rtl ? 'rtl' : 'ltr'}
      className={`${className ?? ''} chart-tick`}
    >
      {lines.map((line, i) => (
        <tspan key={i} x={x} dy={`${i === 0 ? FIRST_LINE_EM[verticalAnchor](lines.length) : LINE_EM}em`}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

/**
 * The tooltip: the point's name and exact value, in the UI language and direction. Always rendered (empty
 * while inactive) so its `status` region exists before it first speaks: keyboard users step through the
 * points with the arrow keys (recharts' accessibility layer) and hear each one.
 */
export function ChartTooltip({
  active,
  label,
  byKey,
  measure,
  rtl,
}: {
  active: boolean;
  label: string | number | undefined;
  byKey: ReadonlyMap<string, ChartDatum>;
  measure: Measure;
  rtl: boolean;
}) {
  const datum = active && label !== undefined ? byKey.get(String(label)) : undefined;
  return (
    <div className={datum ? 'chart-tooltip' : 'chart-tooltip-idle'} dir={rtl ? 'rtl' : 'ltr'} role="status">
      {datum && (
        <>
          <span className="chart-tooltip-label">{datum.label}</span>
          <span className="chart-tooltip-value">{measure.text(datum.value)}</span>
        </>
      )}
    </div>
  );
}
