import { useCallback } from 'react';
import { combineLatest, from, map, of, switchMap, type Observable } from 'rxjs';
import { combine } from '../../../sync/client/reads.ts';
import type { SyncStatus } from '../../../sync/client/status.ts';
import type { WriteContext } from '../../../sync/model/document-builders.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import type { LedgerSummary } from '../../../sync/model/loyalty.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import { useSubject, useTerminal } from '../../db/hooks.ts';
import { useLatestRef, useLive } from '../../lib/hooks.ts';
import type { LocalCustomer } from './lookup.ts';

// Live reads of one customer for the card: the document, its merge group, the group's ledger summary,
// entries and visits. Each is an index-backed live query or the in-memory ledger/merge index; nothing scans.

/** A ledger entry as the replica holds it. */
export type LocalEntry = Omit<LoyaltyEntry, '_deleted'>;
/** A visit as the replica holds it. */
export type LocalVisit = Omit<Visit, '_deleted'>;

/** The customer document, live; undefined while loading, null when there is none. */
export function useCustomer(id: string | null): LocalCustomer | null | undefined {
  const terminal = useTerminal();
  return useLive(
    () =>
      id
        ? terminal.db.customers.findOne(id).$.pipe(map((doc) => (doc ? (doc.toJSON() as LocalCustomer) : null)))
        : of(null),
    [terminal, id],
    undefined,
  );
}

/** The ids of a customer's merge group (the root first), following merges made or undone while open. */
export function useGroup(rootId: string): string[] {
  const terminal = useTerminal();
  const key = useLive(
    () => terminal.merges.changes$.pipe(map(() => terminal.merges.groupOf(rootId).join(' '))),
    [terminal, rootId],
    rootId,
  );
  return key.split(' ');
}

/**
 * The group's ledger summary (balance, tier, progress), live: the sum of the members' ledgers. Null until
 * every member's ledger has been read — the index's first emission is an empty summary, and a visit must
 * never earn at a bronze rate because the tier was not loaded yet. `key` stands for the group's content.
 */
export function useGroupSummary(group: readonly string[]): LedgerSummary | null {
  const terminal = useTerminal();
  const program = useSubject(terminal.settings$).program;
  const key = group.join(' ');
  return useLive(
    () =>
      from(Promise.all(group.map((id) => terminal.ledger.summary(id)))).pipe(
        switchMap(() => combineLatest(group.map((id) => terminal.ledger.summary$(id)))),
        map((parts) => combine(parts, program)),
      ),
    [terminal, key, program],
    null,
  );
}

/**
 * Live rows of a merge group from a (customerId, occurredAt) index: one `customerId` equality range per
 * member, combined. (A `$in` over several ids is planned by RxDB as ONE range from the smallest to the
 * largest id, which for unrelated UUIDs spans most of the collection.)
 */
function groupRows<T>(group: readonly string[], query: (customerId: string) => Observable<T[]>): Observable<T[]> {
  return group.length === 1 ? query(group[0]!) : combineLatest(group.map(query)).pipe(map((lists) => lists.flat()));
}

/** Every ledger entry of the group, oldest first (a customer has tens; the index narrows to them). */
export function useGroupEntries(group: readonly string[]): LocalEntry[] | null {
  const terminal = useTerminal();
  const key = group.join(' ');
  return useLive(
    () =>
      groupRows(group, (customerId) =>
        terminal.db.loyaltyEntries
          .find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] })
          .$.pipe(map((docs) => docs.map((d) => d.toJSON() as LocalEntry))),
      ).pipe(map((rows) => rows.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1)))),
    [terminal, key],
    null,
  );
}

/** The group's visits, newest first. */
export function useGroupVisits(group: readonly string[]): LocalVisit[] | null {
  const terminal = useTerminal();
  const key = group.join(' ');
  return useLive(
    () =>
      groupRows(group, (customerId) =>
        terminal.db.visits
          .find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] })
          .$.pipe(map((docs) => docs.map((d) => d.toJSON() as LocalVisit))),
      ).pipe(map((rows) => rows.sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1)))),
    [terminal, key],
    null,
  );
}

/** Keys `collection:id` of local writes the server has not acknowledged yet. */
export function usePending(): ReadonlySet<string> {
  const terminal = useTerminal();
  return useLive(() => terminal.replication.pending$, [terminal], new Set<string>());
}

/**
 * The context of a write made now: merchant, store and terminal from the device credential, the signed-in
 * staff member, the device clock, and whether the terminal is offline (recorded on ledger entries).
 */
export function useWriteContext(status: SyncStatus): () => WriteContext {
  const terminal = useTerminal();
  const statusRef = useLatestRef(status);
  return useCallback(() => {
    const staff = terminal.staff$.getValue();
    if (!staff) throw new Error('no staff member is signed in');
    const { merchantId, storeId, terminalId } = terminal.credential;
    return {
      merchantId,
      storeId,
      terminalId,
      staffId: staff.id,
      now: new Date().toISOString(),
      offline: statusRef.current.connection !== 'online',
    };
  }, [terminal, statusRef]);
}
