import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS } from '../../../sync/model/common.ts';
import { SEGMENTS } from '../../../sync/model/segments.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { TagChips } from '../../components/TagChip.tsx';
import { TierBadge } from '../../components/TierBadge.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLive } from '../../lib/useLive.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { formatDateTime, formatNumber, formatPhoneNumber } from '../../lib/format.ts';
import { useCustomerLookup } from '../counter/useCustomerLookup.ts';
import type { Customer } from '../../../sync/model/customer.ts';
import {
  NO_FILTERS,
  passesDocument,
  passesFacts,
  needsFacts,
  type ListFilters,
  type ListState,
  type RowFacts,
} from '../../../sync/client/queries/customer-list.ts';

const ROW_HEIGHT = 56;
const SEARCH_LIMIT = 200;

/**
 * Every customer, smooth at 100k: a virtualised list read in name order a chunk at a time (list-source.ts),
 * the counter's index-backed search, and filters by status, segment and tier. Segment and tier are derived
 * per customer, so they are computed for the rows on screen (and for rows a filter reads), never for all.
 */
export function CustomersPage() {
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const locale = useLocale();
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<ListFilters>(NO_FILTERS);
  const searching = search.trim() !== '';
  const browse = useBrowseList(filters, !searching);
  const found = useSearchList(search, filters);
  const state: ListState = searching ? found : browse.state;
  const rows = state.rows;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (state.done || state.paused ? 0 : 1),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  // Read more as the end comes into view (one screen ahead).
  useEffect(() => {
    if (!searching && !state.done && !state.loading && !state.paused && lastIndex >= rows.length - 20)
      void browse.fill(rows.length + 60);
  }, [searching, state.done, state.loading, state.paused, lastIndex, rows.length, browse]);

  // Facts (tier, segment, last visit) for the rows on screen only.
  const cache = terminal.queries.facts;
  const factsVersion = useLive(() => cache.changes$, [cache], 0);
  const visibleKey = items.map((item) => rows[item.index]?.id ?? '').join(' ');
  useEffect(() => {
    const timer = setTimeout(() => {
      for (const id of visibleKey.split(' ')) if (id) void cache.load({ id }).catch(() => {});
    }, 60);
    return () => clearTimeout(timer);
  }, [visibleKey, cache]);

  const setFilter = (patch: Partial<ListFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const all = t('filterAll');

  return (
    <div className="customers-page">
      <h1>{t('title')}</h1>
      <div className="list-toolbar" role="search">
        <TextField
          label={t('search')}
          hint={t('searchHint')}
          type="search"
          autoComplete="off"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setSearch('');
          }}
        />
        <SelectField
          label={t('status')}
          value={filters.status}
          options={[
            { value: 'all', label: all },
            ...(['active', 'inactive', 'blocked'] as const).map((s) => ({
              value: s,
              label: t(`common:customerStatus.${s}`),
            })),
          ]}
          onChange={(event) => setFilter({ status: event.target.value as ListFilters['status'] })}
        />
        <SelectField
          label={t('segment')}
          value={filters.segment}
          options={[
            { value: 'all', label: all },
            ...SEGMENTS.map((s) => ({ value: s, label: t(`common:segment.${s}`) })),
          ]}
          onChange={(event) => setFilter({ segment: event.target.value as ListFilters['segment'] })}
        />
        <SelectField
          label={t('tier')}
          value={filters.tier}
          options={[
            { value: 'all', label: all },
            ...TIERS.map((tier) => ({ value: tier, label: t(`common:tier.${tier}`) })),
          ]}
          onChange={(event) => setFilter({ tier: event.target.value as ListFilters['tier'] })}
        />
      </div>
      <p className="list-status" role="status" aria-live="polite" data-testid="customers-count">
        {state.done
          ? t('countDone', { count: rows.length, n: formatNumber(rows.length, locale) })
          : t('countSoFar', {
              count: rows.length,
              n: formatNumber(rows.length, locale),
              scanned: formatNumber(state.scanned, locale),
            })}
      </p>
      {state.paused ? (
        <p className="notice">
          {t('paused', { scanned: formatNumber(state.scanned, locale) })}
          <button type="button" onClick={() => void browse.fill(rows.length + 60)}>
            {t('continue')}
          </button>
        </p>
      ) : null}
      <div
        className="customer-table"
        role="table"
        aria-label={t('title')}
        aria-rowcount={state.done ? rows.length + 1 : -1}
      >
        <div className="customer-row customer-row-head" role="row" aria-rowindex={1}>
          <span role="columnheader">{t('colName')}</span>
          <span role="columnheader">{t('colPhone')}</span>
          <span role="columnheader">{t('colTier')}</span>
          <span role="columnheader">{t('colSegment')}</span>
          <span role="columnheader">{t('colStatus')}</span>
          <span role="columnheader">{t('colLastVisit')}</span>
        </div>
        <div ref={scrollRef} className="customer-scroll" role="rowgroup" data-facts={factsVersion}>
          {state.done && rows.length === 0 ? (
            <p className="list-empty" role="row">
              <span role="cell">{t('empty')}</span>
            </p>
          ) : null}
          <div className="customer-scroll-inner" style={{ blockSize: `${virtualizer.getTotalSize()}px` }}>
            {items.map((item) => {
              const customer = rows[item.index];
              return (
                <div
                  key={item.key}
                  className="customer-row"
                  role="row"
                  aria-rowindex={item.index + 2}
                  data-index={item.index}
                  style={{ transform: `translateY(${item.start}px)`, blockSize: `${item.size}px` }}
                >
                  {customer ? (
                    <CustomerRow customer={customer} facts={cache.get(customer.id)} />
                  ) : (
                    <span role="cell" className="muted">
                      {t('common:loading')}
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

function CustomerRow({ customer, facts }: { customer: Customer; facts: RowFacts | undefined }) {
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  return (
    <>
      <span role="cell" className="cell-name">
        <a href={`#/counter/${customer.id}`}>{customer.name}</a>
        <TagChips tags={customer.tags} catalogue={settings.tagCatalogue} />
      </span>
      <span role="cell">
        <bdi dir="ltr">{formatPhoneNumber(customer.phone, locale, settings.defaultRegion)}</bdi>
      </span>
      <span role="cell">
        {facts ? (
          <TierBadge tier={facts.tier} label={t(`common:tier.${facts.tier}`)} />
        ) : (
          <span className="tier tier-pending" />
        )}
      </span>
      <span role="cell">{facts ? t(`common:segment.${facts.segment}`) : ''}</span>
      <span role="cell">
        <span className={`badge badge-${customer.status}`}>{t(`common:customerStatus.${customer.status}`)}</span>
      </span>
      <span role="cell" className="muted">
        {facts?.lastVisitAt ? formatDateTime(facts.lastVisitAt, locale, settings.timeZone) : facts ? t('never') : ''}
      </span>
    </>
  );
}

/** The browsing list (no search text): name order, read as the user scrolls; restarted when filters change. */
function useBrowseList(
  filters: ListFilters,
  active: boolean,
): { state: ListState; fill(target: number): Promise<void> } {
  const terminal = useTerminal();
  const list = useMemo(() => (active ? terminal.queries.customerList(filters) : null), [terminal, filters, active]);
  useEffect(() => {
    if (!list) return;
    void list.fill(60);
    return () => list.stop();
  }, [list]);
  const state = useLive(() => list?.state$ ?? null, [list], EMPTY);
  return useMemo(() => ({ state, fill: (target: number) => list?.fill(target) ?? Promise.resolve() }), [state, list]);
}

const EMPTY: ListState = { rows: [], scanned: 0, done: false, loading: true, paused: false };

/** The search list: the counter's lookup (index-backed, up to 200 results), then the filters. */
function useSearchList(search: string, filters: ListFilters): ListState {
  const terminal = useTerminal();
  const cache = terminal.queries.facts;
  const { results: customers, pending } = useCustomerLookup(search, SEARCH_LIMIT);
  const [state, setState] = useState<ListState>(EMPTY);
  useEffect(() => {
    let live = true;
    const candidates = customers.filter((c) => passesDocument(c, filters));
    if (!needsFacts(filters)) {
      setState({ rows: candidates, scanned: customers.length, done: !pending, loading: pending, paused: false });
      return;
    }
    setState({ rows: [], scanned: 0, done: false, loading: true, paused: false });
    void Promise.all(candidates.map((c) => cache.load(c))).then((facts) => {
      if (live)
        setState({
          rows: candidates.filter((_, i) => passesFacts(facts[i]!, filters)),
          scanned: customers.length,
          done: !pending,
          loading: false,
          paused: false,
        });
    });
    return () => {
      live = false;
    };
  }, [customers, pending, filters, cache]);
  return state;
}
