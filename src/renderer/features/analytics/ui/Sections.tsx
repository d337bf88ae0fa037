import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SEGMENTS, type Segment } from '../../../../sync/model/segments.ts';
import type { MoneyUnit } from '../../../../sync/model/money.ts';
import type { CurrencyDisplay, Locale } from '../../../../sync/model/settings.ts';
import type { AnalyticsClient } from '../analytics-client.ts';
import type { AnalyticsQuery, CustomerRow, Snapshot } from '../compute/schema.ts';
import { formatAmount, formatInstant, formatMonth, formatNumber, formatPercent } from '../../../lib/format.ts';
import { countMeasure, dailySeries, frequencySeries, loyaltySeries, moneyMeasure, ratingSeries, segmentSeries, tierSeries } from './chart-data.ts';
import { ChartFigure } from './Charts.tsx';
import { DataTable, type Column } from './DataTable.tsx';

// The dashboard's sections, each a heading, a chart or a table, and a CSV export.

interface SectionProps {
  snapshot: Snapshot;
  locale: Locale;
  /** How the merchant shows amounts (rial or toman for IRR). */
  display: CurrencyDisplay;
}

/** The shown unit of the snapshot's amounts. */
const unitOf = (snapshot: Snapshot, display: CurrencyDisplay): MoneyUnit => ({ currency: snapshot.currency, display });

/** KPI cards. */
export function Kpis({ snapshot, locale, display, loading = false }: SectionProps & { loading?: boolean }) {
  const { t } = useTranslation('analytics');
  const { kpis, loyalty } = snapshot;
  const currency = unitOf(snapshot, display);
  const cards: [string, string][] = [
    ['visits', formatNumber(kpis.visits, locale)],
    ['revenue', formatAmount(kpis.revenue, currency, locale)],
    ['averageTicket', formatAmount(kpis.averageTicket, currency, locale)],
    ['activeCustomers', formatNumber(kpis.activeCustomers, locale)],
    ['newCustomers', formatNumber(kpis.newCustomers, locale)],
    ['returningCustomers', formatNumber(kpis.returningCustomers, locale)],
    ['customers', formatNumber(kpis.customers, locale)],
    ['pointsOutstanding', formatNumber(loyalty.outstanding, locale)],
    ['liability', loyalty.liability === null ? t('notDefined') : formatAmount(loyalty.liability, currency, locale)],
  ];
  return (
    <section aria-labelledby="kpi-title">
      <h2 id="kpi-title">{t('kpis.title')}</h2>
      <dl className="kpis">
        {cards.map(([key, value]) => (
          <div key={key} className="kpi" data-testid={`kpi-${key}`} aria-busy={loading}>
            <dt>{t(`kpis.${key}`)}</dt>
            {/* While the data loads, a placeholder: a zero would read as a real figure. */}
            <dd className="kpi-value">{loading ? <span className="placeholder" data-testid="kpi-placeholder" /> : value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Revenue and visits per day, frequency, segments, tiers and ratings as charts, each with its data table. */
export function Charts({ snapshot: latest, locale, display }: SectionProps) {
  const { t } = useTranslation('analytics');
  // The charts are the heaviest part of the page to render: on a new snapshot they catch up after the
  // filters and figures, in a render React may interrupt, so the pickers stay responsive.
  const snapshot = useDeferredValue(latest);
  const count = useMemo(() => countMeasure(locale), [locale]);
  const money = useMemo(() => moneyMeasure(unitOf(snapshot, display), locale), [snapshot, display, locale]);
  const charts = useMemo(() => {
    const customers = t('charts.customers');
    const ratings = snapshot.feedback.average === null ? t('noRatings') : t('averageRating', { value: formatNumber(snapshot.feedback.average, locale, { maximumFractionDigits: 2 }), count: snapshot.feedback.count, n: formatNumber(snapshot.feedback.count, locale) });
    return [
      { id: 'revenue-per-day', kind: 'time', title: t('charts.revenueDaily'), data: dailySeries(snapshot, 'revenue', locale), measure: money, headers: [t('charts.day'), t('kpis.revenue')] },
      { id: 'visits-per-day', kind: 'time', title: t('charts.visitsDaily'), data: dailySeries(snapshot, 'visits', locale), measure: count, headers: [t('charts.day'), t('kpis.visits')] },
      { id: 'visit-frequency', kind: 'category', title: t('charts.frequency'), data: frequencySeries(snapshot, t), measure: count, headers: [t('col.periodVisits'), customers] },
      { id: 'segments', kind: 'category', title: t('charts.segments'), data: segmentSeries(snapshot, t), measure: count, headers: [t('col.segment'), customers] },
      { id: 'tiers', kind: 'category', title: t('charts.tiers'), data: tierSeries(snapshot, t), measure: count, headers: [t('col.tier'), customers] },
      { id: 'ratings', kind: 'category', title: `${t('charts.ratings')} — ${ratings}`, data: ratingSeries(snapshot, t, locale), measure: count, headers: [t('charts.rating'), t('charts.ratingCount')] },
    ] as const;
  }, [snapshot, locale, t, count, money]);
  return (
    <section aria-labelledby="charts-title" className="charts">
      <h2 id="charts-title">{t('charts.title')}</h2>
      {charts.map((c) => (
        <ChartFigure key={c.id} kind={c.kind} title={c.title} data={c.data} measure={c.measure} locale={locale} fileName={c.id} headers={c.headers} />
      ))}
    </section>
  );
}

/** Columns of customer lists. */
function customerColumns(t: (key: string) => string, locale: Locale, snapshot: Snapshot, display: CurrencyDisplay, keys: readonly (keyof CustomerRow)[]): Column<CustomerRow>[] {
  const money = (v: number) => formatAmount(v, unitOf(snapshot, display), locale);
  const all: Record<string, Column<CustomerRow>> = {
    name: { key: 'name', header: t('col.name'), cell: (r) => r.name || '—', csv: (r) => r.name },
    phone: { key: 'phone', header: t('col.phone'), cell: (r) => <bdi dir="ltr">{r.phone}</bdi>, csv: (r) => r.phone },
    visits: { key: 'visits', header: t('col.visits'), cell: (r) => formatNumber(r.visits, locale), csv: (r) => r.visits, numeric: true },
    spend: { key: 'spend', header: t('col.spend'), cell: (r) => money(r.spend), csv: (r) => r.spend, numeric: true },
    periodVisits: { key: 'periodVisits', header: t('col.periodVisits'), cell: (r) => formatNumber(r.periodVisits, locale), csv: (r) => r.periodVisits, numeric: true },
    periodSpend: { key: 'periodSpend', header: t('col.periodSpend'), cell: (r) => money(r.periodSpend), csv: (r) => r.periodSpend, numeric: true },
    lastVisitAt: { key: 'lastVisitAt', header: t('col.lastVisitAt'), cell: (r) => (r.lastVisitAt ? formatInstant(r.lastVisitAt, locale, snapshot.timeZone) : '—'), csv: (r) => r.lastVisitAt },
    segment: { key: 'segment', header: t('col.segment'), cell: (r) => t(`common:segment.${r.segment}`), csv: (r) => r.segment },
    churnRisk: { key: 'churnRisk', header: t('col.churnRisk'), cell: (r) => formatPercent(r.churnRisk, locale), csv: (r) => Math.round(r.churnRisk * 10_000) / 10_000, numeric: true },
    projectedClv: { key: 'projectedClv', header: t('col.projectedClv'), cell: (r) => money(r.projectedClv), csv: (r) => r.projectedClv, numeric: true },
    tier: { key: 'tier', header: t('col.tier'), cell: (r) => t(`tier.${r.tier}`), csv: (r) => r.tier },
    balance: { key: 'balance', header: t('col.balance'), cell: (r) => formatNumber(r.balance, locale), csv: (r) => r.balance, numeric: true },
  };
  return keys.map((k) => all[k]!);
}

/** Customer tables: top customers, CLV, churn risk, and segment drill-down. */
export function CustomerTables({ snapshot, locale, display, client, query }: SectionProps & { client: AnalyticsClient; query: AnalyticsQuery }) {
  const { t } = useTranslation('analytics');
  const [segment, setSegment] = useState<Segment>('vip');
  const cols = (keys: readonly (keyof CustomerRow)[]) => customerColumns(t, locale, snapshot, display, keys);
  const key = (r: CustomerRow) => r.id;
  return (
    <>
      <section aria-labelledby="segments-title">
        <h2 id="segments-title">{t('segments.title')}</h2>
        <div className="segment-picker" role="group" aria-label={t('segments.pick')}>
          {SEGMENTS.map((s) => (
            <button key={s} type="button" aria-pressed={s === segment} onClick={() => setSegment(s)}>
              {t(`common:segment.${s}`)} ({formatNumber(snapshot.segments[s], locale)})
            </button>
          ))}
        </div>
        <p className="hint">{t(`segmentHelp.${segment}`)}</p>
        <DataTable
          caption={t('segments.members', { segment: t(`common:segment.${segment}`) })}
          fileName={`segment-${segment}`}
          columns={cols(['name', 'phone', 'visits', 'spend', 'lastVisitAt', 'churnRisk', 'tier', 'balance'])}
          rows={snapshot.segmentMembers[segment]}
          rowKey={key}
          exportRows={() => client.members(query, { kind: 'segment', segment })}
        />
      </section>
      <section aria-labelledby="top-title">
        <h2 id="top-title">{t('top.title')}</h2>
        <DataTable caption={t('top.title')} fileName="top-customers" columns={cols(['name', 'phone', 'periodVisits', 'periodSpend', 'segment', 'tier'])} rows={snapshot.topCustomers} rowKey={key} exportRows={() => client.members(query, { kind: 'top' })} />
      </section>
      <section aria-labelledby="clv-title">
        <h2 id="clv-title">{t('clv.title')}</h2>
        <p className="hint">{t('clv.definition')}</p>
        <dl className="kpis">
          <div className="kpi"><dt>{t('clv.customers')}</dt><dd>{formatNumber(snapshot.clv.customers, locale)}</dd></div>
          <div className="kpi"><dt>{t('clv.average')}</dt><dd>{formatAmount(snapshot.clv.average, unitOf(snapshot, display), locale)}</dd></div>
          <div className="kpi"><dt>{t('clv.projectedAverage')}</dt><dd>{formatAmount(snapshot.clv.projectedAverage, unitOf(snapshot, display), locale)}</dd></div>
          <div className="kpi"><dt>{t('clv.total')}</dt><dd>{formatAmount(snapshot.clv.total, unitOf(snapshot, display), locale)}</dd></div>
        </dl>
        <DataTable caption={t('clv.top')} fileName="customer-lifetime-value" columns={cols(['name', 'phone', 'visits', 'spend', 'projectedClv', 'segment'])} rows={snapshot.clv.top} rowKey={key} exportRows={() => client.members(query, { kind: 'clv' })} />
      </section>
      <section aria-labelledby="churn-title">
        <h2 id="churn-title">{t('churn.title')}</h2>
        <p className="hint">{t('churn.definition')}</p>
        <DataTable caption={t('churn.title')} fileName="churn-risk" columns={cols(['name', 'phone', 'churnRisk', 'lastVisitAt', 'visits', 'spend', 'segment'])} rows={snapshot.churn} rowKey={key} exportRows={() => client.members(query, { kind: 'churn' })} />
      </section>
    </>
  );
}

/** Retention cohorts as a heat table. */
export function Cohorts({ snapshot, locale }: SectionProps) {
  const { t } = useTranslation('analytics');
  const offsets = snapshot.cohorts.length;
  const heat = (count: number, size: number) => `heat-${size === 0 ? 0 : Math.min(5, Math.ceil((count / size) * 5))}`;
  const rows = snapshot.cohorts;
  const columns: Column<Snapshot['cohorts'][number]>[] = [
    { key: 'month', header: t('cohorts.month'), cell: (c) => formatMonth(c.monthStart, locale), csv: (c) => c.monthStart },
    { key: 'size', header: t('cohorts.size'), cell: (c) => formatNumber(c.size, locale), csv: (c) => c.size, numeric: true },
    ...Array.from({ length: offsets }, (_, k): Column<Snapshot['cohorts'][number]> => ({
      key: `m${k}`,
      header: t('cohorts.offset', { n: formatNumber(k, locale) }),
      numeric: true,
      cell: (c) => (k < c.retained.length ? <span className={heat(c.retained[k]!, c.size)}>{c.size === 0 ? '—' : formatPercent(c.retained[k]! / c.size, locale)}</span> : ''),
      csv: (c) => (k < c.retained.length ? c.retained[k]! : null),
    })),
  ];
  return (
    <section aria-labelledby="cohorts-title">
      <h2 id="cohorts-title">{t('cohorts.title')}</h2>
      <p className="hint">{t('cohorts.definition')}</p>
      <DataTable caption={t('cohorts.title')} fileName="retention-cohorts" columns={columns} rows={rows} rowKey={(c) => c.monthStart} />
    </section>
  );
}

/** Points issued, redeemed, outstanding and the liability. */
export function Loyalty({ snapshot, locale, display }: SectionProps) {
  const { t } = useTranslation('analytics');
  const l = snapshot.loyalty;
  const rows: { key: string; value: number | null; money?: boolean }[] = [
    { key: 'issued', value: l.issued },
    { key: 'earned', value: l.earned },
    { key: 'adjustedUp', value: l.adjustedUp },
    { key: 'redeemed', value: l.redeemed },
    { key: 'expired', value: l.expired },
    { key: 'adjustedDown', value: l.adjustedDown },
    { key: 'reversed', value: l.reversed },
    { key: 'outstanding', value: l.outstanding },
    { key: 'overdrawn', value: l.overdrawn },
    { key: 'liability', value: l.liability, money: true },
  ];
  const count = useMemo(() => countMeasure(locale), [locale]);
  const flows = useMemo(() => loyaltySeries(snapshot, t), [snapshot, t]);
  const show = (r: (typeof rows)[number]) => (r.value === null ? t('notDefined') : r.money ? formatAmount(r.value, unitOf(snapshot, display), locale) : formatNumber(r.value, locale));
  return (
    <section aria-labelledby="loyalty-title">
      <h2 id="loyalty-title">{t('loyalty.title')}</h2>
      <ChartFigure kind="category" title={t('loyalty.chart')} data={flows} measure={count} locale={locale} fileName="points-moved" headers={[t('loyalty.what'), t('loyalty.change')]} />
      <p className="hint">{l.valuePerPoint === null ? t('loyalty.noValue') : t('loyalty.definition', { value: formatAmount(Math.round(l.valuePerPoint), unitOf(snapshot, display), locale) })}</p>
      <DataTable
        caption={t('loyalty.title')}
        fileName="loyalty-points"
        columns={[
          { key: 'what', header: t('loyalty.what'), cell: (r) => t(`loyalty.${r.key}`), csv: (r) => r.key },
          { key: 'value', header: t('loyalty.value'), cell: show, csv: (r) => r.value, numeric: true },
        ]}
        rows={rows}
        rowKey={(r) => r.key}
      />
    </section>
  );
}
