import type { Customer } from '../../model/customer.ts';
import { phoneKeys, rangeFor } from '../../model/phone.ts';
import { similarNames } from '../../model/text.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';
import type { LookupIndex } from '../lookup-index.ts';
import { rootIdOf } from './merge-roots.ts';

/** A customer that may be the one being signed up, and why. */
export interface LikelyDuplicate {
  customer: Customer;
  /**
   * `phone`: the same number (E.164); `secondPhone`: the number is their second phone (perhaps a phone the
   * family shares, so a new customer may still be created); `name`: a similar name on a number that differs
   * only slightly; `otherPhone`: the second phone typed for the new customer is one of their numbers.
   */
  reason: 'phone' | 'secondPhone' | 'name' | 'otherPhone';
}

/** Digits dropped from the end of the national number to find "almost the same number" (a typo at the end). */
const PREFIX_SLACK = 3;
/** Trailing digits that must agree to find a number mistyped near its start ("last four" the same). */
const SUFFIX_DIGITS = 4;
const CANDIDATES = 50;

/**
 * Customers whose second phone is `e164`. The replica does not index second phones (each RxDB index slows
 * every write), the in-memory lookup index does: it answers once it has filled, a scan of the replica before.
 */
async function secondPhoneHolders(db: PatronDatabase, e164: string, phoneKey: string, index: SecondPhoneIndex | undefined): Promise<Customer[]> {
  if (index?.isReady()) return index.exact('phoneKey', phoneKey).filter((c) => c.phone2 === e164);
  const docs = await db.customers.find({ selector: { phone2: e164 }, limit: 10 }).exec();
  return docs.map((doc) => fromReplica<Customer>(doc));
}

/** Customers holding `e164` as their phone or their second phone (index-backed reads, as the first phone's). */
async function numberHolders(db: PatronDatabase, e164: string, defaultRegion: string, index: SecondPhoneIndex | undefined): Promise<Customer[]> {
  const { phoneKey } = phoneKeys(e164, defaultRegion);
  const [own, second] = await Promise.all([db.customers.find({ selector: { phoneKey }, limit: 10 }).exec(), secondPhoneHolders(db, e164, phoneKey, index)]);
  return [...own.map((doc) => fromReplica<Customer>(doc)).filter((c) => c.phone === e164), ...second];
}

/** What the duplicate check reads from the lookup index (its phone keys hold both phones). */
export type SecondPhoneIndex = Pick<LookupIndex, 'isReady' | 'exact'>;

/**
 * Before a sign-up: customers with exactly this phone, customers whose second phone it is, customers holding
 * the second phone typed for the new customer (`phone2`) as either of their numbers, and customers
 * with a similar folded name (`similarNames`) among those whose number shares its beginning or its last four
 * digits. Every read is a range on a phone index, limited, or the lookup index's binary search. Merged
 * duplicates are reported as the customer they were merged into, once.
 */
export async function findLikelyDuplicates(
  db: PatronDatabase,
  candidate: { e164: string; name: string; phone2?: string | null },
  defaultRegion: string,
  rootOf: (id: string) => string,
  index?: SecondPhoneIndex,
): Promise<LikelyDuplicate[]> {
  const keys = phoneKeys(candidate.e164, defaultRegion);
  const other = candidate.phone2 && candidate.phone2 !== candidate.e164 ? candidate.phone2 : null;
  const [exact, second, others, prefix, suffix] = await Promise.all([
    db.customers.find({ selector: { phoneKey: keys.phoneKey }, sort: [{ phoneKey: 'asc' }], limit: 10 }).exec(),
    secondPhoneHolders(db, candidate.e164, keys.phoneKey, index),
    other === null ? [] : numberHolders(db, other, defaultRegion, index),
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
  for (const customer of second) add(customer, 'secondPhone');
  for (const customer of others) add(customer, 'otherPhone');
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
