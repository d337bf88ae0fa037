import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, MIN_SIZE, restoreWindowState, type Rect } from '../../src/main/policy/bounds.ts';
import { checkSyncServerUrl } from '../../src/main/policy/sync-url.ts';
import { DEFAULT_SETTINGS, openSettingsStore, SETTINGS_FILE } from '../../src/main/services/settings.ts';

describe('sync server URL rules', () => {
  it.each([
    ['https://sync.example.com', 'https://sync.example.com', 'https://sync.example.com'],
    ['https://sync.example.com/', 'https://sync.example.com', 'https://sync.example.com'],
    ['https://Sync.Example.com:8443/patron/', 'https://sync.example.com:8443/patron', 'https://sync.example.com:8443'],
    ['  https://sync.example.com  ', 'https://sync.example.com', 'https://sync.example.com'],
    ['https://همگام.example.com', 'https://xn--mgb3dbf53c.example.com', 'https://xn--mgb3dbf53c.example.com'],
    ['http://localhost:8080', 'http://localhost:8080', 'http://localhost:8080'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http://[::1]:3000', 'http://[::1]:3000', 'http://[::1]:3000'],
    ['https://10.0.0.5', 'https://10.0.0.5', 'https://10.0.0.5'],
  ])('accepts %j', (raw, url, origin) => {
    expect(checkSyncServerUrl(raw)).toEqual({ ok: true, url, origin });
  });

  it.each([
    'http://sync.example.com',
    'http://192.168.1.10:3000',
    'http://localhost.evil.com',
    'http://127.0.0.1.nip.io',
    'ftp://sync.example.com',
    'wss://sync.example.com',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://user:pw@sync.example.com',
    'https://sync.example.com?token=x',
    'https://sync.example.com#x',
    'https://sync.example.com/?',
    'https://*.example.com',
    'https://sync_example.com',
    'sync.example.com',
    '',
    `https://sync.example.com/${'a'.repeat(2100)}`,
  ])('refuses %j', (raw) => {
    expect(checkSyncServerUrl(raw).ok).toBe(false);
  });
});

describe('window bounds', () => {
  const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
  const right: Rect = { x: 1920, y: 0, width: 1280, height: 984 };

  it('opens a first start at the default size, centred on the primary display', () => {
    expect(restoreWindowState(null, [primary], primary)).toEqual({
      bounds: { x: 320, y: 120, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height },
      maximized: false,
    });
  });

  it('keeps a saved position that is fully visible', () => {
    const saved = { bounds: { x: 2000, y: 50, width: 1000, height: 700 }, maximized: true };
    expect(restoreWindowState(saved, [primary, right], primary)).toEqual(saved);
  });

  it('moves a window hanging off a display back inside it', () => {
    const saved = { bounds: { x: 1500, y: 900, width: 1000, height: 700 }, maximized: false };
    // Mostly on the primary display: kept there, pushed inside.
    expect(restoreWindowState(saved, [primary, right], primary).bounds).toEqual({
      x: 920,
      y: 340,
      width: 1000,
      height: 700,
    });
  });

  it('brings back a window from a display that was unplugged, keeping its size', () => {
    const saved = { bounds: { x: 2000, y: 50, width: 1000, height: 700 }, maximized: false };
    expect(restoreWindowState(saved, [primary], primary).bounds).toEqual({ x: 460, y: 170, width: 1000, height: 700 });
  });

  it('shrinks a window larger than its display and grows one below the minimum', () => {
    const small: Rect = { x: 0, y: 0, width: 1024, height: 728 };
    expect(
      restoreWindowState({ bounds: { x: 0, y: 0, width: 3000, height: 2000 }, maximized: false }, [small], small)
        .bounds,
    ).toEqual(small);
    expect(
      restoreWindowState({ bounds: { x: 10, y: 10, width: 100, height: 80 }, maximized: false }, [primary], primary)
        .bounds,
    ).toEqual({
      x: 10,
      y: 10,
      width: MIN_SIZE.width,
      height: MIN_SIZE.height,
    });
  });

  it('handles displays left of and above the primary one (negative coordinates)', () => {
    const left: Rect = { x: -1280, y: -200, width: 1280, height: 1024 };
    const saved = { bounds: { x: -1500, y: -300, width: 900, height: 700 }, maximized: false };
    expect(restoreWindowState(saved, [primary, left], primary).bounds).toEqual({
      x: -1280,
      y: -200,
      width: 900,
      height: 700,
    });
  });

  it.each([NaN, Infinity, -Infinity])('ignores a corrupt saved state (%s)', (bad) => {
    const saved = { bounds: { x: bad, y: 0, width: 900, height: 700 }, maximized: false };
    expect(restoreWindowState(saved, [primary], primary).bounds.width).toBe(DEFAULT_SIZE.width);
  });
});

describe('settings store (JSON file in userData)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patron-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from defaults and persists changes atomically, readable only by the user', async () => {
    const store = await openSettingsStore(dir);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    await store.update({
      syncServerUrl: 'https://sync.example.com',
      window: { bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: true },
    });
    const file = path.join(dir, SETTINGS_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: 1,
      syncServerUrl: 'https://sync.example.com',
    });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    const reopened = await openSettingsStore(dir);
    expect(reopened.get().window).toEqual({ bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: true });
    expect(reopened.desktopSettings()).toEqual({
      syncServerUrl: 'https://sync.example.com',
      printing: { silent: false, printerName: null },
    });
  });

  it('keeps the last of concurrent writes', async () => {
    const store = await openSettingsStore(dir);
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => store.update({ printing: { silent: n % 2 === 0, printerName: `P${n}` } })),
    );
    expect((await openSettingsStore(dir)).get().printing).toEqual({ silent: false, printerName: 'P5' });
  });

  it.each([
    ['not JSON', '{'],
    ['a wrong shape', JSON.stringify({ version: 1, syncServerUrl: 5 })],
    ['unknown keys', JSON.stringify({ ...DEFAULT_SETTINGS, evil: true })],
    [
      'a prototype key',
      '{"version":1,"syncServerUrl":null,"printing":{"silent":false,"printerName":null},"window":null,"__proto__":{"x":1}}',
    ],
  ])('falls back to defaults for %s', async (_what, text) => {
    writeFileSync(path.join(dir, SETTINGS_FILE), text);
    const reasons: string[] = [];
    const store = await openSettingsStore(dir, undefined, (why) => reasons.push(why));
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(reasons).toHaveLength(1);
  });

  it('drops a hand-edited sync server URL that breaks the rules instead of trusting it into the CSP', async () => {
    writeFileSync(
      path.join(dir, SETTINGS_FILE),
      JSON.stringify({ ...DEFAULT_SETTINGS, syncServerUrl: 'http://evil.com' }),
    );
    const store = await openSettingsStore(dir, undefined, () => {});
    expect(store.get().syncServerUrl).toBeNull();
  });

  it('refuses an invalid update without writing it', async () => {
    const store = await openSettingsStore(dir);
    expect(() => store.update({ printing: { silent: 'yes' as unknown as boolean, printerName: null } })).toThrow();
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
  });
});
