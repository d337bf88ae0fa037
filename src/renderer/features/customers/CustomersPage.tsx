import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isEmptyFilter, type CustomerSort, type CustomerStats } from '../../../sync/model/customer-filter.ts';
import { moneyUnit } from '../../../sync/model/money.ts';
import { TextField } from '../../components/Fields.tsx';
import { TierBadge } from '../../components/TierBadge.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings, useStaff } from '../../lib/hooks.ts';
import { formatAmount, formatDateTime, formatDay, formatNumber, formatPhoneNumber } from '../../lib/format.ts';
import { BulkBar } from './BulkBar.tsx';
import { FilterPanel } from './FilterPanel.tsx';
import { GroupsBar } from './GroupsBar.tsx';
import { initialView, rememberView, type ListView } from './list-state.ts';
import { useDirectory } from './useDirectory.ts';

const ROW_HEIGHT = 56;
type SortKey = CustomerSort['key'];
const COLUMNS: readonly { key: string; sort?: SortKey }[] = [
  { key: 'colName', sort: 'name' },
  { key: 'colPhone' },
  { key: 'colTier' },
  { key: 'colSegment' },
  { key: 'colStatus' },
  { key: 'colLastVisit', sort: 'lastVisit' },
  { key: 'colVisits', sort: 'visits' },
  { key: 'colSpend', sort: 'spend' },
  { key: 'colPoints', sort: 'points' },
  { key: 'colSignedUp', sort: 'signedUp' },
];

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Every customer with their statistics (docs/directory.md §3): search, a filter of any combination of
 * conditions, saved groups, a sort on any statistic, a selection for bulk actions and exports — over the
 * statistics derived once per change (useDirectory), in a virtualised list.
 */
export function CustomersPage() {
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const staff = useStaff(terminal);
  const locale = useLocale();
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';
  const [view, setView] = useState<ListView>(() => initialView(location.hash, sessionStore()));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const { rows, all } = useDirectory(view);
  useEffect(() => rememberView(view, sessionStore()), [view]);
  const update = (patch: Partial<ListView>) => setView((v) => ({ ...v, ...patch }));

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const sortBy = (key: SortKey) => update({ sort: { key, dir: view.sort.key === key && view.sort.dir === 'asc' ? 'desc' : 'asc' } });

  return (
    <div className="customers-page">
      <div className="page-head">
        <h1>{t('title')}</h1>
      </div>
      <div className="list-toolbar" role="search">
        <TextField
          label={t('search')}
          hint={t('searchHint')}
          type="search"
          autoComplete="off"
          value={view.search}
          onChange={(event) => update({ search: event.target.value })}
          onKeyDown={(event) => {
            if (event.key === 'Escape') update({ search: '' });
          }}
        />
        <GroupsBar filter={view.filter} groupId={view.groupId} canEdit={isManager} onApply={(group) => update(group ? { filter: group.filter, groupId: group.id } : { groupId: null })} />
      </div>
      <details className="filters" open={!isEmptyFilter(view.filter)}>
        <summary>{t('filter.legend')}</summary>
        <FilterPanel filter={view.filter} onChange={(filter) => update({ filter })} />
      </details>
      <BulkBar rows={rows} selected={selected} canTag={isManager} onSelectAll={() => setSelected(new Set(rows.map((r) => r.id)))} onClear={() => setSelected(new Set())} />
      <p className="list-status" role="status" aria-live="polite" data-testid="customers-count">
        {all === null ? t('common:loading') : t('countDone', { count: rows.length, n: formatNumber(rows.length, locale) })}
      </p>
      <div className="customer-table" role="table" aria-label={t('title')} aria-rowcount={rows.length + 1}>
        <div className="customer-row customer-row-head" role="row" aria-rowindex={1}>
          <span role="columnheader">
            <span className="visually-hidden">{t('bulk.selectRow')}</span>
          </span>
          {COLUMNS.map((column) => (
            <span role="columnheader" key={column.key} aria-sort={column.sort && view.sort.key === column.sort ? (view.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
              {column.sort ? (
                <button type="button" className="sort-button" onClick={() => sortBy(column.sort!)} data-testid={`sort-${column.sort}`}>
                  {t(column.key)}
                </button>
              ) : (
                t(column.key)
              )}
            </span>
          ))}
        </div>
        <div ref={scrollRef} className="customer-scroll" role="rowgroup">
          {all !== null && rows.length === 0 ? (
            <p className="list-empty" role="row">
              <span role="cell">{t('empty')}</span>
            </p>
          ) : null}
          <div className="customer-scroll-inner" style={{ blockSize: `${virtualizer.getTotalSize()}px` }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              return (
                <div
                  key={row.id}
                  className="customer-row"
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={selected.has(row.id)}
                  data-customer-id={row.id}
                  style={{ transform: `translateY(${item.start}px)`, blockSize: `${item.size}px` }}
                >
                  <CustomerRow row={row} checked={selected.has(row.id)} onToggle={() => toggle(row.id)} />
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

function CustomerRow({ row, checked, onToggle }: { row: CustomerStats; checked: boolean; onToggle(): void }) {
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const n = (value: number) => formatNumber(value, locale);
  return (
    <>
      <span role="cell">
        <input type="checkbox" checked={checked} onChange={onToggle} aria-label={t('bulk.selectCustomer', { name: row.name })} />
      </span>
      <span role="cell" className="cell-name">
        <a href={`#/counter/${row.id}`}>{row.name}</a>
        {row.tags.length > 0 ? (
          <span className="row-tags">
            {row.tags.map((tag) => (
              <bdi key={tag}>{tag}</bdi>
            ))}
          </span>
        ) : null}
      </span>
      <span role="cell">
        <bdi dir="ltr">{formatPhoneNumber(row.phone, locale, settings.defaultRegion)}</bdi>
      </span>
      <span role="cell">
        <TierBadge tier={row.tier} label={t(`common:tier.${row.tier}`)} />
      </span>
      <span role="cell">{t(`common:segment.${row.segment}`)}</span>
      <span role="cell">
        <span className={`badge badge-${row.status}`}>{t(`common:customerStatus.${row.status}`)}</span>
      </span>
      <span role="cell" className="muted">
        {row.lastVisitAt ? formatDateTime(row.lastVisitAt, locale, settings.timeZone) : t('never')}
      </span>
      <span role="cell">{n(row.visits)}</span>
      <span role="cell">{formatAmount(row.spend, moneyUnit(settings), locale)}</span>
      <span role="cell">{n(row.points)}</span>
      <span role="cell" className="muted">
        {formatDay(row.signedUpDay, locale)}
      </span>
    </>
  );
}
