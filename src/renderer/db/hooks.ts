import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
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
 * Lookup as the cashier types: every keystroke runs one index-backed query; answers that arrive after a
 * newer keystroke's are dropped, so the list never shows results for an older text.
 */
export function useCustomerLookup(typed: string, limit = 20): { results: Omit<Customer, '_deleted'>[]; pending: boolean } {
  const terminal = useTerminal();
  const region = useSubject(terminal.settings$).defaultRegion;
  const [state, setState] = useState<{ for: string; results: Omit<Customer, '_deleted'>[] }>({ for: '', results: [] });
  const latest = useRef(typed);
  latest.current = typed;
  useEffect(() => {
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
  }, [terminal, typed, region, limit]);
  return { results: state.results, pending: state.for !== typed };
}
