import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Customer } from '../../../sync/model/customer.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings } from '../../lib/hooks.ts';

/**
 * Lookup as the cashier types (the terminal's `queries.lookup`): merge groups shown once, as their root. Once
 * the in-memory index has filled, results are computed synchronously, so the typed text and its results
 * render in the same commit (never pending). Until then each keystroke asks the replica's indexes; answers
 * that arrive after a newer keystroke's are dropped, so the list never shows results for an older text.
 */
export function useCustomerLookup(typed: string, limit = 20): { results: Customer[]; pending: boolean; region: string } {
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
    () => (version === 0 ? null : typed.trim() === '' ? [] : lookup.search(typed, limit)),
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
  if (fromIndex) return { results: fromIndex, pending: false, region };
  return { results: state.results, pending: state.for !== typed, region };
}
