import { TagChips } from '../../components/TagChip.tsx';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerSort, CustomerStats } from '../../../sync/model/customer-filter.ts';
import { moneyUnit } from '../../../sync/model/money.ts';
import { TierBadge } from '../../components/TierBadge.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { formatAmount, formatDateTime, formatDay, formatNumber, formatPhoneNumber } from '../../lib/format.ts';

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

/** The customers list's table: sortable headers, a checkbox per row, only the rows on screen rendered. */
export function CustomerTable(props: {
  rows: readonly CustomerStats[];
  loaded: boolean;
  sort: CustomerSort;
  onSort(key: SortKey): void;
  selected: ReadonlySet<string>;
  onToggle(id: string): void;
}) {
  const { rows, loaded, sort, onSort, selected, onToggle } = props;
  const { t } = useTranslation('customers');
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  return (
    <div className="customer-table" role="table" aria-label={t('title')} aria-rowcount={rows.length + 1}>
      <div className="customer-row customer-row-head" role="row" aria-rowindex={1}>
        <span role="columnheader">
          <span className="visually-hidden">{t('bulk.selectRow')}</span>
        </span>
        {COLUMNS.map((column) => (
          <span role="columnheader" key={column.key} aria-sort={column.sort && sort.key === column.sort ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
            {column.sort ? (
              <button type="button" className="sort-button" onClick={() => onSort(column.sort!)} data-testid={`sort-${column.sort}`}>
                {t(column.key)}
              </button>
            ) : (
              t(column.key)
            )}
          </span>
        ))}
      </div>
      <div ref={scrollRef} className="customer-scroll" role="rowgroup">
        {loaded && rows.length === 0 ? (
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
                <CustomerRow row={row} checked={selected.has(row.id)} onToggle={() => onToggle(row.id)} />
              </div>
            );
          })}
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
        <TagChips tags={row.tags} catalogue={settings.tagCatalogue} />
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
      {/* All-time visits; the part from before Patron is named, as on the card. */}
      <span role="cell" data-testid="row-visits" title={row.priorVisits > 0 ? t('priorVisitsTitle', { n: n(row.priorVisits) }) : undefined}>
        {n(row.visits)}
        {row.priorVisits > 0 ? <span className="muted"> {t('priorVisitsShort', { n: n(row.priorVisits) })}</span> : null}
      </span>
      <span role="cell">{formatAmount(row.spend, moneyUnit(settings), locale)}</span>
      <span role="cell">{n(row.points)}</span>
      <span role="cell" className="muted">
        {formatDay(row.signedUpDay, locale)}
      </span>
    </>
  );
}
