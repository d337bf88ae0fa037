import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../sync/client/status.ts';
import type { Terminal } from '../../sync/client/terminal.ts';
import type { Locale } from '../../sync/model/settings.ts';
import { asLocale } from './format.ts';
import { registerServiceWorker } from './service-worker.ts';
import { getPlatform } from './platform.ts';
import { useLive } from './useLive.ts';

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

/** The terminal's sync status (the last complete sync is remembered across reloads by the terminal). */
export function useSyncStatus(terminal: Terminal): SyncStatus {
  return useLive(() => terminal.status$, [terminal], INITIAL_STATUS);
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

/** The merchant's settings as replicated. */
export function useSettings(terminal: Terminal) {
  return useLive(() => terminal.settings$, [terminal], terminal.settings$.getValue());
}

/** The staff member signed in at the terminal. */
export function useStaff(terminal: Terminal) {
  return useLive(() => terminal.session.staff$, [terminal], terminal.session.current());
}
