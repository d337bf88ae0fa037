import { useMemo } from 'react';
import type { Customer } from '../../../sync/model/customer.ts';
import type { InboxItem } from '../../../sync/model/inbox.ts';
import type { Terminal } from '../../../sync/client/terminal.ts';
import { useLive } from '../../lib/useLive.ts';

// The inbox's live reads (the terminal's queries, src/sync/client/queries/inbox.ts): the items, the customers
// they name, the merge-group balances of overdrawn customers and the names of who settled an item.

/** Inbox items, open ones only unless `all`. */
export function useInboxItems(terminal: Terminal, all: boolean): InboxItem[] {
  return useLive(() => terminal.queries.items$(all), [terminal, all], [] as InboxItem[]);
}

/** The ids of customers an item is about. */
export function customerIdsOf(item: InboxItem): string[] {
  return [item.customerId, item.kind === 'duplicate' ? item.relatedId : null, item.details.merged, item.details.mergedInto].filter((id): id is string => typeof id === 'string' && id.length > 0);
}

/** The customers of the given ids, live. */
export function useCustomers(terminal: Terminal, ids: readonly string[]): Map<string, Customer> {
  const key = [...new Set(ids)].sort().join(',');
  const wanted = useMemo(() => (key === '' ? [] : key.split(',')), [key]);
  return useLive(() => terminal.queries.customersById$(wanted), [terminal, wanted], new Map<string, Customer>());
}

/** Staff names by id, live. */
export function useStaffNames(terminal: Terminal): Map<string, string> {
  return useLive(() => terminal.queries.staffNames$(), [terminal], new Map<string, string>());
}

/** Merge-group balances of the given customers, live. */
export function useGroupBalances(terminal: Terminal, ids: readonly string[]): Map<string, number> {
  const key = [...new Set(ids)].sort().join(',');
  return useLive(() => terminal.queries.groupBalances$(key === '' ? [] : key.split(',')), [terminal, key], new Map<string, number>());
}
