import { useEffect, useMemo, useState } from 'react';
import type { PatronDatabase } from '../../../sync/client/database.ts';
import { rangeFor } from '../../../sync/model/phone.ts';
import { useCustomerLookup, useSubject, useTerminal } from '../../db/hooks.ts';
import { useLive } from '../../lib/hooks.ts';
import { mergeResults, resolveRoots, suffixAlsoFor, type LocalCustomer } from './lookup.ts';

/** Customers whose number ends with `digits`, through the reversed-phone index (a range, limited). */
async function bySuffix(db: PatronDatabase, digits: string, limit: number): Promise<LocalCustomer[]> {
  const key = [...digits].reverse().join('');
  const docs = await db.customers
    .find({ selector: { phoneReversed: rangeFor(key) }, sort: [{ phoneReversed: 'asc' }], limit })
    .exec();
  return docs.map((d) => d.toJSON() as LocalCustomer);
}

/**
 * "Last four?" digits that start with 0 (…0053) read as a national or international prefix to phoneQuery,
 * so the answer to the cashier's usual question would be empty. For up to six typed digits starting with 0,
 * the last-digits range is read too and its customers follow the prefix results.
 */
function useSuffixSupplement(typed: string, limit: number): { results: LocalCustomer[]; pending: boolean } {
  const terminal = useTerminal();
  const digits = suffixAlsoFor(typed);
  const [state, setState] = useState<{ for: string | null; results: LocalCustomer[] }>({ for: null, results: [] });
  useEffect(() => {
    if (!digits) return;
    let live = true;
    void bySuffix(terminal.db, digits, limit).then((results) => {
      if (live) setState({ for: digits, results });
    });
    return () => {
      live = false;
    };
  }, [terminal, digits, limit]);
  if (!digits) return { results: [], pending: false };
  return { results: state.for === digits ? state.results : [], pending: state.for !== digits };
}

/**
 * The counter's lookup (index-backed, one query per keystroke, stale answers dropped — db/hooks.ts) with
 * merged duplicates shown as the customer they were merged into, once. Roots that were not among the
 * results are read by primary key; merges are rare, so the common path adds nothing to a keystroke.
 */
export function useResolvedLookup(
  typed: string,
  limit = 20,
): { customers: LocalCustomer[]; pending: boolean; region: string } {
  const terminal = useTerminal();
  const region = useSubject(terminal.settings$).defaultRegion;
  const main = useCustomerLookup(typed, limit);
  const supplement = useSuffixSupplement(typed, limit);
  const results = useMemo(
    () => mergeResults(main.results, supplement.results, limit),
    [main.results, supplement.results, limit],
  );
  const pending = main.pending || supplement.pending;
  const mergeVersion = useLive(() => terminal.merges.changes$, [terminal], 0);
  const resolved = useMemo(
    () => resolveRoots(results, (id) => terminal.merges.rootOf(id)),
    // mergeVersion: a merge made or undone re-resolves the same results.
    [results, terminal, mergeVersion],
  );
  const [roots, setRoots] = useState<ReadonlyMap<string, LocalCustomer>>(new Map());
  const missingKey = resolved.missing.join(' ');
  useEffect(() => {
    if (missingKey === '') return;
    let live = true;
    void terminal.db.customers
      .findByIds(missingKey.split(' '))
      .exec()
      .then((docs) => {
        if (!live) return;
        setRoots((previous) => {
          const next = new Map(previous);
          for (const [id, doc] of docs) next.set(id, doc.toJSON() as LocalCustomer);
          return next;
        });
      });
    return () => {
      live = false;
    };
  }, [terminal, missingKey]);
  const customers = useMemo(() => {
    const list: LocalCustomer[] = [];
    for (const id of resolved.rootIds) {
      const customer =
        resolved.found.get(id) ??
        roots.get(id) ??
        results.find((r) => r.mergedInto !== null && (r.mergedInto === id || terminal.merges.rootOf(r.id) === id));
      if (customer) list.push(customer);
    }
    return list;
  }, [resolved, roots, results, terminal]);
  return { customers, pending, region };
}
