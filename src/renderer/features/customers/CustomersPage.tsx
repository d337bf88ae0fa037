import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isEmptyFilter, type CustomerSort } from '../../../sync/model/customer-filter.ts';
import { TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useStaff } from '../../lib/hooks.ts';
import { formatNumber } from '../../lib/format.ts';
import { BulkBar } from './BulkBar.tsx';
import { CustomerTable } from './CustomerTable.tsx';
import { FilterPanel } from './FilterPanel.tsx';
import { GroupsBar } from './GroupsBar.tsx';
import { initialView, rememberView, type ListView } from './list-state.ts';
import { useDirectory } from './useDirectory.ts';

type SortKey = CustomerSort['key'];

const ImportPanel = lazy(() => import('../import/ImportPanel.tsx').then((m) => ({ default: m.ImportPanel })));

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * The customers list, or a manager's import in its place. The list is unmounted while the import runs: its
 * statistics would otherwise be derived again over every customer after each written batch (useDirectory),
 * for a list nobody sees.
 */
export function CustomersPage() {
  const { t } = useTranslation('customers');
  const [importing, setImporting] = useState(false);
  if (importing) {
    return (
      <Suspense fallback={<p role="status">{t('common:loading')}</p>}>
        <ImportPanel onClose={() => setImporting(false)} />
      </Suspense>
    );
  }
  return <CustomerList onImport={() => setImporting(true)} />;
}

/**
 * Every customer with their statistics (docs/directory.md §3): search, a filter of any combination of
 * conditions, saved groups, a sort on any statistic, a selection for bulk actions and exports — over the
 * statistics derived once per change (useDirectory), in a virtualised list.
 */
function CustomerList({ onImport }: { onImport(): void }) {
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const staff = useStaff(terminal);
  const locale = useLocale();
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';
  const [view, setView] = useState<ListView>(() => initialView(location.hash, sessionStore()));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Open at first when the view has a filter; afterwards only the user opens and closes it.
  const [filtersOpen] = useState(() => !isEmptyFilter(view.filter));
  const { rows, all } = useDirectory(view);
  useEffect(() => rememberView(view, sessionStore()), [view]);
  const update = (patch: Partial<ListView>) => setView((v) => ({ ...v, ...patch }));

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
        {isManager ? (
          <button type="button" data-testid="open-import" onClick={onImport}>
            {t('import')}
          </button>
        ) : null}
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
      <details className="filters" open={filtersOpen}>
        <summary>{t('filter.legend')}</summary>
        <FilterPanel filter={view.filter} onChange={(filter) => update({ filter })} />
      </details>
      <BulkBar rows={rows} selected={selected} canTag={isManager} onSelectAll={() => setSelected(new Set(rows.map((r) => r.id)))} onClear={() => setSelected(new Set())} />
      <p className="list-status" role="status" aria-live="polite" data-testid="customers-count">
        {all === null ? t('common:loading') : t('countDone', { count: rows.length, n: formatNumber(rows.length, locale) })}
      </p>
      <CustomerTable rows={rows} loaded={all !== null} sort={view.sort} onSort={sortBy} selected={selected} onToggle={toggle} />
    </div>
  );
}
