import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

/** The repository root (test/helpers → ../..). */
export const REPO = path.resolve(import.meta.dirname, '../..');

/** A production web build in a folder of its own. */
export interface WebBuild {
  dir: string;
  /** Every built file under assets/ with its text (JavaScript, CSS, workers). */
  assets(): { file: string; text: string }[];
  /** Removes a private build; a shared one stays for the other test files of the run. */
  remove(): void;
}

/** What a web build is made from: its hash names the shared build of these sources. */
const SOURCES = ['src/renderer', 'src/sync/model', 'src/sync/client', 'src/main/ipc', 'package-lock.json'];
const CACHE = path.join(REPO, 'node_modules/.cache/patron-web');

function filesUnder(entry: string): string[] {
  const full = path.join(REPO, entry);
  if (!statSync(full).isDirectory()) return [entry];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .map((file) => path.join(entry, file))
    .filter((file) => statSync(path.join(REPO, file)).isFile())
    .sort();
}

function sourceHash(minify: boolean): string {
  const hash = createHash('sha256').update(`minify=${minify}\n`);
  for (const file of SOURCES.flatMap(filesUnder)) hash.update(file).update('\0').update(readFileSync(path.join(REPO, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

async function viteBuild(dir: string, minify: boolean): Promise<void> {
  // Vitest sets NODE_ENV=test, and Vite lets NODE_ENV decide which React it bundles: without this the suite
  // would test a development build (StrictMode's doubled effects, jsxDEV), not what `npm run build:web` ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(REPO, 'src/renderer/vite.config.ts'),
      logLevel: 'silent',
      mode: 'production',
      build: { outDir: dir, emptyOutDir: true, ...(minify ? {} : { minify: false }) },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

function webBuild(dir: string, shared: boolean): WebBuild {
  return {
    dir,
    assets: () =>
      readdirSync(path.join(dir, 'assets'), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(js|mjs|css)$/.test(file))
        .map((file) => ({ file, text: readFileSync(path.join(dir, 'assets', file), 'utf8') })),
    remove: () => {
      if (!shared) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The build of the current sources, made once and shared by every test file of a run (and by later runs while
 * the sources are the same): each build costs seconds of a two-core machine. The first file to ask builds into
 * a temporary folder and renames it into place; a file asking meanwhile waits for the rename.
 */
async function sharedBuild(minify: boolean): Promise<string> {
  const dir = path.join(CACHE, sourceHash(minify));
  if (existsSync(path.join(dir, 'index.html'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    // Another test file is building the same sources: wait for its folder (a build takes well under a minute).
    for (let waited = 0; waited < 180_000 && !existsSync(path.join(dir, 'index.html')); waited += 250) await new Promise((r) => setTimeout(r, 250));
    if (existsSync(path.join(dir, 'index.html'))) return dir;
    rmSync(lock, { recursive: true, force: true });
    return sharedBuild(minify);
  }
  try {
    const building = mkdtempSync(path.join(CACHE, 'building-'));
    await viteBuild(building, minify);
    writeFileSync(path.join(building, '.sources'), SOURCES.join('\n'));
    renameSync(building, dir);
    pruneOldBuilds(dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

/** Keeps the cache small: the newest few builds stay (a minified and an unminified one of recent sources). */
function pruneOldBuilds(keep: string): void {
  const builds = readdirSync(CACHE)
    .filter((name) => /^[0-9a-f]{16}$/.test(name) && path.join(CACHE, name) !== keep)
    .map((name) => ({ dir: path.join(CACHE, name), at: statSync(path.join(CACHE, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(3)) rmSync(old.dir, { recursive: true, force: true });
}

/**
 * The web app built exactly as `npm run build:web` does (src/renderer/vite.config.ts). Shared by default (see
 * `sharedBuild`): the suite never reads or overwrites dist/web. `private` builds into a temporary folder of its
 * own, for a caller that adds files to it; unminified only to read a profile or a stack (E2E_DEBUG_ERRORS).
 */
export async function buildWebApp(options: { minify?: boolean; private?: boolean } = {}): Promise<WebBuild> {
  const minify = options.minify !== false && !process.env.E2E_DEBUG_ERRORS;
  if (!options.private) return webBuild(await sharedBuild(minify), true);
  const dir = mkdtempSync(path.join(tmpdir(), 'patron-e2e-web-'));
  try {
    await viteBuild(dir, minify);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return webBuild(dir, false);
}
