import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { securePreferences } from '../../src/main/policy/preferences.ts';

const MAIN_DIR = path.resolve(import.meta.dirname, '../../src/main');

describe('securePreferences', () => {
  it('fixes every security-relevant preference', () => {
    const prefs = securePreferences({ preload: '/opt/patron/out/preload/index.cjs' });
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      plugins: false,
      navigateOnDragDrop: false,
      javascript: true,
      devTools: false,
      preload: '/opt/patron/out/preload/index.cjs',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('is frozen, so nobody patches it after the fact', () => {
    const prefs = securePreferences();
    expect(Object.isFrozen(prefs)).toBe(true);
    expect(() => Object.assign(prefs, { sandbox: false })).toThrow(TypeError);
  });

  it('omits the preload when none is given and can turn JavaScript off (receipt window)', () => {
    const prefs = securePreferences({ javascript: false });
    expect(prefs).not.toHaveProperty('preload');
    expect(prefs.javascript).toBe(false);
    expect(prefs.sandbox).toBe(true);
  });

  it.each(['index.cjs', '../preload/index.cjs', 'file:///x/index.cjs', '/x/\0.cjs'])(
    'refuses preload path %j',
    (preload) => {
      expect(() => securePreferences({ preload })).toThrow(/absolute/);
    },
  );

  it('accepts a Windows absolute preload path', () => {
    expect(
      securePreferences({ preload: 'C:\\Program Files\\Patron\\resources\\app.asar\\out\\preload\\index.cjs' }).preload,
    ).toMatch(/^C:/);
  });
});

// ---- static checks over every file of src/main (parsed with the TypeScript compiler, not regexes) ----

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

function propertyName(name: ts.PropertyName): string | null {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)
    ? name.text
    : null;
}

const DANGEROUS: Readonly<Record<string, boolean>> = {
  nodeIntegration: true,
  nodeIntegrationInSubFrames: true,
  nodeIntegrationInWorker: true,
  contextIsolation: false,
  sandbox: false,
  webSecurity: false,
  webviewTag: true,
  allowRunningInsecureContent: true,
  experimentalFeatures: true,
};

describe('every BrowserWindow in src/main', () => {
  const files = sourceFiles(MAIN_DIR);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith(`${path.sep}window.ts`))).toBe(true);
  });

  it('is constructed only in window.ts, with webPreferences: securePreferences(…) as the last property', () => {
    const constructions: string[] = [];
    for (const file of files) {
      walk(parse(file), (node) => {
        if (!ts.isNewExpression(node) || node.expression.getText() !== 'BrowserWindow') return;
        const where = `${path.relative(MAIN_DIR, file)}:${node.getStart()}`;
        constructions.push(where);
        const [options] = node.arguments ?? [];
        expect(options && ts.isObjectLiteralExpression(options), `${where}: options must be an object literal`).toBe(
          true,
        );
        const props = (options as ts.ObjectLiteralExpression).properties;
        const last = props.at(-1);
        expect(
          last && ts.isPropertyAssignment(last) && propertyName(last.name) === 'webPreferences',
          `${where}: webPreferences last`,
        ).toBe(true);
        const init = (last as ts.PropertyAssignment).initializer;
        expect(
          ts.isCallExpression(init) && init.expression.getText() === 'securePreferences',
          `${where}: from the factory`,
        ).toBe(true);
        const others = props
          .slice(0, -1)
          .filter(
            (p) => !ts.isSpreadAssignment(p) && p.name && propertyName(p.name as ts.PropertyName) === 'webPreferences',
          );
        expect(others, `${where}: a single webPreferences`).toEqual([]);
      });
    }
    expect(constructions).toHaveLength(1);
    expect(constructions[0]).toMatch(/^window\.ts:/);
  });

  it('is imported as a value (not just a type) only by window.ts, so it cannot be aliased elsewhere', () => {
    const importers: string[] = [];
    for (const file of files) {
      walk(parse(file), (node) => {
        if (!ts.isImportDeclaration(node) || node.importClause?.isTypeOnly) return;
        if ((node.moduleSpecifier as ts.StringLiteral).text !== 'electron') return;
        const named = node.importClause?.namedBindings;
        if (named && ts.isNamespaceImport(named)) importers.push(`${path.relative(MAIN_DIR, file)} (namespace import)`);
        if (node.importClause?.name) importers.push(`${path.relative(MAIN_DIR, file)} (default import)`);
        if (named && ts.isNamedImports(named)) {
          for (const el of named.elements) {
            if (!el.isTypeOnly && (el.propertyName ?? el.name).text === 'BrowserWindow')
              importers.push(path.relative(MAIN_DIR, file));
          }
        }
      });
    }
    expect(importers).toEqual(['window.ts']);
  });

  it('never sets a dangerous preference anywhere', () => {
    const offences: string[] = [];
    for (const file of files) {
      walk(parse(file), (node) => {
        if (!ts.isPropertyAssignment(node)) return;
        const name = propertyName(node.name);
        if (name === null || !(name in DANGEROUS)) return;
        const value =
          node.initializer.kind === ts.SyntaxKind.TrueKeyword
            ? true
            : node.initializer.kind === ts.SyntaxKind.FalseKeyword
              ? false
              : null;
        // A non-literal value for one of these keys is an offence too: it could be anything at run time.
        if (value === null || value === DANGEROUS[name])
          offences.push(`${path.relative(MAIN_DIR, file)}: ${node.getText()}`);
      });
      const text = readFileSync(file, 'utf8');
      if (/enableBlinkFeatures|setUsePlainTextEncryption|--no-sandbox|disable-web-security/.test(text))
        offences.push(`${file}: forbidden switch`);
    }
    expect(offences).toEqual([]);
  });
});
