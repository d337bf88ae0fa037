import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboxKindSchema, InboxItemSchema } from '../../../src/sync/model/inbox.ts';

// The inbox's strings: every key its components use, literal or built from a state, exists in English and
// Persian (a missing key would show the raw key to a manager).

const RENDERER = path.resolve(import.meta.dirname, '../../../src/renderer');
const FEATURE = path.join(RENDERER, 'features/inbox');

type Tree = { [key: string]: string | Tree };
const load = (locale: string, ns: string) => JSON.parse(readFileSync(path.join(RENDERER, 'i18n/locales', locale, `${ns}.json`), 'utf8')) as Tree;
function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}
const tables = Object.fromEntries(['en', 'fa'].map((locale) => [locale, { inbox: load(locale, 'inbox'), common: load(locale, 'common') }]));
function missing(keys: readonly string[]): string[] {
  return ['en', 'fa'].flatMap((locale) =>
    keys.filter((key) => {
      const [ns, name] = key.includes(':') ? (key.split(':') as ['inbox' | 'common', string]) : (['inbox', key] as const);
      return !lookup(tables[locale]![ns], name)?.trim();
    }).map((key) => `${locale} ${key}`),
  );
}

describe('inbox locales', () => {
  it('has every literal key the inbox components use', () => {
    const files = readdirSync(FEATURE).filter((name) => name.endsWith('.tsx'));
    const keys = files.flatMap((name) => [...readFileSync(path.join(FEATURE, name), 'utf8').matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => m[1]!));
    expect(keys).toContain('reopen');
    expect(missing(keys)).toEqual([]);
  });

  it('names every state, status a manager sets, kind and action error', () => {
    const statuses = InboxItemSchema.shape.status.options.filter((s) => s !== 'open');
    expect(missing([
      ...['open', 'resolved', 'dismissed', 'separated'].map((s) => `state.${s}`),
      ...statuses.map((s) => `settled.${s}`),
      'settled.someone',
      ...InboxKindSchema.options.flatMap((k) => [`kind.${k}`, `group.${k}`]),
      // The inbox command's refusals (common:errors, as every command's).
      ...['NOT_FOUND', 'SAME_CUSTOMER', 'ALREADY_MERGED', 'MERGE_CYCLE', 'NOT_OVERDRAWN', 'NOT_RESTORABLE', 'CONFLICT_GONE', 'WRITE_FAILED'].map((c) => `common:errors.${c}`),
    ])).toEqual([]);
  });
});
