// Registers the service worker of the installed web app (public/sw.js): after the first load the app's
// files come from its cache, so the counter opens with the server or the network down. Only the web build
// served over http(s) registers it — not the desktop app (app://), and not the Vite dev server.

/** What registration needs from the page; the browser's objects by default, fakes in tests. */
export interface ServiceWorkerHost {
  serviceWorker: Pick<ServiceWorkerContainer, 'register'> | undefined;
  protocol: string;
  production: boolean;
  desktop: boolean;
}

let registered: Promise<ServiceWorkerRegistration | null> | null = null;

/** Registers `/sw.js` once per page; resolves null where a service worker does not apply. */
export function registerServiceWorker(host: ServiceWorkerHost): Promise<ServiceWorkerRegistration | null> {
  if (!host.production || host.desktop || !host.serviceWorker || !/^https?:$/.test(host.protocol))
    return Promise.resolve(null);
  registered ??= host.serviceWorker
    // updateViaCache 'none': the worker script itself is always fetched fresh, so a new build is seen.
    .register('/sw.js', { scope: '/', updateViaCache: 'none' })
    .catch(() => null);
  return registered;
}

/** Forgets a registration attempt (tests). */
export function resetServiceWorkerRegistration(): void {
  registered = null;
}
