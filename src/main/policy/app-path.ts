import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-origin.ts';

// Maps an app://patron/… request to a file under the built renderer, refusing anything that could climb out.
// Chromium canonicalises standard-scheme URLs before the handler sees them, so most of these never arrive;
// the resolver refuses them anyway instead of trusting that (defence in depth), and app-protocol.ts re-checks
// the real path after resolving symlinks.

/** The path operations used; injectable so Windows rules are tested on any OS. */
export type PathApi = Pick<typeof path, 'join' | 'relative' | 'isAbsolute' | 'sep' | 'resolve'>;

/** Result of resolving a request. */
export type AppPathResolution =
  { kind: 'file'; filePath: string; spaFallback: boolean } | { kind: 'reject'; reason: string };

const PREFIX = `${APP_SCHEME}://${APP_HOST}/`;
const MAX_URL_LENGTH = 4096;
/** Segment characters allowed after decoding: what Vite emits (names, hashes, dots, dashes). */
const SAFE_SEGMENT = /^[A-Za-z0-9._@~+-]+$/;

const reject = (reason: string): AppPathResolution => ({ kind: 'reject', reason });

/** C0 controls (null byte included) and DEL. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Whether `child` is `root` itself or inside it, with the given path rules. */
export function isInside(root: string, child: string, p: PathApi = path): boolean {
  const rel = p.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

/**
 * Resolves the raw request URL against `root` (the absolute out/renderer folder). Rejects: another scheme
 * or host, credentials or a port, `..` and `.` segments (plain or percent-encoded, any case), backslashes
 * (plain or `%5c`), empty segments (`//etc/passwd`), Windows drive letters, null bytes and other control
 * characters, any `%` left after one decoding (double encoding), dot-files, and over-long URLs. A path with
 * no extension is a client-side route and gets index.html (spaFallback).
 */
export function resolveAppPath(rawUrl: string, root: string, p: PathApi = path): AppPathResolution {
  if (rawUrl.length > MAX_URL_LENGTH) return reject('url too long');
  // Exact, case-sensitive: Chromium canonicalises scheme and host of a standard scheme to lower case.
  if (!rawUrl.startsWith(PREFIX)) return reject('not an app://patron/ url');
  const rest = rawUrl.slice(PREFIX.length);
  const end = rest.search(/[?#]/);
  const rawPath = end === -1 ? rest : rest.slice(0, end);
  if (rawPath.includes('\\') || /%5c/i.test(rawPath) || hasControlCharacter(rawPath))
    return reject('backslash or control character');

  const segments: string[] = [];
  const rawSegments = rawPath === '' ? [] : rawPath.split('/');
  for (const [i, raw] of rawSegments.entries()) {
    if (raw === '') {
      if (i === rawSegments.length - 1) break; // a trailing slash: a directory → index.html
      return reject('empty path segment');
    }
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return reject('malformed percent-encoding');
    }
    if (segment === '.' || segment === '..') return reject('dot segment');
    if (segment.includes('%')) return reject('double encoding');
    if (/^[A-Za-z]:/.test(segment)) return reject('drive letter');
    if (segment.startsWith('.')) return reject('dot-file');
    if (!SAFE_SEGMENT.test(segment)) return reject('unexpected character');
    segments.push(segment);
  }

  const last = segments.at(-1);
  const spaFallback = last === undefined || !last.includes('.');
  const filePath = spaFallback ? p.join(root, 'index.html') : p.join(root, ...segments);
  // Belt and braces: whatever the checks above missed, the joined path must stay under root.
  if (!p.isAbsolute(root) || !isInside(p.resolve(root), p.resolve(filePath), p)) return reject('outside root');
  return { kind: 'file', filePath, spaFallback };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content-Type of a served file by extension; unknown types are sent as opaque bytes (with nosniff). */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}
