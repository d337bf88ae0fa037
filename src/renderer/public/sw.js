/* global self, caches, fetch, URL, Request, Response, setTimeout */
// Patron's service worker: the installed web app opens with the server (or the network) down.
//
// - App files: cache-first. The build writes /precache.json (every built file, and a version derived from
//   their content-hashed names); install caches all of them, so pages never visited online work offline too.
// - Navigations (the app is one page with hash routes): network-first with a short timeout, falling back
//   to the cached page. A successful online load also checks /precache.json and, when the build changed,
//   caches the new files and drops the old cache — the next load is the new version.
// - /v1/* (sync, auth, stream) and the server's health endpoints: never touched — network only. Replicated
//   data lives in IndexedDB (RxDB), not here.

const PREFIX = 'patron-app-';
const MANIFEST = '/precache.json';
const NAVIGATION_TIMEOUT_MS = 4000;
const NETWORK_ONLY = /^\/(v1\/|health$|ready$|metrics$|precache\.json$|sw\.js$)/;

async function readManifest() {
  const response = await fetch(MANIFEST, { cache: 'no-store' });
  if (!response.ok) throw new Error(`precache manifest: ${response.status}`);
  const manifest = await response.json();
  if (typeof manifest.version !== 'string' || !Array.isArray(manifest.files)) throw new Error('bad precache manifest');
  return manifest;
}

async function install(manifest) {
  const name = PREFIX + manifest.version;
  const cache = await caches.open(name);
  const present = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
  const missing = manifest.files.filter((file) => !present.has(file));
  // cache: 'reload' bypasses the HTTP cache, so a half-deployed old file is never stored as the new one.
  await cache.addAll(missing.map((file) => new Request(file, { cache: 'reload' })));
  return name;
}

async function dropOthers(keep) {
  for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== keep) await caches.delete(key);
}

let lastRefresh = 0;
async function refresh() {
  if (Date.now() - lastRefresh < 60_000) return;
  lastRefresh = Date.now();
  try {
    const manifest = await readManifest();
    const name = PREFIX + manifest.version;
    if (!(await caches.has(name)) || (await (await caches.open(name)).keys()).length < manifest.files.length)
      await install(manifest);
    await dropOthers(name);
  } catch {
    // Offline or mid-deploy: keep what is cached; the next online load tries again.
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    readManifest()
      .then(install)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await refresh();
      await self.clients.claim();
    })(),
  );
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}

async function navigate(event) {
  try {
    const response = await Promise.race([fetch(event.request), timeout(NAVIGATION_TIMEOUT_MS)]);
    if (response.ok) {
      const copy = response.clone();
      event.waitUntil(
        (async () => {
          const keys = (await caches.keys()).filter((key) => key.startsWith(PREFIX));
          const name = keys[keys.length - 1];
          if (name) await (await caches.open(name)).put('/', copy);
          await refresh();
        })(),
      );
    }
    return response;
  } catch {
    const cached = (await caches.match('/')) ?? (await caches.match('/index.html'));
    return cached ?? Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') {
    const keys = (await caches.keys()).filter((key) => key.startsWith(PREFIX));
    const name = keys[keys.length - 1];
    if (name) await (await caches.open(name)).put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NETWORK_ONLY.test(url.pathname)) return;
  if (request.mode === 'navigate') event.respondWith(navigate(event));
  else event.respondWith(cacheFirst(request));
});
