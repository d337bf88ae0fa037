import { describe, expect, it } from 'vitest';
import { isAppUrl, trustedDevServerUrl } from '../../src/main/policy/app-origin.ts';
import {
  externalLinkTarget,
  navigationDecision,
  permissionDecision,
  windowOpenDecision,
} from '../../src/main/policy/navigation.ts';

const DEV = 'http://localhost:5173';

describe('navigation policy (will-navigate, will-frame-navigate, will-redirect)', () => {
  it.each([
    'app://patron/index.html',
    'app://patron/',
    'app://patron/customers/42',
    'http://localhost:5173/index.html',
  ])('stays in the app: %s', (url) => {
    expect(navigationDecision(url, DEV)).toEqual({ action: 'allow' });
  });

  it.each([
    ['javascript:alert(1)', null],
    ['JaVaScRiPt:alert(document.domain)', null],
    [' javascript:alert(1)', null],
    ['file:///etc/passwd', null],
    ['file://C:/Windows/win.ini', null],
    ['data:text/html,<script>alert(1)</script>', null],
    ['data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', null],
    ['blob:app://patron/0e7b4c1a-8d39-4c4e-9f3c-3f0b1b1b1b1b', null],
    ['about:blank', null],
    ['chrome://settings', null],
    ['devtools://devtools/bundled/inspector.html', null],
    ['vbscript:msgbox(1)', null],
    ['ms-settings:privacy', null],
    ['app://evil/index.html', null],
    // Chromium lower-cases standard-scheme hosts, so an upper-case one never comes from it: refused.
    ['app://PATRON/index.html', null],
    ['app://patron:8080/index.html', null],
    ['app://user@patron/index.html', null],
    ['http://localhost:5174/', null],
    ['http://127.0.0.1:5173/', null],
    ['https://evil.com/', null],
    ['http://patron.app/', null],
    ['https://patron.app/help', 'https://patron.app/help'],
  ])('leaves the app: %s (external: %s)', (url, external) => {
    expect(navigationDecision(url, DEV)).toEqual({ action: 'deny', openExternal: external });
  });

  it('does not trust a dev server when there is none (packaged)', () => {
    expect(navigationDecision('http://localhost:5173/', null)).toEqual({ action: 'deny', openExternal: null });
  });
});

describe('window.open policy', () => {
  it('never opens an Electron window, not even for the app itself', () => {
    expect(windowOpenDecision('app://patron/index.html')).toEqual({ action: 'deny', openExternal: null });
    expect(windowOpenDecision('about:blank')).toEqual({ action: 'deny', openExternal: null });
    expect(windowOpenDecision('')).toEqual({ action: 'deny', openExternal: null });
  });

  it('sends allowlisted https links to the system browser', () => {
    expect(windowOpenDecision('https://help.patron.app/counter?lang=fa#search')).toEqual({
      action: 'deny',
      openExternal: 'https://help.patron.app/counter?lang=fa#search',
    });
  });
});

describe('external link allowlist', () => {
  it.each([
    ['https://patron.app', 'https://patron.app/'],
    ['https://www.patron.app/pricing', 'https://www.patron.app/pricing'],
    ['HTTPS://PATRON.APP/Help', 'https://patron.app/Help'],
    ['https://patron.app:443/', 'https://patron.app/'], // the default port is the same origin
    // Fullwidth letters are mapped by IDNA to the real host: the browser would go to patron.app too.
    ['https://ｐａｔｒｏｎ.app/', 'https://patron.app/'],
    // A backslash is a slash in special URLs: the host is patron.app, "@evil.com" is only a path.
    ['https://patron.app\\@evil.com', 'https://patron.app/@evil.com'],
  ])('opens %s as %s', (raw, href) => {
    expect(externalLinkTarget(raw)).toBe(href);
  });

  it.each([
    // scheme
    'http://patron.app/',
    'javascript:alert(1)//https://patron.app',
    'file:///C:/patron.app',
    'data:text/html,https://patron.app',
    'ftp://patron.app/',
    'wss://patron.app/',
    // look-alike hosts
    'https://patron.app.evil.com/',
    'https://evilpatron.app/',
    'https://patron-app.com/',
    'https://patron.apps/',
    'https://patron.app./',
    'https://docs.patron.app/', // a real-looking subdomain that is not on the list: exact names only
    // userinfo tricks
    'https://patron.app@evil.com/',
    'https://patron.app:pass@evil.com/',
    'https://user@patron.app/',
    'https://evil.com#@patron.app',
    'https://evil.com?@patron.app',
    'https://evil.com\\.patron.app',
    // IDN / punycode look-alikes (Cyrillic а, Greek ο, dotless ı)
    'https://pаtron.app/',
    'https://patrοn.app/',
    'https://patron.app\u3002evil.com/',
    'https://xn--ptron-2ve.app/',
    'https://patrın.app/',
    // ports, whitespace, control characters, encodings
    'https://patron.app:8443/',
    'https://patron.app%2eevil.com/',
    'https://patron.app\n.evil.com/',
    'https://patron.app\t.evil.com/',
    'https://0x7f.0.0.1/',
    '//patron.app/',
    'patron.app',
    '',
    `https://patron.app/${'a'.repeat(3000)}`,
  ])('refuses %j', (raw) => {
    expect(externalLinkTarget(raw)).toBeNull();
  });
});

describe('app origin', () => {
  it('compares scheme and host of app:// (WHATWG gives custom schemes an opaque origin)', () => {
    expect(new URL('app://patron/index.html').origin).toBe('null');
    expect(isAppUrl('app://patron/index.html', null)).toBe(true);
    expect(isAppUrl('app://patron.evil/index.html', null)).toBe(false);
    expect(isAppUrl('not a url', null)).toBe(false);
  });

  it('trusts a dev server only unpackaged and only on loopback', () => {
    expect(trustedDevServerUrl('http://localhost:5173/', false)).toBe('http://localhost:5173');
    expect(trustedDevServerUrl('http://127.0.0.1:5173', false)).toBe('http://127.0.0.1:5173');
    expect(trustedDevServerUrl('http://localhost:5173/', true)).toBeNull();
    expect(trustedDevServerUrl('https://evil.com/', false)).toBeNull();
    expect(trustedDevServerUrl('http://user@localhost:5173/', false)).toBeNull();
    expect(trustedDevServerUrl('file:///tmp/index.html', false)).toBeNull();
    expect(trustedDevServerUrl(undefined, false)).toBeNull();
  });
});

describe('permissions', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'hid',
    'serial',
    'usb',
    'openExternal',
    'fullscreen',
    'unknown',
  ])('refuses %s', (permission) => {
    expect(permissionDecision(permission)).toBe(false);
  });

  it('allows the camera alone, never the microphone', () => {
    expect(permissionDecision('media', { mediaTypes: ['video'] })).toBe(true);
    expect(permissionDecision('media', { mediaType: 'video' })).toBe(true);
    expect(permissionDecision('media', { mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(permissionDecision('media', { mediaTypes: ['audio'] })).toBe(false);
    expect(permissionDecision('media', { mediaType: 'unknown' })).toBe(false);
    expect(permissionDecision('media', { mediaTypes: [] })).toBe(false);
    expect(permissionDecision('geolocation', { mediaTypes: ['video'] })).toBe(false);
  });
});
