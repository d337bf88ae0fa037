// @ts-check
// Architecture is enforced here, not remembered: each area lists what it may not import (STYLE.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

const server = { group: ['**/sync/server/**', '**/server/**'], message: 'Only tests and the server entry points import src/sync/server.' };
const renderer = { group: ['**/renderer/**'], message: 'Only the renderer imports the renderer.' };
const main = { group: ['**/main/**', '!**/main/ipc', '!**/main/ipc/contract*'], message: 'The renderer may only import src/main/ipc/contract.ts (types).' };
const nodeBuiltins = { group: ['node:*'], message: 'No Node built-ins here: this code runs in the browser.' };
const replicaMessage = 'Features and components read through the terminal\'s queries and write through its commands (src/sync/client), never the replica.';
const replica = (name) => ({ name, message: replicaMessage });

// One format everywhere (issue 17): numbers, amounts, dates and phones for people come from
// src/renderer/lib/format.ts, in the user's locale — never a stray Intl, toLocale* or toFixed in a page.
const formatMessage = 'Format for people with src/renderer/lib/format.ts (the user\'s locale, Persian digits in Persian).';
const formatOnce = [
  { selector: "NewExpression[callee.object.name='Intl']", message: formatMessage },
  { selector: "CallExpression[callee.property.name=/^toLocale/]", message: formatMessage },
  { selector: "CallExpression[callee.property.name='toFixed']", message: formatMessage },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', '.patron/', '.tmp*/', 'test/lint/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // A cycle makes module start-up order matter and hides which area depends on which (STYLE.md).
    files: ['src/**/*.{ts,tsx}', 'test/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [importX.createNodeResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src/sync/model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['rxdb', 'rxjs', 'react', 'react-dom', 'electron', 'fastify', 'pg', '@electric-sql/pglite']
          .map((name) => ({ name, message: 'src/sync/model is pure: zod and small pure libraries only.' })),
        patterns: [
          nodeBuiltins,
          { group: ['rxdb/*', 'react/*', 'electron/*', '@fastify/*'], message: 'src/sync/model is pure.' },
          { group: ['**/client/**', '**/server/**', '**/renderer/**', '**/main/**'], message: 'src/sync/model imports nothing else of Patron.' },
        ],
      }],
    },
  },
  {
    files: ['src/sync/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['react', 'react-dom', 'electron'].map((name) => ({ name, message: 'src/sync/client has no React and no Electron.' })),
        patterns: [nodeBuiltins, server, renderer, { group: ['**/main/**'], message: 'src/sync/client has no Electron.' }],
      }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches Electron through the preload bridge only.' }],
        patterns: [nodeBuiltins, server, main],
      }],
    },
  },
  {
    // Components render and call: every read is a query of the terminal, every write one of its commands
    // (src/sync/client). The replica itself is out of reach here.
    files: ['src/renderer/features/**/*.{ts,tsx}', 'src/renderer/components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches Electron through the preload bridge only.' }, replica('rxdb')],
        patterns: [nodeBuiltins, server, main, { group: ['rxdb/*'], message: replicaMessage }],
      }],
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[property.name='db']",
        message: replicaMessage,
      }, ...formatOnce],
    },
  },
  {
    // The analytics engine computes (time zones, calendars) with Intl; it formats nothing for people.
    files: ['src/renderer/features/analytics/compute/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "MemberExpression[property.name='db']", message: replicaMessage }],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [server, renderer] }],
    },
  },
  {
    files: ['src/sync/server/**/*.ts', 'test/**/*.ts', 'bin/**/*.mjs', '*.config.{ts,js}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
