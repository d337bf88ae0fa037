import { useEffect, useMemo, useState } from 'react';
import { useCustomerLookup, useSubject, useTerminal } from '../../db/hooks.ts';
import { useLive } from '../../lib/hooks.ts';
import { resolveRoots, type LocalCustomer } from './lookup.ts';

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
  // lookupCustomers also asks the last-digits index for "last four" digits that start with 0.
  const { results, pending } = useCustomerLookup(typed, limit);
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
