import { useId } from 'react';

// Small SVG charts, accessible and CSP-clean: no inline styles (colours come from analytics.css classes),
// each chart an image with a text alternative that lists its data, every bar with its own tooltip title.
// Stand-ins until a maintained chart library is added (see the closing note: recharts).

/** One bar or point. */
export interface Datum {
  label: string;
  value: number;
}

const W = 600;
const H = 220;
const PAD = { top: 12, bottom: 36, side: 8 };

/** Vertical bars with their labels underneath. */
export function BarChart({ title, data, format }: { title: string; data: readonly Datum[]; format: (value: number) => string }) {
  const id = useId();
  const max = Math.max(1, ...data.map((d) => d.value));
  const slot = (W - PAD.side * 2) / Math.max(1, data.length);
  const bar = Math.max(2, slot * 0.7);
  const summary = data.map((d) => `${d.label}: ${format(d.value)}`).join('، ');
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={id} aria-describedby={`${id}-d`} preserveAspectRatio="xMidYMid meet">
        <desc id={`${id}-d`}>{summary}</desc>
        <line className="chart-axis" x1={PAD.side} x2={W - PAD.side} y1={H - PAD.bottom} y2={H - PAD.bottom} />
        {data.map((d, i) => {
          const h = ((H - PAD.top - PAD.bottom) * d.value) / max;
          const x = PAD.side + i * slot + (slot - bar) / 2;
          return (
            <g key={d.label}>
              <rect className="chart-bar" x={x} y={H - PAD.bottom - h} width={bar} height={Math.max(0, h)}>
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {data.length <= 16 && (
                <>
                  <text className="chart-value" x={x + bar / 2} y={H - PAD.bottom - h - 3} textAnchor="middle">{format(d.value)}</text>
                  <text className="chart-label" x={x + bar / 2} y={H - PAD.bottom + 16} textAnchor="middle">{d.label}</text>
                </>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** A time series as a line over an area, first/middle/last dates labelled. */
export function LineChart({ title, data, format }: { title: string; data: readonly Datum[]; format: (value: number) => string }) {
  const id = useId();
  const max = Math.max(1, ...data.map((d) => d.value));
  const n = data.length;
  const x = (i: number) => PAD.side + (n <= 1 ? 0 : (i * (W - PAD.side * 2)) / (n - 1));
  const y = (v: number) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / max;
  const points = data.map((d, i) => `${x(i).toFixed(1)},${y(d.value).toFixed(1)}`).join(' ');
  const area = n > 0 ? `${x(0)},${H - PAD.bottom} ${points} ${x(n - 1)},${H - PAD.bottom}` : '';
  const labelled = n > 0 ? [...new Set([0, Math.floor((n - 1) / 2), n - 1])] : [];
  const total = data.reduce((sum, d) => sum + d.value, 0);
  const peak = data.reduce<Datum | null>((best, d) => (best === null || d.value > best.value ? d : best), null);
  return (
    <figure className="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={id} aria-describedby={`${id}-d`} preserveAspectRatio="xMidYMid meet">
        <desc id={`${id}-d`}>{`${format(total)}${peak ? ` — ${peak.label}: ${format(peak.value)}` : ''}`}</desc>
        <line className="chart-axis" x1={PAD.side} x2={W - PAD.side} y1={H - PAD.bottom} y2={H - PAD.bottom} />
        {n > 0 && <polygon className="chart-area" points={area} />}
        {n > 0 && <polyline className="chart-line" points={points} />}
        {data.map((d, i) => (
          <circle key={d.label} className="chart-point" cx={x(i)} cy={y(d.value)} r={n > 60 ? 1.5 : 3}>
            <title>{`${d.label}: ${format(d.value)}`}</title>
          </circle>
        ))}
        {labelled.map((i) => (
          <text key={i} className="chart-label" x={x(i)} y={H - PAD.bottom + 16} textAnchor={i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}>
            {data[i]!.label}
          </text>
        ))}
      </svg>
    </figure>
  );
}
