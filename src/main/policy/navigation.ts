import { isAppUrl, parseUrl } from './app-origin.ts';

// Navigation and window-open policy (Electron security checklist 13 and 14). The renderer never leaves the
// app and never opens windows; a link to one of our own https sites opens in the system browser instead.

/** Hosts whose https links may open in the system browser. Exact names only: no subdomain wildcards. */
export const EXTERNAL_HOST_ALLOWLIST: readonly string[] = ['patron.app', 'www.patron.app', 'help.patron.app'];

const MAX_EXTERNAL_URL_LENGTH = 2048;

/** What to do with a navigation or window.open request. */
export type LinkDecision = { action: 'allow' } | { action: 'deny'; openExternal: string | null };

/**
 * The URL to hand to shell.openExternal, or null. Only https, only an allowlisted host compared after
 * WHATWG parsing (so `https://patron.app@evil.com`, `https://patron.app.evil.com`, a trailing dot and
 * punycode look-alikes such as `https://pаtron.app` with a Cyrillic а all fail), no credentials, no port.
 * The parsed and re-serialised href is returned, never the raw string, so what opens is what was checked.
 */
export function externalLinkTarget(raw: string): string | null {
  if (raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  const url = parseUrl(raw);
  if (!url || url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.port !== '') return null;
  if (!EXTERNAL_HOST_ALLOWLIST.includes(url.hostname)) return null;
  return url.href;
}

/**
 * will-navigate / will-redirect / will-frame-navigate: stay inside the app; anything else is refused, and
 * an allowlisted https link is opened externally.
 */
export function navigationDecision(raw: string, devServerOrigin: string | null): LinkDecision {
  if (isAppUrl(raw, devServerOrigin)) return { action: 'allow' };
  return { action: 'deny', openExternal: externalLinkTarget(raw) };
}

/** setWindowOpenHandler: never a new Electron window; allowlisted https links go to the system browser. */
export function windowOpenDecision(raw: string): LinkDecision & { action: 'deny' } {
  return { action: 'deny', openExternal: externalLinkTarget(raw) };
}

/** What Electron says about a media request (`mediaTypes`) or a media permission check (`mediaType`). */
export interface PermissionDetails {
  mediaTypes?: readonly string[];
  mediaType?: string;
}

/**
 * Every permission is refused except the camera alone (video, no microphone): the counter reads a member
 * card's QR code with it. The renderer never leaves the app and embeds no frames, so the asker is the app.
 */
export function permissionDecision(permission: string, details: PermissionDetails = {}): boolean {
  if (permission !== 'media') return false;
  const kinds = details.mediaTypes ?? (details.mediaType === undefined ? [] : [details.mediaType]);
  return kinds.length > 0 && kinds.every((kind) => kind === 'video');
}
