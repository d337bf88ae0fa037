import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

/** The repository root (test/helpers → ../..). */
export const REPO = path.resolve(import.meta.dirname, '../..');

/** A production web build in a folder of its own (removed by `remove`). */
export interface WebBuild {
  dir: string;
  /** Every built file under assets/ with its text (JavaScript, CSS, workers). */
  assets(): { file: string; text: string }[];
  remove(): void;
}

/**
 * Builds the web app exactly as `npm run build:web` does (src/renderer/vite.config.ts), into a temp folder:
 * the suite runs from a clean checkout and never reads or overwrites dist/web.
 */
export async function buildWebApp(options: { minify?: boolean } = {}): Promise<WebBuild> {
  const dir = mkdtempSync(path.join(tmpdir(), 'patron-e2e-web-'));
  // Vitest sets NODE_ENV=test, and Vite lets NODE_ENV decide which React it bundles: without this the suite
  // would test a development build (StrictMode's doubled effects, jsxDEV), not what `npm run build:web` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(REPO, 'src/renderer/vite.config.ts'),
      logLevel: 'silent',
      mode: 'production',
      // Unminified only to read a profile or a stack (E2E_DEBUG_ERRORS, the benchmark's profile mode).
      build: { outDir: dir, emptyOutDir: true, ...(options.minify === false || process.env.E2E_DEBUG_ERRORS ? { minify: false } : {}) },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return {
    dir,
    assets: () =>
      readdirSync(path.join(dir, 'assets'), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(js|mjs|css)$/.test(file))
        .map((file) => ({ file, text: readFileSync(path.join(dir, 'assets', file), 'utf8') })),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
