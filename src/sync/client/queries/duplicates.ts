import type { Customer } from '../../model/customer.ts';
import { phoneKeys, rangeFor } from '../../model/phone.ts';
import { similarNames } from '../../model/text.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';
import { rootIdOf } from './merge-roots.ts';

/** A customer that may be the one being signed up, and why. */
export interface LikelyDuplicate {
  customer: Customer;
  /** `phone`: the same number (E.164); `name`: a similar name on a number that differs only slightly. */
  reason: 'phone' | 'name';
}

/** Digits dropped from the end of the national number to find "almost the same number" (a typo at the end). */
const PREFIX_SLACK = 3;
/** Trailing digits that must agree to find a number mistyped near its start ("last four" the same). */
const SUFFIX_DIGITS = 4;
const CANDIDATES = 50;

/**
 * Before a sign-up: customers with exactly this phone, and customers with a similar folded name
 * (`similarNames`) among those whose number shares its beginning or its last four digits. Every read is
 * a range on a phone index, limited — no scan. Merged duplicates are reported as the customer they were
 * merged into, once.
 */
export async function findLikelyDuplicates(
  db: PatronDatabase,
  candidate: { e164: string; name: string },
  defaultRegion: string,
  rootOf: (id: string) => string,
): Promise<LikelyDuplicate[]> {
  const keys = phoneKeys(candidate.e164, defaultRegion);
  const [exact, prefix, suffix] = await Promise.all([
    db.customers.find({ selector: { phoneKey: keys.phoneKey }, sort: [{ phoneKey: 'asc' }], limit: 10 }).exec(),
    db.customers
      .find({
        selector: { phoneKey: rangeFor(keys.phoneKey.slice(0, -PREFIX_SLACK)) },
        sort: [{ phoneKey: 'asc' }],
        limit: CANDIDATES,
      })
      .exec(),
    db.customers
      .find({
        selector: { phoneReversed: rangeFor(keys.phoneReversed.slice(0, SUFFIX_DIGITS)) },
        sort: [{ phoneReversed: 'asc' }],
        limit: CANDIDATES,
      })
      .exec(),
  ]);
  const found: LikelyDuplicate[] = [];
  const seen = new Set<string>();
  const add = (customer: Customer, reason: LikelyDuplicate['reason']) => {
    const root = rootIdOf(customer, rootOf);
    if (seen.has(root)) return;
    seen.add(root);
    found.push({ customer, reason });
  };
  for (const doc of exact) {
    const customer = fromReplica<Customer>(doc);
    if (customer.phone === candidate.e164) add(customer, 'phone');
  }
  if (candidate.name.trim() !== '') {
    for (const doc of [...prefix, ...suffix]) {
      const customer = fromReplica<Customer>(doc);
      if (similarNames(candidate.name, customer.name)) add(customer, 'name');
    }
  }
  // A merged duplicate is shown as its root: read the roots that were not among the candidates.
  const rootIds = found.map((d) => rootIdOf(d.customer, rootOf)).filter((id, i) => id !== found[i]!.customer.id);
  if (rootIds.length > 0) {
    const roots = await db.customers.findByIds(rootIds).exec();
    for (const duplicate of found) {
      const root = roots.get(rootIdOf(duplicate.customer, rootOf));
      if (root) duplicate.customer = fromReplica<Customer>(root);
    }
  }
  return found;
}
