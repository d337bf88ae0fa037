import { useEffect, useMemo, useState } from 'react';
import { selectCustomers, type CustomerStats } from '../../../sync/model/customer-filter.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings } from '../../lib/hooks.ts';
import { useLive } from '../../lib/useLive.ts';
import { useCustomerLookup } from '../counter/useCustomerLookup.ts';
import type { ListView } from './list-state.ts';

const SEARCH_LIMIT = 200;
/** A burst of replicated changes (a pull writes hundreds) is derived once, this long after the last one. */
const SETTLE_MS = 250;

/** The list's rows: every customer's statistics (derived once per change), searched, filtered and sorted. */
export function useDirectory(view: ListView): { rows: CustomerStats[]; all: readonly CustomerStats[] | null; searching: boolean } {
  const terminal = useTerminal();
  const stats = terminal.queries.stats;
  const settings = useSettings(terminal);
  const version = useLive(() => stats.changes$, [stats], 0);
  const [all, setAll] = useState<readonly CustomerStats[] | null>(null);
  const loaded = all !== null;
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => void stats.rows().then((rows) => live && setAll(rows)), loaded ? SETTLE_MS : 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [stats, version, settings, loaded]);

  const searching = view.search.trim() !== '';
  const { results } = useCustomerLookup(view.search, SEARCH_LIMIT);
  const rows = useMemo(() => {
    if (!all) return [];
    let base: readonly CustomerStats[] = all;
    if (searching) {
      const found = new Set(results.map((c) => c.id));
      base = all.filter((row) => found.has(row.id));
    }
    return selectCustomers(base, view.filter, view.sort);
  }, [all, searching, results, view.filter, view.sort]);
  return { rows, all, searching };
}
