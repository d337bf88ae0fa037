import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// What the locale suites read: the renderer's sources, its translation tables, and untranslated JSX.

/** The renderer's source folder. */
export const RENDERER = path.resolve(import.meta.dirname, '../../src/renderer');

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

/** A namespace's translations in one locale, as flat `a.b.c` keys. */
export function localeKeys(locale: string, ns: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(path.join(RENDERER, 'i18n/locales', locale, `${ns}.json`), 'utf8')) as Tree);
}

/** Every `.ts`/`.tsx` file below `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** Attributes people read (or hear): a literal with letters there is untranslated text. */
export const SPOKEN_ATTRIBUTES = ['aria-label', 'aria-valuetext', 'placeholder', 'title', 'alt', 'label'] as const;

/**
 * Untranslated text in the JSX of `files` (`.tsx` only): text children with letters, and string literals
 * with letters in the spoken attributes (plus `extraAttributes`). Each as `relative/path.tsx: text`.
 */
export function rawJsxText(files: readonly string[], root: string, extraAttributes: readonly string[] = []): string[] {
  const spoken = new Set<string>([...SPOKEN_ATTRIBUTES, ...extraAttributes]);
  const raw: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.tsx'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    const visit = (node: ts.Node): void => {
      if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) raw.push(`${path.relative(root, file)}: ${node.text.trim()}`);
      if (ts.isJsxAttribute(node) && spoken.has(node.name.getText(source)) && node.initializer && ts.isStringLiteral(node.initializer) && /\p{L}/u.test(node.initializer.text)) {
        raw.push(`${path.relative(root, file)}: ${node.name.getText(source)}="${node.initializer.text}"`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return raw;
}
