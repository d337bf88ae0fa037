import { MAX_PIN_FAILURES, memoryAttemptStore, type AttemptStore } from './session.ts';
import type { KeyValueStore } from './key-value.ts';

// Failed PIN attempts survive a reload (a lockout that a refresh resets protects nothing). They live in this
// device's key-value store (localStorage in the app), keyed by staff id: the lockout is per terminal, as the
// PIN check is.

const PREFIX = 'patron.pinAttempts.';

type Record = { failures: number; lockedUntil: number };

function isRecord(value: unknown): value is Record {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { failures?: unknown; lockedUntil?: unknown };
  return (
    Number.isSafeInteger(v.failures) &&
    (v.failures as number) >= 0 &&
    typeof v.lockedUntil === 'number' &&
    Number.isFinite(v.lockedUntil)
  );
}

/** An AttemptStore over a key-value store; falls back to memory when there is none. */
export function storageAttemptStore(storage: KeyValueStore | undefined): AttemptStore {
  if (!storage) return memoryAttemptStore();
  const memory = memoryAttemptStore();
  return {
    get(staffId) {
      try {
        const raw = storage.getItem(PREFIX + staffId);
        if (raw === null) return memory.get(staffId);
        const parsed: unknown = JSON.parse(raw);
        // A tampered or corrupt record counts as one failure short of a lockout, never as a clean slate.
        return isRecord(parsed) ? parsed : { failures: MAX_PIN_FAILURES - 1, lockedUntil: 0 };
      } catch {
        return memory.get(staffId);
      }
    },
    set(staffId, value) {
      memory.set(staffId, value);
      try {
        if (value) storage.setItem(PREFIX + staffId, JSON.stringify(value));
        else storage.removeItem(PREFIX + staffId);
      } catch {
        // Storage full or blocked: the memory copy still counts attempts in this session.
      }
    },
  };
}
