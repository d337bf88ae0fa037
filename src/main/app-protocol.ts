import { readFile, realpath } from 'node:fs/promises';
import type { CustomScheme, Protocol } from 'electron';
import { APP_SCHEME } from './policy/app-origin.ts';
import { contentTypeFor, isInside, resolveAppPath } from './policy/app-path.ts';
import { withSyncOrigin } from './policy/csp.ts';

// app://patron/ serves the built renderer (out/renderer) instead of file:// (Electron security checklist
// 18): a standard, secure origin of its own, GET only, no file outside the folder — the pure resolver
// refuses traversal and the real path is re-checked after symlinks. index.html goes out with the configured
// sync server added to its CSP connect-src (policy/csp.ts) and the policy repeated as a response header.

/** The scheme's privileges; registered before the app is ready. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** The file operations used; injectable for tests. */
export interface AppFs {
  readFile(file: string): Promise<Buffer>;
  realpath(file: string): Promise<string>;
}

const nodeFs: AppFs = { readFile: (file) => readFile(file), realpath: (file) => realpath(file) };

/** What the handler needs. */
export interface AppRequestOptions {
  /** Absolute folder of the built renderer. */
  root: string;
  /** The configured sync server URL, read per request so a change applies on the next page load. */
  syncServerUrl(): string | null;
  fs?: AppFs;
}

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cross-Origin-Resource-Policy': 'same-origin' };

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Builds the app:// request handler: a function from a fetch Request to a Response. */
export function createAppRequestHandler(options: AppRequestOptions): (request: Request) => Promise<Response> {
  const fs = options.fs ?? nodeFs;
  let rootReal: Promise<string> | null = null;

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const resolved = resolveAppPath(request.url, options.root);
    if (resolved.kind === 'reject') return plain(400, 'bad request');

    let real: string;
    try {
      rootReal ??= fs.realpath(options.root);
      real = await fs.realpath(resolved.filePath);
      if (!isInside(await rootReal, real)) return plain(403, 'forbidden');
    } catch (error) {
      rootReal = null;
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? plain(404, 'not found') : plain(403, 'forbidden');
    }

    let body: Buffer;
    try {
      body = await fs.readFile(real);
    } catch {
      return plain(404, 'not found');
    }
    const contentType = contentTypeFor(real);
    if (contentType.startsWith('text/html')) {
      let served;
      try {
        served = withSyncOrigin(body.toString('utf8'), options.syncServerUrl());
      } catch {
        // No policy, no page: never serve the app without its CSP.
        return plain(500, 'content security policy missing');
      }
      return new Response(request.method === 'HEAD' ? null : served.html, {
        status: 200,
        headers: {
          ...BASE_HEADERS,
          'Content-Type': contentType,
          'Content-Security-Policy': served.headerPolicy,
          'Cache-Control': 'no-store',
        },
      });
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...BASE_HEADERS, 'Content-Type': contentType },
    });
  };
}

/** Registers the scheme's privileges; must run before `app` is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

/** Serves the renderer on a session's protocol. */
export function serveApp(protocol: Pick<Protocol, 'handle'>, options: AppRequestOptions): void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(options));
}
