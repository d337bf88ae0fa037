import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { API_PREFIX } from '../../model/routes.ts';
import type { DemoResult } from './load.ts';

// What `patron-sync demo` and `start` print for the operator: where the demo lives, a code to enrol a
// terminal with, and the demo staff with their PINs (stdout only — never the server log).

/** The store the printed enrolment code is for. */
export function firstStore(demo: DemoResult): DemoResult['stores'][number] {
  const store = demo.stores[0];
  if (!store) throw new Error('the demo merchant has no store');
  return store;
}

function staffLines(demo: DemoResult): string {
  return textTable(['NAME', 'ROLE', 'PIN', 'WHERE'], demo.staff.map((s) => [s.name, s.role, s.pin, s.storeIds.length === 0 ? 'every store' : demo.stores.filter((st) => s.storeIds.includes(st.id)).map((st) => st.name).join(', ')]), '    ');
}

/** The summary of `patron-sync demo`. */
export function demoSummary(demo: DemoResult, code: { code: string; expiresAt: Date }): string {
  const store = firstStore(demo);
  return [
    '',
    `Demo merchant "Café Patron": ${demo.merchantId}`,
    ...demo.stores.map((s) => `  store ${s.id}  ${s.name}`),
    `  ${demo.counts.customers} customers, ${demo.counts.visits} visits, ${demo.counts.loyaltyEntries} ledger entries, ${demo.counts.rewards} rewards`,
    '',
    `Enrolment code: ${code.code}  (store "${store.name}", single use, valid until ${code.expiresAt.toISOString()})`,
    'Staff (demo PINs):',
    staffLines(demo),
    '',
    'Run the server with `patron-sync serve`, open it, and enrol the terminal with the code.',
  ].join('\n');
}

/** The summary `npm start` prints under the URL line. */
export function startSummary(url: string, demo: DemoResult, code: { code: string; expiresAt: Date }, where: { webRoot: string; everyInterface: boolean }): string {
  const store = firstStore(demo);
  const built = existsSync(join(where.webRoot, 'index.html'));
  const minutes = Math.round((code.expiresAt.getTime() - Date.now()) / 60_000);
  return [
    '',
    built ? `  Open the counter app:  ${url}/` : `  The counter app is not built (run \`npm run build:web\`); the sync API is at ${url}${API_PREFIX}`,
    `  Enrolment code:        ${code.code}   (store "${store.name}", single use, valid ${minutes} minutes)`,
    '  Staff (demo PINs):',
    staffLines(demo),
    '',
    where.everyInterface ? '  Stop with Ctrl+C.' : '  Tablets on this network: restart with --host 0.0.0.0. Stop with Ctrl+C.',
    '',
  ].join('\n');
}

/**
 * Left-aligned text columns. Control characters are replaced: cells can hold names a terminal sent (device
 * names), which must not drive the operator's terminal with escape sequences.
 */
export function textTable(header: string[], rows: string[][], indent = ''): string {
  const clean = rows.map((row) => row.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...clean.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...clean.map(line)].join('\n');
}

function printable(text: string): string {
  return Array.from(text, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? '?' : ch;
  }).join('');
}
