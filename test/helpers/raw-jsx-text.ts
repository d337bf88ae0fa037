import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

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
