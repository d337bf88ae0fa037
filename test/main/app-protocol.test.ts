import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, resolveAppPath } from '../../src/main/policy/app-path.ts';
import { parseCsp } from '../../src/main/policy/csp.ts';
import {
  APP_SCHEME_PRIVILEGES,
  createAppRequestHandler,
  registerAppScheme,
  serveApp,
} from '../../src/main/app-protocol.ts';

const ROOT = '/opt/patron/resources/app.asar/out/renderer';

describe('resolveAppPath', () => {
  it.each([
    ['app://patron/index.html', 'index.html', false],
    ['app://patron/assets/index-D3wmff58.js', 'assets/index-D3wmff58.js', false],
    ['app://patron/assets/index-D3wmff58.js?v=1#x', 'assets/index-D3wmff58.js', false],
    ['app://patron/assets/font%40latin.woff2', 'assets/font@latin.woff2', false],
    ['app://patron/', 'index.html', true],
    ['app://patron/customers/42', 'index.html', true],
    ['app://patron/customers/', 'index.html', true],
  ])('serves %s from %s', (url, file, spaFallback) => {
    expect(resolveAppPath(url, ROOT)).toEqual({ kind: 'file', filePath: path.join(ROOT, file), spaFallback });
  });

  it.each([
    // dot segments, plain and encoded in every case mix
    'app://patron/../../../etc/passwd',
    'app://patron/assets/../../main/index.js',
    'app://patron/%2e%2e/%2e%2e/etc/passwd',
    'app://patron/%2E%2E/secret.txt',
    'app://patron/.%2e/secret.txt',
    'app://patron/%2e./secret.txt',
    'app://patron/./index.html',
    'app://patron/%2e/index.html',
    // double encoding
    'app://patron/%252e%252e/%252e%252e/etc/passwd',
    'app://patron/%25%32%65%25%32%65/etc/passwd',
    // backslashes, plain and encoded
    'app://patron/..\\..\\etc\\passwd',
    'app://patron/assets\\..\\..\\main\\index.js',
    'app://patron/%5c..%5c..%5cetc%5cpasswd',
    'app://patron/%5C..%5Csecret.txt',
    // absolute paths and empty segments
    'app://patron//etc/passwd',
    'app://patron/%2fetc%2fpasswd',
    'app://patron/assets//index.js',
    'app://patron/C:/Windows/win.ini',
    'app://patron/c%3a%5cWindows%5cwin.ini',
    'app://patron/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    // null bytes and control characters
    'app://patron/index.html%00.js',
    'app://patron/index.html\0.js',
    'app://patron/index%0a.html',
    // malformed encoding
    'app://patron/%E0%A4%A',
    'app://patron/%',
    // dot-files
    'app://patron/.env',
    'app://patron/assets/.git/config',
    // other hosts and schemes
    'app://evil/index.html',
    'app://patron.evil/index.html',
    'app://patron:80/index.html',
    'app://user@patron/index.html',
    'file:///etc/passwd',
    'https://patron/index.html',
    `app://patron/${'a/'.repeat(3000)}x.js`,
  ])('refuses %j', (url) => {
    expect(resolveAppPath(url, ROOT).kind).toBe('reject');
  });

  it('follows Windows rules when running on Windows', () => {
    const root = 'C:\\Program Files\\Patron\\resources\\app.asar\\out\\renderer';
    expect(resolveAppPath('app://patron/assets/app.js', root, path.win32)).toEqual({
      kind: 'file',
      filePath: `${root}\\assets\\app.js`,
      spaFallback: false,
    });
    for (const url of [
      'app://patron/..%5c..%5cwin.ini',
      'app://patron/C:%5cwin.ini',
      'app://patron/c:/win.ini',
      'app://patron/%5c%5cserver%5cshare',
    ]) {
      expect(resolveAppPath(url, root, path.win32).kind, url).toBe('reject');
    }
  });

  it('refuses a relative root rather than resolving against the working directory', () => {
    expect(resolveAppPath('app://patron/index.html', 'out/renderer').kind).toBe('reject');
  });

  it('knows the content types it serves', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.wasm')).toBe('application/wasm');
    expect(contentTypeFor('/x/a.unknown')).toBe('application/octet-stream');
  });
});

describe('app:// request handler (real files)', () => {
  let dir: string;
  let root: string;
  let syncServerUrl: string | null = null;
  const html = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'; object-src 'none'" /></head><body></body></html>`;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patron-protocol-'));
    root = path.join(dir, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), html);
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'the device credential');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'escape.js'));
    symlinkSync(dir, path.join(root, 'assets', 'up'));
    symlinkSync(path.join(root, 'assets', 'app.js'), path.join(root, 'assets', 'inside.js'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const handler = () => createAppRequestHandler({ root, syncServerUrl: () => syncServerUrl });
  const get = (url: string, init?: RequestInit) => handler()(new Request(url, init));

  it('serves index.html with the CSP meta rewritten and repeated as a header with frame-ancestors', async () => {
    syncServerUrl = 'https://sync.example.com/patron';
    const res = await get('app://patron/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const header = parseCsp(res.headers.get('content-security-policy') ?? '');
    expect(header.get('connect-src')).toEqual(["'self'", 'https://sync.example.com']);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
    expect(await res.text()).toContain(
      `content="default-src 'self'; connect-src 'self' https://sync.example.com; object-src 'none'"`,
    );
  });

  it('serves index.html for client-side routes', async () => {
    syncServerUrl = null;
    const res = await get('app://patron/customers/42');
    expect(res.status).toBe(200);
    expect(parseCsp(res.headers.get('content-security-policy') ?? '').get('connect-src')).toEqual(["'self'"]);
  });

  it('serves assets with their content type', async () => {
    const res = await get('app://patron/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('follows a symlink that stays inside the folder', async () => {
    expect((await get('app://patron/assets/inside.js')).status).toBe(200);
  });

  it('refuses a symlink that leads out of the folder', async () => {
    const res = await get('app://patron/assets/escape.js');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('credential');
    expect((await get('app://patron/assets/up/secret.txt')).status).toBe(403);
  });

  it('never serves a file above the folder, whichever layer stops the traversal', async () => {
    // WHATWG URL parsing (Request here, Chromium in the app) already folds %2e%2e segments at the root…
    expect(new Request('app://patron/%2e%2e/secret.txt').url).toBe('app://patron/secret.txt');
    const folded = await get('app://patron/%2e%2e/%2e%2e/secret.txt');
    expect(folded.status).toBe(404);
    // …and what survives parsing is refused by the resolver before the disk is touched.
    for (const url of [
      'app://patron/..%5csecret.txt',
      'app://patron/assets/%252e%252e/%252e%252e/secret.txt',
      'app://patron/%2fsecret.txt',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      expect(await res.text()).not.toContain('credential');
    }
  });

  it('answers 404 for a missing asset and 405 for anything but GET/HEAD', async () => {
    expect((await get('app://patron/assets/missing.js')).status).toBe(404);
    expect((await get('app://patron/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await get('app://patron/index.html', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses to serve a page without a CSP, or with a sync URL that could not go into one', async () => {
    writeFileSync(path.join(root, 'bare.html'), '<!doctype html><p>no policy</p>');
    expect((await get('app://patron/bare.html')).status).toBe(500);
    syncServerUrl = "http://evil.com; script-src 'unsafe-inline'";
    expect((await get('app://patron/index.html')).status).toBe(500);
    syncServerUrl = null;
  });
});

describe('scheme registration', () => {
  it('registers app:// as standard and secure, and serves it on the given protocol object', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => registered.push(...schemes) });
    expect(registered).toEqual([APP_SCHEME_PRIVILEGES]);
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
    const handled: string[] = [];
    serveApp({ handle: (scheme) => void handled.push(scheme) }, { root: ROOT, syncServerUrl: () => null });
    expect(handled).toEqual(['app']);
  });
});
