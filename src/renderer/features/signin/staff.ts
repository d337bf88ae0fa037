import type { Staff } from '../../../sync/model/staff.ts';

/** Who may sign in at this terminal's store: active, not deleted, and allowed here (no list = every store). */
export function staffForStore(staff: readonly Staff[], storeId: string): Staff[] {
  return staff
    .filter((s) => s.active && !s._deleted && (s.storeIds.length === 0 || s.storeIds.includes(storeId)))
    .sort((a, b) => a.name.localeCompare(b.name));
}
