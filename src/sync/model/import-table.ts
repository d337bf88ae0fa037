import Papa from 'papaparse';
import { readSheet } from 'read-excel-file/universal';

// A customer file as a table of text cells, the same in the browser's worker and in `patron-sync import`:
// CSV through papaparse (delimiter detected), the first sheet of an .xlsx through read-excel-file's universal
// build (pure JavaScript, so it runs in a Web Worker and in Node alike). Callers decode bytes to text for CSV.

/** The formats an import reads. */
export type TableKind = 'csv' | 'xlsx';

/** The headers (first row) and the data rows, every cell text. */
export interface Table {
  headers: string[];
  rows: string[][];
}

/** Most data rows one import reads. */
export const MAX_IMPORT_ROWS = 200_000;

/** Why a file could not be read as a table. */
export type TableProblem = 'UNREADABLE_FILE' | 'EMPTY_FILE' | 'TOO_MANY_ROWS' | 'UNKNOWN_FORMAT';

/** A file refused before any row is checked. */
export class TableError extends Error {
  override readonly name = 'TableError';
  constructor(readonly problem: TableProblem) {
    super(problem);
  }
}

/** The kind of a file by its name, or null. */
export function tableKind(fileName: string): TableKind | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  return lower.endsWith('.csv') || lower.endsWith('.txt') ? 'csv' : null;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  // A date cell: the calendar date it shows (spreadsheets store dates without a zone; read-excel-file gives UTC).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  return String(value);
}

function split(all: readonly (readonly unknown[])[]): Table {
  const nonEmpty = all.filter((row) => row.some((cell) => cellText(cell).trim() !== ''));
  const [head, ...rows] = nonEmpty;
  if (!head) throw new TableError('EMPTY_FILE');
  if (rows.length > MAX_IMPORT_ROWS) throw new TableError('TOO_MANY_ROWS');
  return { headers: head.map((cell) => cellText(cell).trim()), rows: rows.map((row) => row.map(cellText)) };
}

// TextDecoder exists in browsers, workers and Node alike, but the model's type library (ES only) does not declare it.
type Decoder = new (label: string, options?: { fatal?: boolean }) => { decode(bytes: ArrayBuffer | Uint8Array): string };
const TextDecoderOf = (globalThis as unknown as { TextDecoder: Decoder }).TextDecoder;

/** A CSV file's text: UTF-8 (its BOM dropped), or Windows-1256 — what Excel saves Persian CSV files in — when it is not UTF-8. */
export function decodeText(bytes: ArrayBuffer | Uint8Array): string {
  try {
    return new TextDecoderOf('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoderOf('windows-1256').decode(bytes);
  }
}

/** The table of a CSV text (the header row first). */
export function readCsv(text: string): Table {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  // Papaparse reports a ragged row or a stray quote but still gives its cells; only a text with no rows is unreadable.
  if (parsed.data.length === 0 && parsed.errors.length > 0) throw new TableError('UNREADABLE_FILE');
  return split(parsed.data);
}

/** The table of the first sheet of an .xlsx file. */
export async function readXlsx(bytes: ArrayBuffer): Promise<Table> {
  let data: unknown[][];
  try {
    data = (await readSheet(bytes)) as unknown[][];
  } catch {
    throw new TableError('UNREADABLE_FILE');
  }
  return split(data);
}

/** The error file: one line per refused cell, its labels and messages in the reader's language. */
export function errorFileCsv(
  errors: readonly { line: number; field: string; problem: string; value: string }[],
  words: { headers: [line: string, column: string, value: string, problem: string]; field(field: string): string; problem(problem: string): string },
): string {
  const rows = errors.map((error) => [String(error.line), words.field(error.field), error.value, words.problem(error.problem)]);
  // A BOM so that Excel opens the UTF-8 text (Persian) as UTF-8; cells of the file that start like a formula stay text.
  return `\uFEFF${Papa.unparse([words.headers, ...rows], { escapeFormulae: true })}`;
}
