import { useMemo, useSyncExternalStore, type DependencyList } from 'react';
import type { Observable } from 'rxjs';

/** The current value of a source and the way to be told of the next (what useSyncExternalStore reads). */
interface LiveStore<T> {
  subscribe(onChange: () => void): () => void;
  get(): T;
}

function liveStore<T>(source: Observable<T> | null | undefined, initial: T): LiveStore<T> {
  // A BehaviorSubject has a value before anyone subscribes: render with it at once.
  let value = source && 'getValue' in source ? (source as unknown as { getValue(): T }).getValue() : initial;
  return {
    subscribe(onChange) {
      if (!source) return () => {};
      const subscription = source.subscribe((next) => {
        value = next;
        onChange();
      });
      return () => subscription.unsubscribe();
    },
    get: () => value,
  };
}

/**
 * The latest value of a live source (a query of the terminal, its status, its settings), re-rendering when it
 * changes. `make` builds the source from `deps`, as with useMemo. Until the current source emits, `initial` is
 * returned — never the last value of a previous source (another customer).
 */
export function useLive<T>(make: () => Observable<T> | null | undefined, deps: DependencyList, initial: T): T {
  // The caller lists the dependencies of `make`; `initial` belongs to the source it was given with.
  const store = useMemo(() => liveStore(make(), initial), deps);
  return useSyncExternalStore(store.subscribe, store.get);
}
