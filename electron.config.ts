import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererOptions } from './src/renderer/vite.config.ts';

// electron-vite: main (src/main/index.ts), preload (src/main/preload) and the renderer (src/renderer, the
// same build settings as the web app) into out/main, out/preload, out/renderer.

const preloadEntry = fileURLToPath(new URL('./src/main/preload/index.ts', import.meta.url));
const renderer = rendererOptions();

export default defineConfig({
  main: {
    // Bundle zod and the model into out/main: the packaged app ships no node_modules (package.json "build").
    build: { externalizeDeps: false },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything but 'electron', so it is one self-contained CommonJS
      // file (a sandboxed preload is not an ES module).
      externalizeDeps: false,
      lib: { entry: preloadEntry, formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: 'index.cjs' } },
    },
  },
  renderer: {
    ...renderer,
    plugins: [
      ...(renderer.plugins ?? []),
      // electron-vite forces base './' for production; app:// serves index.html for client-side routes
      // (app://patron/customers/42), where './assets/…' would resolve under /customers/. Absolute it is.
      { name: 'patron:absolute-base', config: () => ({ base: '/' }) },
    ],
  },
});
