import { build } from 'vite';
import { REPO } from '../../helpers/web-build.ts';

// A benchmark's in-page half, bundled into the built web app's folder: served from the app's own origin, so the
// app's CSP admits it, and loaded into the app's page only when the benchmark adds it (page.addScriptTag).

/** Bundles `entry` as one ES module `fileName` in `outDir` (production mode, like the app's own build). */
export async function bundleIntoApp(outDir: string, entry: string, fileName: string): Promise<void> {
  await build({
    configFile: false,
    root: REPO,
    logLevel: 'silent',
    mode: 'production',
    publicDir: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      lib: { entry, formats: ['es'], fileName: () => fileName },
    },
  });
}
