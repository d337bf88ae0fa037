import { downloadBlob } from '../../lib/download.ts';
// CSV for every exported table. No CSV library is installed (docs/architecture.md#dependencies prefers one — papaparse's `unparse`
// would do; see the closing note), and writing CSV is the small half of the problem: RFC 4180 quoting, CRLF
// line ends, and a UTF-8 byte-order mark so Excel opens Persian text as UTF-8 rather than the ANSI code page.

/** A cell: text or a number (numbers are written plainly, ASCII digits, so spreadsheets read them as numbers). */
export type CsvCell = string | number | null;

/** Characters that make a spreadsheet treat a text cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

function encodeCell(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  // A customer named "=HYPERLINK(…)" must stay text: a leading apostrophe is what spreadsheets hide and keep.
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text of a header row and rows: RFC 4180 quoting, CRLF, preceded by a UTF-8 BOM. */
export function toCsv(headers: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [headers, ...rows].map((row) => row.map(encodeCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** A file name safe on every platform: letters, digits, dot, dash and underscore only. */
export function csvFileName(base: string, suffix: string): string {
  const clean = `${base}-${suffix}`.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return `${clean || 'export'}.csv`;
}

/** Saves CSV text as a download. */
export function downloadCsv(fileName: string, csv: string, doc: Document = document): void {
  downloadBlob(fileName, new Blob([csv], { type: 'text/csv;charset=utf-8' }), doc);
}
