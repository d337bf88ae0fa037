import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { selectCustomers, summarizeCustomers, type CustomerTotals } from '../../../../sync/model/customer-filter.ts';
import type { CustomerGroup } from '../../../../sync/model/customer-group.ts';
import { dayCache, mergeRoots, periodTotals, type PeriodTotals } from '../../../../sync/model/customer-stats.ts';
import { moneyUnit } from '../../../../sync/model/money.ts';
import { SEGMENTS } from '../../../../sync/model/segments.ts';
import { TIERS } from '../../../../sync/model/common.ts';
import type { Locale } from '../../../../sync/model/settings.ts';
import { useTerminal } from '../../../app/terminal-context.ts';
import { useSettings } from '../../../lib/hooks.ts';
import { formatAmount, formatNumber } from '../../../lib/format.ts';
import { useLive } from '../../../lib/useLive.ts';

// A saved group on the dashboard: the group's filter runs over the same per-customer statistics as the
// customers list (model/customer-filter.ts); its customers' visits in the chosen period are added up, and so
// are their all-time statistics. The worker's charts and tables stay merchant-wide (docs/directory.md §3).

/** The group picker. */
export function GroupPicker({ groupId, onChange }: { groupId: string | null; onChange(id: string | null): void }) {
  const { t } = useTranslation('analytics');
  const terminal = useTerminal();
  const groups = useLive(() => terminal.queries.customerGroups$(), [terminal], [] as CustomerGroup[]);
  return (
    <label>
      {t('group.label')}
      <select value={groupId ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} data-testid="analytics-group">
        <option value="">{t('group.all')}</option>
        {groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The totals of the chosen group. */
export function GroupSection({ groupId, locale, period }: { groupId: string; locale: Locale; period: { from: string; to: string } | null }) {
  const { t } = useTranslation('analytics');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const groups = useLive(() => terminal.queries.customerGroups$(), [terminal], [] as CustomerGroup[]);
  const group = groups.find((g) => g.id === groupId) ?? null;
  const version = useLive(() => terminal.queries.stats.changes$, [terminal], 0);
  const [totals, setTotals] = useState<{ all: CustomerTotals; period: PeriodTotals | null } | null>(null);
  const from = period?.from ?? null;
  const to = period?.to ?? null;
  useEffect(() => {
    if (!group) return;
    let live = true;
    const stats = terminal.queries.stats;
    void Promise.all([stats.rows(), stats.sources()]).then(([rows, sources]) => {
      const members = selectCustomers(rows, group.filter, { key: 'name', dir: 'asc' });
      const inPeriod =
        from === null || to === null
          ? null
          : periodTotals(sources.visits, new Set(members.map((m) => m.id)), mergeRoots(sources.customers).rootOf, { from, to }, dayCache(settings.timeZone));
      if (live) setTotals({ all: summarizeCustomers(members), period: inPeriod });
    });
    return () => {
      live = false;
    };
  }, [terminal, group, version, from, to, settings.timeZone]);
  if (!group || !totals) return null;
  const n = (value: number) => formatNumber(value, locale);
  const money = (minor: number) => formatAmount(minor, moneyUnit(settings), locale);
  const { all, period: inPeriod } = totals;
  const figures: [string, string][] = [
    ...(inPeriod
      ? ([
          ['periodVisits', n(inPeriod.visits)],
          ['periodRevenue', money(inPeriod.revenue)],
          ['periodAverageTicket', money(inPeriod.averageTicket)],
          ['periodActive', n(inPeriod.activeCustomers)],
        ] as [string, string][])
      : []),
    ['customers', n(all.customers)],
    ['visited', n(all.visited)],
    ['visits', n(all.visits)],
    ['spend', money(all.spend)],
    ['averageSpend', money(all.averageSpend)],
    ['outstandingPoints', n(all.outstandingPoints)],
  ];
  return (
    <section className="analytics-group" aria-labelledby="analytics-group-title" data-testid="analytics-group-section">
      <h2 id="analytics-group-title">{t('group.title', { name: group.name })}</h2>
      <p className="hint">{t('group.hint')}</p>
      <dl className="kpis">
        {figures.map(([key, value]) => (
          <div key={key} data-testid={`group-${key}`}>
            <dt>{t(`group.${key}`)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p>
        {SEGMENTS.map((s) => `${t(`common:segment.${s}`)}: ${n(all.segments[s])}`).join(' · ')}
        <br />
        {TIERS.map((tier) => `${t(`common:tier.${tier}`)}: ${n(all.tiers[tier])}`).join(' · ')}
      </p>
    </section>
  );
}
