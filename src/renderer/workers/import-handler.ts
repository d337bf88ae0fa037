import { checkRows } from '../../sync/model/import-rows.ts';
import { decodeText, readCsv, readXlsx, TableError, tableKind, type Table } from '../../sync/model/import-table.ts';
import { CHECK_SLICE, PREVIEW_ROWS, ToImportWorkerSchema, type FromImportWorker } from './import-messages.ts';

// The import worker as a pure message handler (as analytics-handler.ts): a file in, its table out; a mapping
// in, checked rows out, in slices with progress between them. Reading, parsing and checking 50,000 rows
// happen here, off the page's thread. The rules are the model's (import-table.ts, import-rows.ts), the same
// `patron-sync import` runs.

/** Creates the handler; `post` sends an answer to the page. */
export function createImportHandler(post: (message: FromImportWorker) => void) {
  let table: Table | null = null;

  async function read(fileName: string, bytes: ArrayBuffer): Promise<void> {
    const kind = tableKind(fileName);
    if (kind === null) throw new TableError('UNKNOWN_FORMAT');
    table = kind === 'xlsx' ? await readXlsx(bytes) : readCsv(decodeText(bytes));
    post({ type: 'table', headers: table.headers, preview: table.rows.slice(0, PREVIEW_ROWS), rowCount: table.rows.length });
  }

  return {
    async handle(raw: unknown): Promise<void> {
      const parsed = ToImportWorkerSchema.safeParse(raw);
      if (!parsed.success) return post({ type: 'failed', problem: 'UNREADABLE_FILE' });
      const message = parsed.data;
      try {
        if (message.type === 'read') return await read(message.fileName, message.bytes);
        if (!table) return post({ type: 'failed', problem: 'EMPTY_FILE' });
        const result: FromImportWorker & { type: 'checked' } = { type: 'checked', rows: [], errors: [] };
        for (let at = 0; at < table.rows.length; at += CHECK_SLICE) {
          const slice = checkRows(table.rows.slice(at, at + CHECK_SLICE), message.mapping, message.rules);
          // checkRows numbers a slice's lines from 2: shift them to the file's lines.
          for (const row of slice.rows) result.rows.push({ ...row, line: row.line + at });
          for (const error of slice.errors) result.errors.push({ ...error, line: error.line + at });
          post({ type: 'progress', done: Math.min(at + CHECK_SLICE, table.rows.length), total: table.rows.length });
        }
        post(result);
      } catch (error) {
        post({ type: 'failed', problem: error instanceof TableError ? error.problem : 'UNREADABLE_FILE' });
      }
    },
  };
}
