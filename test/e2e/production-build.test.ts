import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Rolldown } from 'vite';
import { buildWebApp, REPO, type WebBuild } from '../helpers/web-build.ts';

// The web build that the sync server serves (dist/web) must be a production build: no RxDB dev-mode plugin
// (it validates every write, deep-freezes documents and loads a remote iframe) and no development React.
// test/main/csp.test.ts checks the built page's CSP (and builds out/renderer's settings); this checks what the
// built scripts of the web build contain.

/** Texts of the dev-mode plugin that survive minification (its export name does not). */
const RXDB_DEV_MODE = ['RxDBDevModePlugin', 'RxDB dev-mode warning', 'disableWarnings() from the dev-mode plugin', 'given name is no string or empty'];
const REACT_DEVELOPMENT = ['jsxDEV', 'doubleInvokeEffectsInDEV', 'react-dom.development'];

let web: WebBuild;

beforeAll(async () => {
  web = await buildWebApp();
}, 120_000);

afterAll(() => web?.remove());

function found(texts: readonly { file: string; text: string }[], markers: readonly string[]): string[] {
  return texts.flatMap(({ file, text }) => markers.filter((marker) => text.includes(marker)).map((marker) => `${file}: ${marker}`));
}

describe('the production web build (as npm run build:web makes dist/web)', () => {
  it('has the app and RxDB core in its scripts', () => {
    const scripts = web.assets().filter((a) => a.file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(3);
    expect(scripts.some((s) => s.text.includes('RxDB Error-Code'))).toBe(true);
  });

  it('contains no RxDB dev-mode code', () => {
    expect(found(web.assets(), RXDB_DEV_MODE)).toEqual([]);
  });

  it('contains no development build of React', () => {
    expect(found(web.assets(), REACT_DEVELOPMENT)).toEqual([]);
  });

  it('would notice dev-mode: a minified bundle that adds the plugin shows the markers', async () => {
    const entry = '\0dev-mode-probe';
    const output = (await build({
      configFile: false,
      root: REPO,
      logLevel: 'silent',
      mode: 'production',
      plugins: [
        {
          name: 'dev-mode-probe',
          resolveId: (id) => (id === entry ? id : null),
          load: (id) => (id === entry ? `import { addRxPlugin } from 'rxdb'; import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode'; addRxPlugin(RxDBDevModePlugin);` : null),
        },
      ],
      build: { write: false, minify: true, rollupOptions: { input: entry } },
    })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((o) => o.type === 'chunk');
    expect(found(chunks.map((c) => ({ file: c.fileName, text: c.code })), RXDB_DEV_MODE).length).toBeGreaterThan(0);
  }, 60_000);
});
