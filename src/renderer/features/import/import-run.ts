import type { ImportPlan } from '../../../sync/model/import-dedupe.ts';
import { newId } from '../../../sync/model/ids.ts';
import type { CommandError, Commands } from '../../../sync/client/commands/index.ts';

// Writes a planned import through the terminal's `importBatch` command, a batch at a time, giving the page a
// task boundary between batches so typing, scrolling and the progress bar stay live at 50,000 rows.

/** Rows per batch command: large enough for bulk writes, small enough that one batch is a short task. */
export const BATCH_ROWS = 500;

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

/** Runs the plan's writes in batches; stops at the first refusal (what is written stays, and undo takes it back). */
export async function runImport(commands: Pick<Commands, 'importBatch'>, fileName: string, plan: ImportPlan, onProgress: (progress: ImportProgress) => void): Promise<ImportOutcome> {
  const importId = newId();
  // The command takes up to 100 rows per customer: more rows of one customer than that repeat each other.
  const merges = plan.merges.flatMap((merge) => (merge.rows.length > 0 ? [{ customerId: merge.customerId, rows: merge.rows.slice(0, 100) }] : []));
  const total = plan.creates.length + merges.length;
  const totals = { created: 0, merged: 0, points: 0 };
  let done = 0;
  let batch = 0;
  for (let at = 0; at < Math.max(plan.creates.length, merges.length); at += BATCH_ROWS, batch++) {
    const creates = plan.creates.slice(at, at + BATCH_ROWS);
    const mergeSlice = merges.slice(at, at + BATCH_ROWS);
    const result = await commands.importBatch({ importId, fileName, batch, creates, merges: mergeSlice });
    if (!result.ok) return { ok: false, importId, error: result.error, done };
    totals.created += result.value.created;
    totals.merged += result.value.merged;
    totals.points += result.value.points;
    done += creates.length + mergeSlice.length;
    onProgress({ done, total });
    await nextTask();
  }
  return { ok: true, importId, ...totals };
}
