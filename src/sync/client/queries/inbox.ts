import { debounceTime, from, map, merge, startWith, switchMap, type Observable } from 'rxjs';
import type { InboxItem } from '../../model/inbox.ts';
import type { Staff } from '../../model/staff.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';
import type { LedgerIndex } from '../ledger-index.ts';
import type { MergeIndex } from '../merge-index.ts';

// Live reads of the manager's inbox: the items (newest first, by the (status, createdAt) index), the staff
// names of who settled an item, and the merge-group balances of overdrawn customers — all recomputed as
// replication brings changes.

/** The inbox's live reads. */
export function inboxQueries(sources: { db: PatronDatabase; ledger: LedgerIndex; merges: MergeIndex }) {
  const { db, ledger, merges } = sources;
  return {
    /** Inbox items, open ones only unless `all`. */
    items$(all: boolean): Observable<InboxItem[]> {
      return db.inbox.find({ selector: all ? {} : { status: 'open' }, sort: [{ createdAt: 'desc' }] }).$.pipe(map((docs) => docs.map((d) => fromReplica<InboxItem>(d))));
    },
    /** Staff names by id (deactivated members included: they may have settled an item before). */
    staffNames$(): Observable<Map<string, string>> {
      return db.staff.find().$.pipe(map((docs) => new Map(docs.map((doc) => [doc.id, fromReplica<Staff>(doc).name]))));
    },
    /** Merge-group spendable balances (the ledger's sum over the group, derived expiry out) of the given customers, live. */
    groupBalances$(ids: readonly string[]): Observable<Map<string, number>> {
      const wanted = [...new Set(ids)];
      const compute = async () => {
        await merges.ready;
        const pairs = await Promise.all(wanted.map(async (id) => [id, (await ledger.groupStanding(merges.groupOf(id), new Date())).balance] as const));
        return new Map(pairs);
      };
      return merge(db.loyaltyEntries.eventBulks$, merges.changes$).pipe(
        debounceTime(100),
        startWith(null),
        switchMap(() => from(compute())),
      );
    },
  };
}
