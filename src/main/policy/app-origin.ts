// Where the app itself lives. The packaged renderer is served from app://patron/ (app-protocol.ts); during
// `electron-vite dev` it comes from the Vite dev server on the loopback interface.

/** The privileged scheme serving the built renderer. */
export const APP_SCHEME = 'app';
/** The one host of that scheme; any other host is refused. */
export const APP_HOST = 'patron';
/** The document the main window loads. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Parses a URL, or null when it is not one. */
export function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** Whether a URL's host is the loopback interface (`localhost`, `127.0.0.1`, `[::1]`). */
export function isLoopbackHost(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * The dev server URL to trust, or null: only when unpackaged, only http(s) on loopback. electron-vite sets
 * ELECTRON_RENDERER_URL; a packaged app ignores it so an environment variable cannot repoint the window.
 */
export function trustedDevServerUrl(raw: string | undefined, isPackaged: boolean): string | null {
  if (isPackaged || raw === undefined || raw === '') return null;
  const url = parseUrl(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
  if (!isLoopbackHost(url) || url.username !== '' || url.password !== '') return null;
  return url.origin;
}

/**
 * Whether a URL belongs to the app: app://patron/… exactly (no port, no credentials), or the trusted dev
 * server's origin. Custom schemes have an opaque origin in WHATWG URL ("null"), so scheme and host are
 * compared field by field rather than through `origin`.
 */
export function isAppUrl(raw: string, devServerOrigin: string | null): boolean {
  const url = parseUrl(raw);
  if (!url) return false;
  if (url.protocol === `${APP_SCHEME}:`) {
    return url.hostname === APP_HOST && url.port === '' && url.username === '' && url.password === '';
  }
  return devServerOrigin !== null && url.origin === devServerOrigin;
}
