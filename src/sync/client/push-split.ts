import type { PushResponse, PushRow } from '../model/wire-protocol.ts';
import { SyncError } from './errors.ts';
import type { StatusStore } from './status.ts';

// A push batch that the server refuses as a whole for something in it — 500 (a server bug a row triggers),
// 413 (a row too large for any batch), 400 — would be retried by RxDB forever, and nothing after it in that
// collection's queue would ever sync (docs/architecture.md#no-poison-pills, the client's half). Such a batch is split
// until the one row is found; a row that fails alone SET_ASIDE_AFTER times in a row is set aside.

/** Failures alone, in a row, before a row is set aside (a transient 500 must not cost a write). */
export const SET_ASIDE_AFTER = 3;

/** Statuses a single row can cause for its whole batch (everything else is the network's, the token's or the server's state). */
const ROW_CAUSED = new Set([400, 413, 500]);

/** The rows one push handler call sends, each with its key `collection:id` and local write time. */
export interface PushPart {
  rows: PushRow[];
  keys: string[];
  writtenAt: number[];
}

/** Rows that failed alone, and those set aside, for one replication. */
export function createSetAside(status: StatusStore) {
  const failures = new Map<string, { writtenAt: number; count: number }>();
  const setAside = new Set<string>();
  return {
    /** Counts a failure of a row alone; true once the row is to be set aside. A new local write starts over. */
    failedAlone(key: string, writtenAt: number): boolean {
      const seen = failures.get(key);
      const count = seen && seen.writtenAt === writtenAt ? seen.count + 1 : 1;
      failures.set(key, { writtenAt, count });
      if (count < SET_ASIDE_AFTER) return false;
      failures.delete(key);
      setAside.add(key);
      status.update({ setAside: [...setAside] });
      return true;
    },
    /** A row pushed successfully is no longer set aside (a later local write fixed it). */
    succeeded(keys: readonly string[]): void {
      let changed = false;
      for (const key of keys) {
        failures.delete(key);
        changed = setAside.delete(key) || changed;
      }
      if (changed) status.update({ setAside: [...setAside] });
    },
  };
}
export type SetAside = ReturnType<typeof createSetAside>;

/** Whether a push failure may be caused by one of its rows. */
export function rowCaused(error: unknown): boolean {
  return error instanceof SyncError && error.failure === 'server' && error.status !== undefined && ROW_CAUSED.has(error.status);
}

/**
 * Pushes `part`; when it fails for something a row may cause, pushes its halves (both, so the good rows flow
 * while the bad one is found) and sets aside a row that keeps failing alone. Throws (RxDB retries) while a
 * row is still under watch; answers the conflicts of everything pushed otherwise.
 */
export async function pushSplitting(
  part: PushPart,
  push: (rows: PushRow[]) => Promise<PushResponse>,
  hooks: { setAside: SetAside; answered(part: PushPart, answer: PushResponse): void; failed(part: PushPart): void },
): Promise<PushResponse> {
  try {
    const answer = await push(part.rows);
    hooks.answered(part, answer);
    hooks.setAside.succeeded(part.keys);
    return answer;
  } catch (error) {
    if (!rowCaused(error)) {
      hooks.failed(part);
      throw error;
    }
    if (part.rows.length === 1) {
      hooks.failed(part);
      if (hooks.setAside.failedAlone(part.keys[0]!, part.writtenAt[0]!)) return { conflicts: [], rejected: [] };
      throw error;
    }
    const middle = Math.ceil(part.rows.length / 2);
    const halves = [slice(part, 0, middle), slice(part, middle, part.rows.length)];
    const answer: PushResponse = { conflicts: [], rejected: [] };
    let failure: unknown = null;
    // Both halves, one after the other (the rows keep their order): the good ones flow while the bad one is found.
    for (const half of halves) {
      try {
        const one = await pushSplitting(half, push, hooks);
        answer.conflicts.push(...one.conflicts);
        answer.rejected.push(...one.rejected);
      } catch (halfError) {
        failure ??= halfError;
      }
    }
    if (failure !== null) throw failure;
    return answer;
  }
}

function slice(part: PushPart, start: number, end: number): PushPart {
  return { rows: part.rows.slice(start, end), keys: part.keys.slice(start, end), writtenAt: part.writtenAt.slice(start, end) };
}
