import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The electron-builder configuration ("build" in package.json), checked with electron-builder's own schema
// validator, plus the few facts the build and the lifecycle file must agree on.

const REPO = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  main: string;
  build: Record<string, unknown> & { electronFuses: Record<string, boolean>; files: string[] };
};
const require = createRequire(import.meta.url);

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema validation", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util/out/DebugLogger') as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    await expect(validateConfiguration(pkg.build, new DebugLogger(false))).resolves.toBeUndefined();
    // …which really validates: a misspelt fuse is refused.
    await expect(
      validateConfiguration({ electronFuses: { runAsNod: false } }, new DebugLogger(false)),
    ).rejects.toThrow();
  });

  it('flips the fuses', () => {
    expect(pkg.build.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('builds Linux AppImage and deb, Windows NSIS and macOS dmg', () => {
    expect(pkg.build).toMatchObject({
      appId: expect.any(String),
      productName: 'Patron',
      asar: true,
      linux: { target: ['AppImage', 'deb'] },
      win: { target: ['nsis'] },
      mac: { target: ['dmg'] },
    });
  });

  it('packs the built app only: out/{main,preload,renderer}, no node_modules, no source maps', () => {
    expect(pkg.build.files).toEqual(
      expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', '!node_modules/**', '!**/*.map']),
    );
    expect(pkg.build.files.some((f) => f.startsWith('src') || f === '**/*')).toBe(false);
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('loads the preload file electron.config.ts produces', () => {
    const config = readFileSync(path.join(REPO, 'electron.config.ts'), 'utf8');
    const lifecycle = readFileSync(path.join(REPO, 'src/main/index.ts'), 'utf8');
    expect(config).toMatch(/entryFileNames: 'index\.cjs'/);
    expect(config).toMatch(/formats: \['cjs'\]/);
    expect(lifecycle).toContain("'../preload/index.cjs'");
    expect(lifecycle).toContain("'../renderer'");
  });

  it('builds the desktop renderer with absolute asset URLs, so client-side routes reload', async () => {
    const { default: config } = (await import('../../electron.config.ts')) as {
      default: { renderer?: { plugins?: unknown[] } };
    };
    const plugin = config.renderer?.plugins?.find(
      (p): p is { name: string; config: () => unknown } => (p as { name?: string }).name === 'patron:absolute-base',
    );
    expect(plugin?.config()).toEqual({ base: '/' });
  });

  it('keeps index.ts a short lifecycle file', () => {
    expect(readFileSync(path.join(REPO, 'src/main/index.ts'), 'utf8').split('\n').length).toBeLessThan(100);
  });
});
