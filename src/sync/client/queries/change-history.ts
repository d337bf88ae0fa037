import type { Staff } from '../../model/staff.ts';
import type { AuditEntry } from '../../model/wire-protocol.ts';
import type { AuditApi } from '../api.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';
import { SyncError } from '../errors.ts';

// A customer's change history for managers: the server's audit trail (docs/security.md#audit-trail), with
// the staff members' names read from the replica. Only the server keeps the trail, so this is a request,
// not a live query — and offline it says so instead of failing.

/** One line of the history: the server's entry and the name of the staff member it names (null if unknown). */
export type ChangeEntry = AuditEntry & { staffName: string | null };

/** A page of the history, or why there is none right now. */
export type ChangeHistoryPage =
  | { status: 'ok'; entries: ChangeEntry[]; before: string | null }
  | { status: 'needs-server' }
  | { status: 'failed'; code: string };

/** The change-history read. */
export function changeHistoryQueries(sources: { db: PatronDatabase; api: AuditApi }) {
  const { db, api } = sources;
  return {
    /** One page of a customer's history, newest first; `before` is the previous page's cursor. */
    async changeHistory(customerId: string, before: string | null = null): Promise<ChangeHistoryPage> {
      let page;
      try {
        page = await api.audit(customerId, before);
      } catch (error) {
        if (error instanceof SyncError && error.failure === 'offline') return { status: 'needs-server' };
        return { status: 'failed', code: error instanceof SyncError ? error.code : 'INTERNAL' };
      }
      const ids = [...new Set(page.entries.map((e) => e.staffId).filter((id): id is string => id !== null))];
      const staff = ids.length === 0 ? new Map() : await db.staff.findByIds(ids).exec();
      const name = (id: string | null) => (id === null ? null : staff.has(id) ? fromReplica<Staff>(staff.get(id)).name : null);
      return { status: 'ok', entries: page.entries.map((e) => ({ ...e, staffName: name(e.staffId) })), before: page.before };
    },
  };
}
