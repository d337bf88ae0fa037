import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { selectCustomers, summarizeCustomers, type CustomerTotals } from '../../../../sync/model/customer-filter.ts';
import type { CustomerGroup } from '../../../../sync/model/customer-group.ts';
import { moneyUnit } from '../../../../sync/model/money.ts';
import { SEGMENTS } from '../../../../sync/model/segments.ts';
import { TIERS } from '../../../../sync/model/common.ts';
import type { Locale } from '../../../../sync/model/settings.ts';
import { useTerminal } from '../../../app/terminal-context.ts';
import { useSettings } from '../../../lib/hooks.ts';
import { formatAmount, formatNumber } from '../../../lib/format.ts';
import { useLive } from '../../../lib/useLive.ts';

// A saved group on the dashboard: the group's filter runs over the same per-customer statistics as the
// customers list (model/customer-filter.ts), and its customers are added up — all-time figures, as the
// statistics are; the period charts above stay merchant-wide (docs/directory.md §3).

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
export function GroupSection({ groupId, locale }: { groupId: string; locale: Locale }) {
  const { t } = useTranslation('analytics');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const groups = useLive(() => terminal.queries.customerGroups$(), [terminal], [] as CustomerGroup[]);
  const group = groups.find((g) => g.id === groupId) ?? null;
  const version = useLive(() => terminal.queries.stats.changes$, [terminal], 0);
  const [totals, setTotals] = useState<CustomerTotals | null>(null);
  useEffect(() => {
    if (!group) return;
    let live = true;
    void terminal.queries.stats.rows().then((rows) => live && setTotals(summarizeCustomers(selectCustomers(rows, group.filter, { key: 'name', dir: 'asc' }))));
    return () => {
      live = false;
    };
  }, [terminal, group, version]);
  if (!group || !totals) return null;
  const n = (value: number) => formatNumber(value, locale);
  const money = (minor: number) => formatAmount(minor, moneyUnit(settings), locale);
  const figures: [string, string][] = [
    ['customers', n(totals.customers)],
    ['visited', n(totals.visited)],
    ['visits', n(totals.visits)],
    ['spend', money(totals.spend)],
    ['averageSpend', money(totals.averageSpend)],
    ['outstandingPoints', n(totals.outstandingPoints)],
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
        {SEGMENTS.map((s) => `${t(`common:segment.${s}`)}: ${n(totals.segments[s])}`).join(' · ')}
        <br />
        {TIERS.map((tier) => `${t(`common:tier.${tier}`)}: ${n(totals.tiers[tier])}`).join(' · ')}
      </p>
    </section>
  );
}
