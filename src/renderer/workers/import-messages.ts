import { z } from 'zod';
import { IMPORT_FIELDS } from '../../sync/model/import-mapping.ts';
import type { ImportRow, RowError } from '../../sync/model/import-rows.ts';
import type { TableProblem } from '../../sync/model/import-table.ts';

// The import worker's messages. The page sends a file and later a mapping; the worker answers with the
// table's headers and first rows, then with progress and the checked rows. Requests are parsed with zod (the
// worker trusts nothing it is sent); answers are the model's own types.

const MappingSchema = z.partialRecord(z.enum(IMPORT_FIELDS), z.int().min(0).max(10_000));

/** What the page asks the worker. */
export const ToImportWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('read'), fileName: z.string().min(1).max(255), bytes: z.instanceof(ArrayBuffer) }),
  z.strictObject({
    type: z.literal('check'),
    mapping: MappingSchema,
    rules: z.strictObject({ region: z.string().regex(/^[A-Z]{2}$/), today: z.iso.date(), pointsLimit: z.number().min(0) }),
  }),
]);
/** A request to the import worker. */
export type ToImportWorker = z.infer<typeof ToImportWorkerSchema>;

/** Rows per progress message while checking. */
export const CHECK_SLICE = 2000;
/** Rows the preview shows. */
export const PREVIEW_ROWS = 5;

/** What the import worker answers. */
export type FromImportWorker =
  | { type: 'table'; headers: string[]; preview: string[][]; rowCount: number }
  | { type: 'progress'; done: number; total: number }
  | { type: 'checked'; rows: ImportRow[]; errors: RowError[] }
  | { type: 'failed'; problem: TableProblem };
