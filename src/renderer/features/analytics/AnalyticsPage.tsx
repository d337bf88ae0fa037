import { useMemo, useState } from 'react';
import { addDays } from '../../../sync/model/dates.ts';
import { useTranslation } from 'react-i18next';
import { useTerminal } from '../../app/terminal-context.ts';
import { analyticsClientFor } from './analytics-client.ts';
import type { AnalyticsQuery } from './compute/schema.ts';
import { calendarOf, formatDateTime, formatDay, formatNumber, asLocale } from '../../lib/format.ts';
import { PERIOD_PRESETS, customPeriod, presetPeriod, todayIn, type PeriodPreset } from './periods.ts';
import { CustomerTables, Charts, Cohorts, Kpis, Loyalty } from './ui/Sections.tsx';
import { GroupPicker, GroupScope } from './ui/GroupScope.tsx';
import { useGroupMembers } from './useGroupMembers.ts';
import { useNow, useSettings } from '../../lib/hooks.ts';
import { useSnapshot } from './useAnalytics.ts';
import './analytics.css';

const LIST_LIMIT = 20;
/** Segments and churn risk are evaluated at a `now` that moves every five minutes, not on every render. */
const NOW_STEP_MS = 5 * 60_000;

/**
 * The manager's dashboard, computed on this device by the analytics worker from the local replica: period and
 * store pickers, KPI cards, charts and exportable tables, in English or Persian (calendar and digits follow
 * the language; days are the merchant's time zone). A saved group restricts every figure to its customers.
 */
export function AnalyticsPage() {
  const { t, i18n } = useTranslation('analytics');
  const locale = asLocale(i18n.language);
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const client = useMemo(() => analyticsClientFor(terminal.queries.replica, terminal.settings$), [terminal]);
  const [preset, setPreset] = useState<PeriodPreset>('last30');
  const [custom, setCustom] = useState({ first: '', last: '' });
  const [storeId, setStoreId] = useState<string | null>(null);
  const [groupId, setGroupId] = useState<string | null>(null);
  const now = useNow(NOW_STEP_MS);
  const nowMs = Math.floor(now / NOW_STEP_MS) * NOW_STEP_MS;
  const calendar = calendarOf(locale);
  // Persian month and year starts come from Intl day by day: computed once per day, zone, calendar and choice.
  const today = useMemo(() => todayIn(settings.timeZone, nowMs), [settings.timeZone, nowMs]);
  const period = useMemo(
    () => (preset === 'custom' ? customPeriod(custom.first, custom.last) : presetPeriod(preset, today, calendar)),
    [preset, custom.first, custom.last, today, calendar],
  );
  const { groups, group, members } = useGroupMembers(groupId);
  const query: AnalyticsQuery | null = period ? { ...period, storeId, now: new Date(nowMs).toISOString(), calendar, listLimit: LIST_LIMIT, group } : null;
  const { state, snapshot, error, settled, answeredAt } = useSnapshot(client, query, members);
  const lastDay = period ? formatDay(addDays(period.to, -1), locale) : '';

  return (
    <section className="analytics" data-testid="analytics-page" aria-labelledby="analytics-title">
      <h1 id="analytics-title">{t('title')}</h1>
      <form className="analytics-filters" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('period.label')}
          <select value={preset} onChange={(e) => setPreset(e.target.value as PeriodPreset)}>
            {PERIOD_PRESETS.map((p) => (
              <option key={p} value={p}>
                {t(`period.${p}`)}
              </option>
            ))}
          </select>
        </label>
        {preset === 'custom' && (
          <>
            <label>
              {t('period.from')}
              <input type="date" value={custom.first} onChange={(e) => setCustom({ ...custom, first: e.target.value })} />
            </label>
            <label>
              {t('period.to')}
              <input type="date" value={custom.last} onChange={(e) => setCustom({ ...custom, last: e.target.value })} />
            </label>
          </>
        )}
        <label>
          {t('store.label')}
          <select value={storeId ?? ''} onChange={(e) => setStoreId(e.target.value === '' ? null : e.target.value)}>
            <option value="">{t('store.all')}</option>
            {settings.stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <GroupPicker groups={groups} groupId={groupId} onChange={setGroupId} />
      </form>
      <GroupScope snapshot={snapshot} groups={groups} selecting={group !== null && members === null} />
      {period ? (
        <p className="hint" data-testid="analytics-period">
          {t('period.showing', { from: formatDay(period.from, locale), to: lastDay })}
        </p>
      ) : (
        <p role="alert">{t('period.invalid')}</p>
      )}
      {!settled && (
        <p role="status" data-testid="analytics-loading" data-kept={answeredAt !== null}>
          {answeredAt !== null
            ? t('updating', { when: formatDateTime(answeredAt, locale, settings.timeZone) })
            : t('loading', { customers: formatNumber(state.loaded.customers, locale), visits: formatNumber(state.loaded.visits, locale) })}
        </p>
      )}
      {(error ?? state.error) && <p role="alert">{t(`errors.${error ?? state.error}`, { defaultValue: t('errors.INTERNAL') })}</p>}
      {snapshot && query && (
        <div aria-busy={!state.ready}>
          <Kpis snapshot={snapshot} locale={locale} display={settings.currencyDisplay} loading={!settled && answeredAt === null} />
          <Charts snapshot={snapshot} locale={locale} display={settings.currencyDisplay} />
          <Cohorts snapshot={snapshot} locale={locale} display={settings.currencyDisplay} />
          <CustomerTables snapshot={snapshot} locale={locale} display={settings.currencyDisplay} client={client} query={query} />
          <Loyalty snapshot={snapshot} locale={locale} display={settings.currencyDisplay} />
        </div>
      )}
    </section>
  );
}
