import { useEffect, useState } from 'react';
import { matchesFilter } from '../../../sync/model/customer-filter.ts';
import type { CustomerGroup } from '../../../sync/model/customer-group.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLive } from '../../lib/useLive.ts';
import { groupKeyOf, type QueryGroup } from './compute/schema.ts';

// The customers of a saved group for the dashboard: the group's filter over the per-customer statistics the
// customers list and the exports read (sync/client/customer-stats.ts, model/customer-filter.ts
// `matchesFilter`), so the three always agree on who is in a group. The worker gets the ids (it holds neither
// tags, consent nor birthdays) and restricts every figure to their merge groups, and keeps their figures up to
// date itself as visits and points arrive. Who is in the group is selected again when the statistics change,
// but at most every RESELECT_MS: selecting reads every customer's statistics on the page's thread, and a
// group's membership moves far more slowly than its figures. An unchanged selection keeps its identity, so the dashboard does not ask again for nothing.

const RESELECT_MS = 30_000;

/** Whether two selections hold the same ids in the same order. */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** The saved groups, the chosen one as a question's group, and its members (null until selected). */
export function useGroupMembers(groupId: string | null): {
  groups: CustomerGroup[];
  group: QueryGroup | null;
  members: readonly string[] | null;
} {
  const terminal = useTerminal();
  const groups = useLive(() => terminal.queries.customerGroups$(), [terminal], [] as CustomerGroup[]);
  const doc = groupId === null ? undefined : groups.find((g) => g.id === groupId);
  const group: QueryGroup | null = doc ? { id: doc.id, filter: doc.filter } : null;
  const key = groupKeyOf(group);
  const version = useLive(() => terminal.queries.stats.changes$, [terminal], 0);
  const [selected, setSelected] = useState<{ key: string; members: readonly string[]; at: number } | null>(null);
  const current = selected !== null && selected.key === key;
  useEffect(() => {
    if (key === null || group === null) return;
    let live = true;
    const filter = group.filter;
    const timer = setTimeout(
      () => {
        void terminal.queries.stats.rows().then((rows) => {
          if (!live) return;
          const members = rows.filter((row) => matchesFilter(row, filter)).map((row) => row.id);
          const at = Date.now();
          setSelected((previous) => (previous !== null && previous.key === key && sameIds(previous.members, members) ? { ...previous, at } : { key, members, at }));
        });
      },
      current ? Math.max(0, selected.at + RESELECT_MS - Date.now()) : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `key` stands for `group` (a new object each render).
  }, [terminal, key, version]);
  return { groups, group, members: current ? selected.members : null };
}
