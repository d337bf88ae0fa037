import { isLoopbackHost, parseUrl } from './app-origin.ts';

// The sync server URL a terminal is configured with. It ends up in the page's CSP connect-src and carries
// the device credential, so it must be https; plain http is tolerated only on this machine (a dev server).

const MAX_LENGTH = 2048;
/** DNS names (IDN arrives as punycode) and IPv4 after WHATWG parsing; `*` and other oddities it lets through fail. */
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** A checked sync server URL: the normalised base URL and its origin (the CSP source). */
export type SyncUrlCheck = { ok: true; url: string; origin: string } | { ok: false; reason: string };

/**
 * Checks and normalises a sync server URL: https, or http on localhost / 127.0.0.1 / [::1]; no
 * credentials, query or fragment; the path (a reverse-proxy prefix) kept without its trailing slash.
 */
export function checkSyncServerUrl(raw: string): SyncUrlCheck {
  if (raw.length > MAX_LENGTH) return { ok: false, reason: 'too long' };
  const url = parseUrl(raw.trim());
  if (!url) return { ok: false, reason: 'not a URL' };
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url)) return { ok: false, reason: 'http is allowed only for localhost' };
  } else if (url.protocol !== 'https:') {
    return { ok: false, reason: 'must be https' };
  }
  // WHATWG accepts hosts such as `*.example.com`; in connect-src that would be a wildcard.
  if (!HOSTNAME.test(url.hostname) && !IPV6.test(url.hostname)) return { ok: false, reason: 'not a plain host name' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials in URL' };
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) {
    return { ok: false, reason: 'query or fragment' };
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.origin}${pathname}`, origin: url.origin };
}
