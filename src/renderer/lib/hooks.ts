import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Observable } from 'rxjs';
import type { SyncStatus } from '../../sync/client/status.ts';
import type { Locale } from '../../sync/model/settings.ts';
import type { Terminal } from '../app/runtime.ts';
import { useObservable } from '../db/hooks.ts';
import { asLocale } from './intl.ts';
import { laterOf, readLastSync, rememberLastSync } from './last-sync.ts';
import { registerServiceWorker } from './service-worker.ts';
import { getPlatform } from './platform.ts';

/** Sync status before replication has reported anything. */
export const INITIAL_STATUS: SyncStatus = {
  connection: 'connecting',
  pending: 0,
  lastSyncAt: null,
  lastError: null,
  received: 0,
  ready: [],
  initialSyncDone: false,
};

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** The terminal's sync status, with the last sync remembered across reloads (lib/last-sync.ts). */
export function useSyncStatus(terminal: Terminal): SyncStatus {
  const status = useObservable(terminal.status$, INITIAL_STATUS);
  const terminalId = terminal.credential.terminalId;
  useEffect(() => rememberLastSync(storage(), terminalId, status.lastSyncAt), [terminalId, status.lastSyncAt]);
  const remembered = useMemo(() => readLastSync(storage(), terminalId), [terminalId]);
  return useMemo(() => ({ ...status, lastSyncAt: laterOf(status.lastSyncAt, remembered) }), [status, remembered]);
}

/** The latest value of something the caller reads in event handlers without re-rendering on it. */
export function useLatestRef<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  }, [value]);
  return ref;
}

/** The current time, refreshed every `intervalMs` (relative times, countdowns). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** The UI locale (en/fa) of the current language. */
export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return asLocale(i18n.language);
}

/** Registers the web app's service worker once the first screen is up (no-op on desktop and in dev). */
export function useServiceWorker(): void {
  useEffect(() => {
    void registerServiceWorker({
      serviceWorker: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
      protocol: location.protocol,
      production: import.meta.env.PROD,
      desktop: getPlatform().kind === 'desktop',
    });
  }, []);
}

/**
 * Subscribes to an observable built from the given dependencies (a live query). Until the current
 * observable emits, `initial` is returned — never the last value of a previous one (another customer).
 */
export function useLive<T>(make: () => Observable<T> | null, deps: readonly unknown[], initial: T): T {
  // The caller lists the dependencies of `make`, as with useMemo.
  const observable = useMemo(make, deps);
  const [state, setState] = useState<{ source: Observable<T> | null; value: T }>({ source: null, value: initial });
  useEffect(() => {
    if (!observable) return;
    const sub = observable.subscribe((value) => setState({ source: observable, value }));
    return () => sub.unsubscribe();
  }, [observable]);
  return state.source === observable && observable !== null ? state.value : initial;
}
