import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebApp, type WebBuild } from '../helpers/web-build.ts';
import { metaPolicies, parseCsp, withSyncOrigin, type CspDirectives } from '../../src/main/policy/csp.ts';

// The CSP is checked on the BUILT index.html: the renderer is built here from a clean checkout with the
// same settings both builds use (src/renderer/vite.config.ts; electron.config.ts reuses rendererOptions()).

const REPO = path.resolve(import.meta.dirname, '../..');
let outDir: string;
let builtHtml: string;
let policy: CspDirectives;

let web: WebBuild;

beforeAll(async () => {
  // The production build, exactly as `npm run build:web` makes it (not a development bundle under Vitest).
  web = await buildWebApp();
  outDir = web.dir;
  builtHtml = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const policies = metaPolicies(builtHtml);
  expect(policies).toHaveLength(1);
  policy = parseCsp(policies[0] ?? '');
});

afterAll(() => web?.remove());

const directive = (name: string): string[] => policy.get(name) ?? [];
const allSources = (): string[] => [...policy.values()].flat();

describe('CSP of the built index.html', () => {
  it('puts the policy before any script', () => {
    const meta = builtHtml.search(/<meta\s+http-equiv="Content-Security-Policy"/i);
    const script = builtHtml.search(/<script/i);
    expect(meta).toBeGreaterThan(-1);
    expect(script).toBeGreaterThan(meta);
  });

  it("has no 'unsafe-inline', no 'unsafe-eval' and no other unsafe-* except 'wasm-unsafe-eval'", () => {
    const unsafe = allSources().filter((s) => /unsafe/i.test(s));
    expect(unsafe.every((s) => s === "'wasm-unsafe-eval'")).toBe(true);
    expect(directive('script-src')).not.toContain("'unsafe-inline'");
    expect(directive('script-src')).not.toContain("'unsafe-eval'");
    expect(directive('style-src')).not.toContain("'unsafe-inline'");
  });

  it("defaults to 'self' and allows scripts and styles only from the app itself", () => {
    expect(directive('default-src')).toEqual(["'self'"]);
    expect(directive('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directive('style-src')).toEqual(["'self'"]);
  });

  it('shuts plugins, frames, base and forms', () => {
    expect(directive('object-src')).toEqual(["'none'"]);
    expect(directive('frame-src')).toEqual(["'none'"]);
    expect(directive('base-uri')).toEqual(["'none'"]);
    expect(directive('form-action')).toEqual(["'none'"]);
  });

  it("limits connect-src to 'self' (the desktop shell adds exactly the configured sync server)", () => {
    expect(directive('connect-src')).toEqual(["'self'"]);
  });

  it('has no wildcard and no bare scheme source anywhere', () => {
    const loose = allSources().filter((s) => s.includes('*') || /^(https?|wss?|ftp|file|filesystem):?$/i.test(s));
    expect(loose).toEqual([]);
    for (const name of ['script-src', 'default-src', 'connect-src', 'style-src']) {
      expect(
        directive(name).some((s) => /^(data|blob):$/i.test(s)),
        name,
      ).toBe(false);
    }
  });

  it('does not put frame-ancestors in a <meta> (ignored there); the desktop sends it as a header', () => {
    expect(policy.has('frame-ancestors')).toBe(false);
    const served = withSyncOrigin(builtHtml, null);
    expect(parseCsp(served.headerPolicy).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('contains no inline script, event handler or style attribute the policy would block', () => {
    const scripts = [...builtHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\ssrc="(\.\/|\/)assets\//);
      expect(body?.trim()).toBe('');
    }
    expect(builtHtml).not.toMatch(/\son[a-z]+\s*=/i);
    expect(builtHtml).not.toMatch(/\sstyle\s*=/i);
    expect(builtHtml).not.toMatch(/<style\b/i);
  });

  it('ships no RxDB dev-mode plugin (it loads a remote iframe)', () => {
    const assets = readdirSync(path.join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    for (const file of assets) {
      expect(readFileSync(path.join(outDir, 'assets', file), 'utf8'), file).not.toMatch(
        /RxDBDevModePlugin|rxdb\/plugins\/dev-mode/,
      );
    }
  });
});

describe('withSyncOrigin (how the desktop app serves the built page)', () => {
  it('adds the sync server origin to connect-src and changes nothing else', () => {
    const served = withSyncOrigin(builtHtml, 'https://sync.example.com:8443/patron/');
    const servedPolicy = parseCsp(metaPolicies(served.html)[0] ?? '');
    expect(servedPolicy.get('connect-src')).toEqual(["'self'", 'https://sync.example.com:8443']);
    for (const [name, sources] of policy) {
      if (name !== 'connect-src') expect(servedPolicy.get(name), name).toEqual(sources);
    }
    expect(served.policy).toBe(metaPolicies(served.html)[0]);
    expect(served.html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')).toBe(
      builtHtml.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/, ''),
    );
  });

  it('accepts http only for a loopback development server', () => {
    expect(parseCsp(withSyncOrigin(builtHtml, 'http://127.0.0.1:8080').policy).get('connect-src')).toEqual([
      "'self'",
      'http://127.0.0.1:8080',
    ]);
    expect(() => withSyncOrigin(builtHtml, 'http://sync.example.com')).toThrow(/only for localhost/);
  });

  it.each([
    "https://sync.example.com; script-src 'unsafe-inline'",
    'https://sync.example.com" onload="alert(1)',
    "https://sync.example.com 'unsafe-eval'",
    'https://*.example.com',
    'https://user:pw@sync.example.com',
    'javascript:alert(1)',
    'data:text/plain,x',
    'wss://sync.example.com',
  ])('cannot be used to widen the policy: %j', (url) => {
    let connect: string[] | undefined;
    try {
      connect = parseCsp(withSyncOrigin(builtHtml, url).policy).get('connect-src');
    } catch {
      return; // refused outright
    }
    // Accepted only as a plain origin: the URL parser percent-encodes anything that could break out.
    expect(connect).toHaveLength(2);
    expect(connect?.[1]).toMatch(/^https:\/\/[a-z0-9.-]+(:\d+)?$/);
    expect(parseCsp(withSyncOrigin(builtHtml, url).policy).get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  });

  it('refuses a page without exactly one CSP meta', () => {
    expect(() => withSyncOrigin('<html><head></head></html>', null)).toThrow();
    const twice = builtHtml.replace(
      '<meta name="referrer"',
      `${builtHtml.match(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/)?.[0]}<meta name="referrer"`,
    );
    expect(() => withSyncOrigin(twice, null)).toThrow();
  });
});

describe('dev-server relaxation (src/renderer/vite.config.ts)', () => {
  it('applies to the dev server only, never to a build', async () => {
    const { devCspPlugin } = await import('../../src/renderer/vite.config.ts');
    expect(devCspPlugin().apply).toBe('serve');
  });

  it("admits the dev server's inline preamble by hash, not by 'unsafe-inline'", async () => {
    const { devCspPlugin } = await import('../../src/renderer/vite.config.ts');
    const hook = devCspPlugin().transformIndexHtml as { handler: (html: string) => Promise<string> };
    const preamble = 'import { injectIntoGlobalHook } from "/@react-refresh";';
    const source = readFileSync(path.join(REPO, 'src/renderer/index.html'), 'utf8').replace(
      '</head>',
      `<script type="module">${preamble}</script></head>`,
    );
    const dev = parseCsp(metaPolicies(await hook.handler(source))[0] ?? '');
    expect(dev.get('script-src')).toEqual([
      "'self'",
      "'wasm-unsafe-eval'",
      `'sha256-${createHash('sha256').update(preamble).digest('base64')}'`,
    ]);
    expect(dev.get('object-src')).toEqual(["'none'"]);
    expect(dev.get('connect-src')).toContain('ws://localhost:*');
  });
});
