import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import pkg from '../../package.json' with { type: 'json' };

// The renderer's build settings, shared by the web build (this file: `npm run build:web` → dist/web, later
// served by the sync server; `npm run dev`) and the desktop build (electron.config.ts → out/renderer).
// Runs in Node at build time (tsconfig.node.json), so it imports no node:* and keeps to Node globals.

const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/i;

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

/**
 * Dev server only (`apply: 'serve'`, so it can never touch a build): lets the CSP of index.html admit what a
 * Vite dev server needs — its inline React-refresh preamble by hash (not 'unsafe-inline'), the <style> tags
 * Vite injects for CSS ('unsafe-inline' for styles, dev only), and the loopback sync server / HMR socket.
 * The built index.html keeps the strict policy; tests parse the built file.
 */
export function devCspPlugin(): Plugin {
  return {
    name: 'patron:dev-csp',
    apply: 'serve',
    transformIndexHtml: {
      order: 'post',
      async handler(html) {
        const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1] ?? '');
        const hashes = await Promise.all(inline.map(async (code) => `'sha256-${await sha256Base64(code)}'`));
        const loopback = ['http://localhost:*', 'http://127.0.0.1:*', 'ws://localhost:*', 'ws://127.0.0.1:*'];
        return html.replace(CSP_META, (_m, open: string, policy: string, close: string) => {
          const relaxed = policy
            .split(';')
            .map((part) => {
              const directive = part.trim();
              if (directive.startsWith('script-src ')) return [directive, ...hashes].join(' ');
              if (directive.startsWith('style-src ')) return `${directive} 'unsafe-inline'`;
              if (directive.startsWith('connect-src ')) return [directive, ...loopback].join(' ');
              return directive;
            })
            .join('; ');
          return `${open}${relaxed}${close}`;
        });
      },
    },
  };
}

/**
 * write-excel-file's `fflate` is lib/fflate-sync-zip.ts: fflate whose `zip` never starts a blob: worker, which
 * the CSP refuses (the xlsx export). Only that package's imports are redirected; the shim's own import of
 * `fflate` and every other importer get fflate itself.
 */
export function syncZipForExcel(): Plugin {
  const shim = new URL('./lib/fflate-sync-zip.ts', import.meta.url).pathname;
  return {
    name: 'patron:sync-zip-for-excel',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'fflate' && importer?.includes('/node_modules/write-excel-file/')) return shim;
      return null;
    },
  };
}

/** Plugins and constants every renderer build uses. */
export function rendererOptions(): Pick<UserConfig, 'plugins' | 'define'> {
  return {
    plugins: [react(), devCspPlugin(), syncZipForExcel()],
    // Read by lib/platform.ts in the web build (the desktop app asks main for its version).
    define: { __PATRON_VERSION__: JSON.stringify(pkg.version) },
  };
}

/** Files of public/ the installed web app needs offline (copied as they are, so not in the bundle). */
const PUBLIC_APP_FILES = ['/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/icon-512.png'];

/**
 * Web build only (`npm run build:web`; the desktop app loads from app:// and registers no service worker):
 * writes /precache.json — every built file plus the page itself, and a version derived from their
 * content-hashed names — which public/sw.js caches on install and compares on each online load; and links
 * the web app manifest from index.html so the app can be installed on a tablet.
 */
export function webAppPlugin(): Plugin {
  return {
    name: 'patron:web-app',
    apply: 'build',
    async generateBundle(_options, bundle) {
      const built = Object.keys(bundle)
        .filter((file) => file !== 'index.html' && !file.endsWith('.map'))
        .map((file) => `/${file}`)
        .sort();
      const files = ['/', ...built, ...PUBLIC_APP_FILES];
      const version = (await sha256Base64(built.join('\n'))).replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
      this.emitFile({ type: 'asset', fileName: 'precache.json', source: JSON.stringify({ version, files }) });
    },
    transformIndexHtml: () => [
      { tag: 'link', attrs: { rel: 'manifest', href: '/manifest.webmanifest' }, injectTo: 'head' },
      { tag: 'meta', attrs: { name: 'theme-color', content: '#0b5cad' }, injectTo: 'head' },
      { tag: 'link', attrs: { rel: 'icon', href: '/icon.svg', type: 'image/svg+xml' }, injectTo: 'head' },
    ],
  };
}

const devSyncServer = process.env.PATRON_DEV_SYNC_URL;

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  ...rendererOptions(),
  plugins: [...(rendererOptions().plugins ?? []), webAppPlugin()],
  build: { outDir: '../../dist/web', emptyOutDir: true, target: 'es2022' },
  // `npm run dev` against a local sync server: same-origin /v1 requests, as when the server serves the app.
  ...(devSyncServer ? { server: { proxy: { '/v1': { target: devSyncServer, changeOrigin: true } } } } : {}),
});
