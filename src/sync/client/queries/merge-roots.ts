import type { Customer } from '../../model/customer.ts';

// Lookup results show each merge group once, as the customer the others were merged into (docs/architecture.md#duplicates
// duplicates: reads follow `mergedInto`).

/** The root a result belongs to: the merge index's answer, or the document's own `mergedInto` while that index fills. */
export function rootIdOf(customer: Pick<Customer, 'id' | 'mergedInto'>, rootOf: (id: string) => string): string {
  const root = rootOf(customer.id);
  return root === customer.id && customer.mergedInto ? rootOf(customer.mergedInto) : root;
}

/**
 * Lookup results with merged duplicates resolved to the customer they were merged into, each root once, in
 * the order the index returned them. `missing` lists roots that were not among the results (to be read).
 */
export function resolveRoots(
  results: readonly Customer[],
  rootOf: (id: string) => string,
): { rootIds: string[]; found: Map<string, Customer>; missing: string[] } {
  const found = new Map<string, Customer>();
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
