import type { ImportPlan } from '../../../sync/model/import-dedupe.ts';
import { newId } from '../../../sync/model/ids.ts';
import type { CommandError, Commands } from '../../../sync/client/commands/index.ts';

// Writes a planned import through the terminal's `importBatch` command, a batch at a time, giving the page a
// task boundary between batches so typing, scrolling and the progress bar stay live at 50,000 rows. A batch's
// synchronous work (checking, building and inserting its documents, the indexes taking them in) grows with its
// rows, so the batch size adapts to the device: a batch that took longer than the budget halves the next one, a
// quick one doubles it, between MIN_BATCH_ROWS and BATCH_ROWS.

/** Most rows per batch command: large enough for bulk writes, small enough that one batch is a short task. */
export const BATCH_ROWS = 500;
/** Fewest rows per batch command, however slow the device. */
export const MIN_BATCH_ROWS = 100;
/** How long one batch may take before the next one is smaller. */
export const BATCH_BUDGET_MS = 250;

/** How far an import has got. */
export interface ImportProgress {
  done: number;
  total: number;
}

/** What an import wrote, or where it stopped. */
export type ImportOutcome =
  | { ok: true; importId: string; created: number; merged: number; points: number }
  | { ok: false; importId: string; error: CommandError; done: number };

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The next batch's rows after one of `size` rows took `tookMs`. */
export function nextBatchRows(size: number, tookMs: number, budgetMs = BATCH_BUDGET_MS): number {
  if (tookMs > budgetMs) return Math.max(MIN_BATCH_ROWS, Math.floor(size / 2));
  if (tookMs < budgetMs / 2) return Math.min(BATCH_ROWS, size * 2);
  return size;
}

/**
 * Runs the plan's writes in batches; stops at the first refusal (what is written stays, and undo takes it back).
 * `budgetMs` is the batch budget (tests force the sizes with it).
 */
export async function runImport(commands: Pick<Commands, 'importBatch'>, fileName: string, plan: ImportPlan, onProgress: (progress: ImportProgress) => void, budgetMs = BATCH_BUDGET_MS): Promise<ImportOutcome> {
  const importId = newId();
  // The command takes up to 100 rows per customer: more rows of one customer than that repeat each other.
  const merges = plan.merges.flatMap((merge) => (merge.rows.length > 0 ? [{ customerId: merge.customerId, rows: merge.rows.slice(0, 100) }] : []));
  const total = plan.creates.length + merges.length;
  const totals = { created: 0, merged: 0, points: 0 };
  let done = 0;
  let size = BATCH_ROWS;
  for (let at = 0, batch = 0; at < Math.max(plan.creates.length, merges.length); batch++) {
    const creates = plan.creates.slice(at, at + size);
    const mergeSlice = merges.slice(at, at + size);
    const started = performance.now();
    const result = await commands.importBatch({ importId, fileName, batch, creates, merges: mergeSlice });
    if (!result.ok) return { ok: false, importId, error: result.error, done };
    totals.created += result.value.created;
    totals.merged += result.value.merged;
    totals.points += result.value.points;
    done += creates.length + mergeSlice.length;
    onProgress({ done, total });
    at += size;
    size = nextBatchRows(size, performance.now() - started, budgetMs);
    await nextTask();
  }
  return { ok: true, importId, ...totals };
}
