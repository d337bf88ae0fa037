import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerServiceWorker, resetServiceWorkerRegistration } from '../../src/renderer/lib/service-worker.ts';

afterEach(() => resetServiceWorkerRegistration());

function fakeContainer() {
  const calls: [string, RegistrationOptions | undefined][] = [];
  return {
    calls,
    register: async (url: string | URL, options?: RegistrationOptions) => {
      calls.push([String(url), options]);
      return {} as ServiceWorkerRegistration;
    },
  };
}

describe('service worker registration', () => {
  it('registers /sw.js once, for the whole app, in a production web build over http(s)', async () => {
    const container = fakeContainer();
    const host = { serviceWorker: container, protocol: 'https:', production: true, desktop: false };
    await registerServiceWorker(host);
    await registerServiceWorker(host);
    expect(container.calls).toEqual([['/sw.js', { scope: '/', updateViaCache: 'none' }]]);
  });

  it('stays away from the desktop app, the dev server and other schemes', async () => {
    const container = fakeContainer();
    expect(
      await registerServiceWorker({ serviceWorker: container, protocol: 'app:', production: true, desktop: true }),
    ).toBeNull();
    expect(
      await registerServiceWorker({ serviceWorker: container, protocol: 'http:', production: false, desktop: false }),
    ).toBeNull();
    expect(
      await registerServiceWorker({ serviceWorker: undefined, protocol: 'http:', production: true, desktop: false }),
    ).toBeNull();
    expect(container.calls).toEqual([]);
  });

  it('never caches the sync API (network only for /v1 and health)', () => {
    const worker = readFileSync(path.resolve(import.meta.dirname, '../../src/renderer/public/sw.js'), 'utf8');
    const pattern = /const NETWORK_ONLY = (\/.*\/);/.exec(worker)?.[1];
    expect(pattern).toBeDefined();
    const networkOnly = new RegExp(pattern!.slice(1, -1));
    for (const p of [
      '/v1/pull/customers',
      '/v1/stream',
      '/v1/token',
      '/health',
      '/metrics',
      '/precache.json',
      '/sw.js',
    ])
      expect(networkOnly.test(p), p).toBe(true);
    for (const p of ['/', '/assets/index-abc.js', '/manifest.webmanifest']) expect(networkOnly.test(p), p).toBe(false);
  });
});
