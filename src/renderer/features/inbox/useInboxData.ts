import { useEffect, useMemo, useState } from 'react';
import { debounceTime, merge, type Observable } from 'rxjs';
import type { Customer } from '../../../sync/model/customer.ts';
import type { InboxItem } from '../../../sync/model/inbox.ts';
import type { Terminal } from '../../app/runtime.ts';
import { useObservable } from '../../db/hooks.ts';

// Live reads of the inbox: the items (newest first, by the (status, createdAt) index), the customers they
// name, the merge-group balances of overdrawn customers and the staff names of who settled an item — all
// recomputed as replication brings changes.

type Local<T> = Omit<T, '_deleted'>;

/** Inbox items, open ones only unless `all`. */
export function useInboxItems(terminal: Terminal, all: boolean): InboxItem[] {
  const items$ = useMemo(
    () => terminal.db.inbox.find({ selector: all ? {} : { status: 'open' }, sort: [{ createdAt: 'desc' }] }).$ as unknown as Observable<{ toJSON(): unknown }[]>,
    [terminal, all],
  );
  const docs = useObservable(items$, []);
  return useMemo(() => docs.map((doc) => ({ ...(doc.toJSON() as Local<InboxItem>), _deleted: false })), [docs]);
}

/** The ids of customers an item is about. */
export function customerIdsOf(item: InboxItem): string[] {
  return [item.customerId, item.kind === 'duplicate' ? item.relatedId : null, item.details.merged, item.details.mergedInto].filter((id): id is string => typeof id === 'string' && id.length > 0);
}

/** The customers of the given ids, live. */
export function useCustomers(terminal: Terminal, ids: readonly string[]): Map<string, Customer> {
  const key = [...new Set(ids)].sort().join(',');
  const customers$ = useMemo(() => terminal.db.customers.findByIds(key === '' ? [] : key.split(',')).$ as unknown as Observable<Map<string, { toJSON(): unknown }>>, [terminal, key]);
  const docs = useObservable(customers$, new Map());
  return useMemo(() => {
    const out = new Map<string, Customer>();
    for (const [id, doc] of docs) out.set(id, { ...(doc.toJSON() as Local<Customer>), _deleted: false });
    return out;
  }, [docs]);
}

/** Staff names by id, live (deactivated members included: they may have settled an item before). */
export function useStaffNames(terminal: Terminal): Map<string, string> {
  const staff$ = useMemo(() => terminal.db.staff.find().$ as unknown as Observable<{ id: string; name: string }[]>, [terminal]);
  const docs = useObservable(staff$, []);
  return useMemo(() => new Map(docs.map((doc) => [doc.id, doc.name])), [docs]);
}

/** Merge-group balances (the ledger's sum over the group, DESIGN §4) of the given customers, live. */
export function useGroupBalances(terminal: Terminal, ids: readonly string[]): Map<string, number> {
  const key = [...new Set(ids)].sort().join(',');
  const [balances, setBalances] = useState<Map<string, number>>(new Map());
  useEffect(() => {
    const wanted = key === '' ? [] : key.split(',');
    let live = true;
    const compute = async () => {
      await terminal.merges.ready;
      const pairs = await Promise.all(wanted.map(async (id) => [id, (await terminal.ledger.groupSummary(terminal.merges.groupOf(id))).balance] as const));
      if (live) setBalances(new Map(pairs));
    };
    void compute();
    const subscription = merge(terminal.db.loyaltyEntries.eventBulks$, terminal.merges.changes$).pipe(debounceTime(100)).subscribe(() => void compute());
    return () => {
      live = false;
      subscription.unsubscribe();
    };
  }, [terminal, key]);
  return balances;
}
