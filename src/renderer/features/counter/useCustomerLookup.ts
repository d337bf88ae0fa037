import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Customer } from '../../../sync/model/customer.ts';
import type { LookupAnswer } from '../../../sync/client/queries/customer-lookup.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings } from '../../lib/hooks.ts';

const NOTHING: LookupAnswer = { customers: [], total: 0, more: false, codeHolder: null };

/**
 * Lookup as the cashier types (the terminal's `queries.lookup`): merge groups shown once, as their root. Once
 * the in-memory index has filled, results are computed synchronously, so the typed text and its results
 * render in the same commit (never pending). Until then each keystroke asks the replica's indexes; answers
 * that arrive after a newer keystroke's are dropped, so the list never shows results for an older text.
 */
export function useCustomerLookup(typed: string, limit = 20): Omit<LookupAnswer, 'customers'> & { results: Customer[]; pending: boolean; region: string } {
  const terminal = useTerminal();
  const region = useSettings(terminal).defaultRegion;
  const lookup = terminal.queries.lookup;
  // Bumps when the index fills, on every customer change after that, and on merges.
  const version = useSyncExternalStore(
    (onChange) => {
      const sub = lookup.version$.subscribe(onChange);
      return () => sub.unsubscribe();
    },
    () => lookup.version(),
  );
  const fromIndex = useMemo(
    (): LookupAnswer | null => (version === 0 ? null : typed.trim() === '' ? NOTHING : lookup.answer(typed, limit)),
    // region: the lookup reads it from the settings at search time.
    [lookup, version, typed, region, limit],
  );
  const [state, setState] = useState<{ for: string; results: Customer[] }>({ for: '', results: [] });
  const latest = useRef(typed);
  latest.current = typed;
  const indexReady = fromIndex !== null;
  useEffect(() => {
    if (indexReady) return;
    if (typed.trim() === '') {
      setState({ for: typed, results: [] });
      return;
    }
    let live = true;
    void lookup.find(typed, limit).then((results) => {
      if (live && latest.current === typed) setState({ for: typed, results });
    });
    return () => {
      live = false;
    };
  }, [lookup, typed, region, limit, indexReady]);
  if (fromIndex) return { results: fromIndex.customers, total: fromIndex.total, more: fromIndex.more, codeHolder: fromIndex.codeHolder, pending: false, region };
  // The replica's answer is not counted: a full page may be the first of many.
  return { results: state.results, total: state.results.length, more: state.results.length >= limit, codeHolder: null, pending: state.for !== typed, region };
}
