import type { ColumnMapping } from '../../../sync/model/import-mapping.ts';
import type { ImportRow, ImportRules, RowError } from '../../../sync/model/import-rows.ts';
import type { TableProblem } from '../../../sync/model/import-table.ts';
import type { FromImportWorker } from '../../workers/import-messages.ts';

// The page's side of the import worker (workers/import-handler.ts): one worker per import, a promise per
// request. The file's bytes are transferred, not copied.

/** A file the worker could not read. */
export class ImportFileError extends Error {
  constructor(readonly problem: TableProblem) {
    super(problem);
  }
}

/** What the worker read of a file. */
export interface ReadTable {
  headers: string[];
  preview: string[][];
  rowCount: number;
}

/** A worker-backed reader and checker of one customer file. */
export function createImportClient(worker: Worker = new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module', name: 'patron-import' })) {
  let onProgress: (done: number, total: number) => void = () => {};
  let pending: { resolve(message: FromImportWorker): void } | null = null;
  worker.onmessage = (event: MessageEvent<FromImportWorker>) => {
    if (event.data.type === 'progress') onProgress(event.data.done, event.data.total);
    else pending?.resolve(event.data);
  };
  const ask = (message: unknown, transfer: Transferable[] = []) =>
    new Promise<FromImportWorker>((resolve) => {
      pending = { resolve };
      worker.postMessage(message, transfer);
    });
  return {
    async read(file: File): Promise<ReadTable> {
      const bytes = await file.arrayBuffer();
      const answer = await ask({ type: 'read', fileName: file.name, bytes }, [bytes]);
      if (answer.type === 'failed') throw new ImportFileError(answer.problem);
      if (answer.type !== 'table') throw new ImportFileError('UNREADABLE_FILE');
      return answer;
    },
    async check(mapping: ColumnMapping, rules: ImportRules, progress: (done: number, total: number) => void): Promise<{ rows: ImportRow[]; errors: RowError[] }> {
      onProgress = progress;
      const answer = await ask({ type: 'check', mapping, rules });
      if (answer.type === 'failed') throw new ImportFileError(answer.problem);
      if (answer.type !== 'checked') throw new ImportFileError('UNREADABLE_FILE');
      return answer;
    },
    close: () => worker.terminate(),
  };
}

/** An import worker client. */
export type ImportClient = ReturnType<typeof createImportClient>;
