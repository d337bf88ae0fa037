import { describe, expect, it, vi } from 'vitest';
import { applySecurityPolicy, restrictPermissions, hardenWebContents } from '../../src/main/security.ts';

type Listener = (event: { url: string; preventDefault(): void }) => void;

function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on: vi.fn((name: string, listener: Listener) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return contents;
    }),
    setWindowOpenHandler: vi.fn((handler: typeof openHandler) => {
      openHandler = handler;
    }),
  };
  const fire = (name: string, url: string) => {
    const event = { url, preventDefault: vi.fn() };
    for (const listener of listeners.get(name) ?? []) listener(event);
    return event;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }), listeners };
}

function setup(devServerOrigin: string | null = null) {
  const openExternal = vi.fn(async () => {});
  const fake = fakeContents();
  hardenWebContents(fake.contents as never, { openExternal, devServerOrigin });
  return { ...fake, openExternal };
}

describe('webContents hardening', () => {
  it('listens to every navigation event and refuses webviews', () => {
    const { listeners, fire } = setup();
    expect([...listeners.keys()].sort()).toEqual([
      'will-attach-webview',
      'will-frame-navigate',
      'will-navigate',
      'will-redirect',
    ]);
    expect(fire('will-attach-webview', 'app://patron/').preventDefault).toHaveBeenCalled();
  });

  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])(
    '%s: stays in the app, refuses the rest',
    (name) => {
      const { fire, openExternal } = setup();
      expect(fire(name, 'app://patron/customers').preventDefault).not.toHaveBeenCalled();
      for (const url of [
        'https://evil.com/',
        'file:///etc/passwd',
        'javascript:alert(1)',
        'https://patron.app@evil.com/',
      ]) {
        expect(fire(name, url).preventDefault, url).toHaveBeenCalled();
      }
      expect(openExternal).not.toHaveBeenCalled();
      expect(fire(name, 'https://patron.app/help').preventDefault).toHaveBeenCalled();
      expect(openExternal).toHaveBeenCalledWith('https://patron.app/help');
    },
  );

  it('denies every window.open, sending allowlisted links to the system browser', () => {
    const { open, openExternal } = setup();
    expect(open('app://patron/index.html')).toEqual({ action: 'deny' });
    expect(open('https://evil.com/')).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
    expect(open('https://help.patron.app/x')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://help.patron.app/x');
  });

  it('applies to every webContents created, via app "web-contents-created"', () => {
    let created: ((event: unknown, contents: never) => void) | null = null;
    applySecurityPolicy(
      { on: (_name, listener) => (created = listener as never) },
      { openExternal: async () => {}, devServerOrigin: null },
    );
    const fake = fakeContents();
    expect(created).not.toBeNull();
    created!({}, fake.contents as never);
    expect(fake.contents.setWindowOpenHandler).toHaveBeenCalledTimes(1);
    expect(fake.fire('will-navigate', 'https://evil.com/').preventDefault).toHaveBeenCalled();
  });
});

describe('session permissions', () => {
  it('refuses every request and check but the camera alone', () => {
    const session = {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
    };
    restrictPermissions(session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      wc: unknown,
      p: string,
      cb: (ok: boolean) => void,
      details?: unknown,
    ) => void;
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (wc: unknown, p: string, origin?: string, details?: unknown) => boolean;
    const device = session.setDevicePermissionHandler.mock.calls[0]?.[0] as (details: unknown) => boolean;
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'hid',
      'serial',
    ]) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(check({}, permission)).toBe(false);
    }
    const camera = vi.fn();
    request({}, 'media', camera, { mediaTypes: ['video'] });
    expect(camera).toHaveBeenCalledWith(true);
    const microphone = vi.fn();
    request({}, 'media', microphone, { mediaTypes: ['audio', 'video'] });
    expect(microphone).toHaveBeenCalledWith(false);
    expect(check({}, 'media', 'app://patron', { mediaType: 'video' })).toBe(true);
    expect(check({}, 'media', 'app://patron', { mediaType: 'audio' })).toBe(false);
    expect(device({ deviceType: 'usb' })).toBe(false);
  });
});
