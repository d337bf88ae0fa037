import type { Customer } from '../../../sync/model/customer.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import type { LoyaltyStanding } from '../../../sync/model/loyalty-activity.ts';
import type { LedgerSummary } from '../../../sync/model/loyalty.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLive } from '../../lib/useLive.ts';

// The customer card's live reads (the terminal's queries, src/sync/client/queries/customer-card.ts).

/** The customer document, live; undefined while loading, null when there is none. */
export function useCustomer(id: string | null): Customer | null | undefined {
  const terminal = useTerminal();
  return useLive(() => (id ? terminal.queries.customer$(id) : null), [terminal, id], id ? undefined : null);
}

/** The ids of a customer's merge group (the root first), following merges made or undone while open. */
export function useGroup(rootId: string): string[] {
  const terminal = useTerminal();
  const key = useLive(() => terminal.queries.group$(rootId), [terminal, rootId], [rootId]).join(' ');
  return key.split(' ');
}

/** The group's ledger summary, live; null until every member's ledger has been read. */
export function useGroupSummary(group: readonly string[]): LedgerSummary | null {
  const terminal = useTerminal();
  const key = group.join(' ');
  return useLive<LedgerSummary | null>(() => terminal.queries.summary$(key.split(' ')), [terminal, key], null);
}

/** The group's standing now (re-derived each minute): balance net of expired points (derived), tier, points expiring soon. */
export function useGroupStanding(group: readonly string[]): LoyaltyStanding | null {
  const terminal = useTerminal();
  const key = group.join(' ');
  return useLive<LoyaltyStanding | null>(() => terminal.queries.standing$(key.split(' ')), [terminal, key], null);
}

/** Every ledger entry of the group, oldest first. */
export function useGroupEntries(group: readonly string[]): LoyaltyEntry[] | null {
  const terminal = useTerminal();
  const key = group.join(' ');
  return useLive<LoyaltyEntry[] | null>(() => terminal.queries.entries$(key.split(' ')), [terminal, key], null);
}

/** The group's visits, newest first. */
export function useGroupVisits(group: readonly string[]): Visit[] | null {
  const terminal = useTerminal();
  const key = group.join(' ');
  return useLive<Visit[] | null>(() => terminal.queries.visits$(key.split(' ')), [terminal, key], null);
}

/** Keys `collection:id` of local writes the server has not acknowledged yet. */
export function usePending(): ReadonlySet<string> {
  const terminal = useTerminal();
  return useLive(() => terminal.queries.pending$, [terminal], new Set<string>());
}
