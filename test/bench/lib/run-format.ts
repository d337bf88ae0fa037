import { duration, int, perSecond } from './report.ts';
import type { SyncRun } from './variants.ts';

// How the two initial-sync benchmarks (Node and Chromium) print one run.

/** What the formatting reads of a run. */
export type SyncRunLike = Pick<SyncRun, 'finished' | 'ms' | 'counts'>;

/** Documents in the replica at the end of a run. */
export function docsIn(run: SyncRunLike): number {
  return run.counts.customers + run.counts.visits + run.counts.loyaltyEntries;
}

/** "12.3 s" or "> 200 s (41,000 of 140,000 docs)" for a run stopped at its limit. */
export function wall(run: SyncRunLike, n: number): string {
  return run.finished ? duration(run.ms) : `> ${duration(run.ms)} (stopped: ${int(docsIn(run))} of ${int(n)} docs)`;
}

/** Documents per second, marked when the run was stopped. */
export function rate(run: SyncRunLike): string {
  return `${int(perSecond(docsIn(run), run.ms))}${run.finished ? '' : ' (until stopped)'}`;
}

/** A duration, or "not reached". */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? 'not reached' : duration(value);
}
