import { HOUR_MS } from '../model/dates.ts';
import type { KeyValueStore } from './key-value.ts';

// The last complete pull, remembered per terminal across reloads. The sync status starts empty on every
// start, but an offline redemption must know how old the replica is (docs/architecture.md#offline-redemption: offline redemption is bounded
// by data age) — a reload while offline must not make the replica look infinitely old, nor brand new.

const KEY = 'patron.lastSyncAt.';

/** Storage the value lives in (localStorage in the app, a map in tests). */
export type SyncMemory = Pick<KeyValueStore, 'getItem' | 'setItem'>;

/** The later of two ISO instants (either may be missing). */
export function laterOf(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The remembered last sync of a terminal. */
export function readLastSync(storage: SyncMemory | undefined, terminalId: string): string | null {
  try {
    const value = storage?.getItem(KEY + terminalId) ?? null;
    return value && !Number.isNaN(Date.parse(value)) ? value : null;
  } catch {
    return null;
  }
}

/** Remembers a last sync if it is newer than the stored one. */
export function rememberLastSync(storage: SyncMemory | undefined, terminalId: string, iso: string | null): void {
  if (!iso) return;
  const next = laterOf(readLastSync(storage, terminalId), iso);
  try {
    if (next) storage?.setItem(KEY + terminalId, next);
  } catch {
    // Storage full or disabled: the in-memory status still works for this session.
  }
}

/** Hours since the replica last synced; Infinity when it never has (checkRedeem's `dataAgeHours`). */
export function dataAgeHours(lastSyncAt: string | null, nowMs: number): number {
  if (!lastSyncAt) return Number.POSITIVE_INFINITY;
  return Math.max(0, (nowMs - Date.parse(lastSyncAt)) / HOUR_MS);
}
