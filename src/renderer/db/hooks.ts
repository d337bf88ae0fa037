import { createContext, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { BehaviorSubject, Observable } from 'rxjs';
import { lookupCustomers } from '../../sync/client/reads.ts';
import type { Customer } from '../../sync/model/customer.ts';
import type { Terminal } from '../app/runtime.ts';

/** The running terminal, provided once the device is enrolled. */
export const TerminalContext = createContext<Terminal | null>(null);

/** The running terminal; only used below the enrolment gate. */
export function useTerminal(): Terminal {
  const terminal = useContext(TerminalContext);
  if (!terminal) throw new Error('useTerminal outside an enrolled terminal');
  return terminal;
}

/** The current value of a BehaviorSubject, re-rendering on change. */
export function useSubject<T>(subject: BehaviorSubject<T>): T {
  return useSyncExternalStore(
    (onChange) => {
      const sub = subject.subscribe(onChange);
      return () => sub.unsubscribe();
    },
    () => subject.getValue(),
  );
}

/** The latest value of an observable (RxDB live queries, sync status), `initial` until it emits. */
export function useObservable<T>(observable: Observable<T> | null | undefined, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    if (!observable) return;
    const sub = observable.subscribe(setValue);
    return () => sub.unsubscribe();
  }, [observable]);
  return value;
}

/**
 * Lookup as the cashier types. Once the terminal's in-memory lookup index has filled, results are computed
 * synchronously from it, so the typed text and its results render in the same commit (never pending).
 * Until then every keystroke runs one index-backed query; answers that arrive after a newer keystroke's are
 * dropped, so the list never shows results for an older text.
 */
export function useCustomerLookup(typed: string, limit = 20): { results: Omit<Customer, '_deleted'>[]; pending: boolean } {
  const terminal = useTerminal();
  const region = useSubject(terminal.settings$).defaultRegion;
  const index = terminal.lookup;
  // Bumps when the index fills and on every customer change after that.
  const version = useSyncExternalStore(
    (onChange) => {
      const sub = index.version$.subscribe(onChange);
      return () => sub.unsubscribe();
    },
    () => index.version(),
  );
  const fromIndex = useMemo(
    () => (version === 0 ? null : typed.trim() === '' ? [] : index.search(typed, limit)),
    // region: the index reads it from settings at search time.
    [index, version, typed, region, limit],
  );
  const [state, setState] = useState<{ for: string; results: Omit<Customer, '_deleted'>[] }>({ for: '', results: [] });
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
    void lookupCustomers(terminal.db, typed, region, limit).then((results) => {
      if (live && latest.current === typed) setState({ for: typed, results });
    });
    return () => {
      live = false;
    };
  }, [terminal, typed, region, limit, indexReady]);
  if (fromIndex) return { results: fromIndex, pending: false };
  return { results: state.results, pending: state.for !== typed };
}
