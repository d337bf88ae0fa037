import type { Customer } from '../../../sync/model/customer.ts';
import { phoneQuery } from '../../../sync/model/phone.ts';

/** A customer as the replica holds it (RxDB manages `_deleted` itself). */
export type LocalCustomer = Omit<Customer, '_deleted'>;

/** The root a result belongs to: the merge index's answer, or the document's own `mergedInto` while that index fills. */
export function rootIdOf(customer: Pick<LocalCustomer, 'id' | 'mergedInto'>, rootOf: (id: string) => string): string {
  const root = rootOf(customer.id);
  return root === customer.id && customer.mergedInto ? rootOf(customer.mergedInto) : root;
}

/**
 * Lookup results with merged duplicates resolved to the customer they were merged into, each root once, in
 * the order the index returned them. `missing` lists roots that were not among the results (to be read).
 */
export function resolveRoots(
  results: readonly LocalCustomer[],
  rootOf: (id: string) => string,
): { rootIds: string[]; found: Map<string, LocalCustomer>; missing: string[] } {
  const found = new Map<string, LocalCustomer>();
  for (const customer of results) if (!customer.mergedInto) found.set(customer.id, customer);
  const rootIds: string[] = [];
  const seen = new Set<string>();
  for (const customer of results) {
    const root = rootIdOf(customer, rootOf);
    if (seen.has(root)) continue;
    seen.add(root);
    rootIds.push(root);
  }
  return { rootIds, found, missing: rootIds.filter((id) => !found.has(id)) };
}

/** What the sign-up form starts with when the lookup found nobody: the typed phone, or the typed name. */
export function prefillFromLookup(typed: string, defaultRegion: string): { phone: string; name: string } {
  const text = typed.trim();
  if (text === '') return { phone: '', name: '' };
  return phoneQuery(text, defaultRegion).kind === 'none' ? { phone: '', name: text } : { phone: text, name: '' };
}

/** The next highlighted row for an arrow key (wraps around; -1 = none highlighted). */
export function moveHighlight(current: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count === 0) return -1;
  if (key === 'ArrowDown') return current < 0 || current >= count - 1 ? 0 : current + 1;
  return current <= 0 ? count - 1 : current - 1;
}

