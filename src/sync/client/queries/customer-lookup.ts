import { BehaviorSubject, merge, type Observable } from 'rxjs';
import type { Customer } from '../../model/customer.ts';
import { isCompleteMemberCode, memberCodeQuery } from '../../model/member-code.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';
import type { LookupIndex } from '../lookup-index.ts';
import { lookupInReplica, lookupPlan } from '../lookup.ts';
import type { MergeIndex } from '../merge-index.ts';
import { resolveRoots } from './merge-roots.ts';

/** Matches counted beyond the shown ones: "20 of 200+" past this. */
export const LOOKUP_COUNT_CAP = 200;

/** One keystroke's answer: the first customers, how many match (up to the cap), and a member code's holder. */
export interface LookupAnswer {
  customers: Customer[];
  /** Customers matching (merge groups once), counted up to LOOKUP_COUNT_CAP + 1. */
  total: number;
  /** Whether more match than `total` says: past the cap, or not counted (the replica's answer). */
  more: boolean;
  /** The customer whose complete member code was typed (no other code starts with it): open them at once. */
  codeHolder: string | null;
}

/** The counter's lookup: each keystroke's customers, merge groups shown once as their root. */
export interface CustomerLookup {
  /** The answer, synchronously, once the in-memory index has filled; null until then (use `find`). */
  search(typed: string, limit: number): Customer[] | null;
  /** `search` with the count and the member code's holder; null until the index has filled. */
  answer(typed: string, limit: number): LookupAnswer | null;
  /** The answer from the index, or from the replica's indexes while it fills. */
  find(typed: string, limit: number): Promise<Customer[]>;
  /** Bumps when the index fills, when a customer changes after that, and when a merge is made or undone. */
  readonly version$: Observable<number>;
  version(): number;
  stop(): void;
}

/** The lookup over a terminal's replica, lookup index and merge index, in the merchant's phone region. */
export function createCustomerLookup(input: { db: PatronDatabase; index: LookupIndex; merges: MergeIndex; region(): string }): CustomerLookup {
  const { db, index, merges } = input;
  const rootOf = (id: string) => merges.rootOf(id);
  const version$ = new BehaviorSubject(0);
  const subscription = merge(index.version$, merges.changes$).subscribe(() => {
    if (index.isReady()) version$.next(version$.getValue() + 1);
  });

  /** Results in index order with each merge group once, as its root; roots not among them read by id. */
  async function resolved(results: Customer[]): Promise<Customer[]> {
    const { rootIds, found, missing } = resolveRoots(results, rootOf);
    if (missing.length > 0) for (const [id, doc] of await db.customers.findByIds(missing).exec()) found.set(id, fromReplica<Customer>(doc));
    return rootIds.map((id) => found.get(id)).filter((c): c is Customer => c !== undefined);
  }

  function fromIndex(typed: string, limit: number): Customer[] | null {
    const results = index.run(lookupPlan(typed, input.region()), limit);
    if (results === null) return null;
    const { rootIds, found } = resolveRoots(results, rootOf);
    return rootIds.map((id) => found.get(id) ?? index.get(id)).filter((c): c is Customer => c !== undefined);
  }

  return {
    search: fromIndex,
    answer(typed, limit) {
      // Reads past the shown ones to count them: at most the cap and one more, so a count costs little.
      const all = fromIndex(typed, Math.max(limit, LOOKUP_COUNT_CAP + 1));
      if (all === null) return null;
      const code = memberCodeQuery(typed);
      const holder = code !== null && isCompleteMemberCode(code) ? index.codeHolder(code) : null;
      return {
        customers: all.slice(0, limit),
        total: Math.min(all.length, LOOKUP_COUNT_CAP),
        more: all.length > LOOKUP_COUNT_CAP,
        codeHolder: holder === null ? null : rootOf(holder),
      };
    },
    async find(typed, limit) {
      const plan = lookupPlan(typed, input.region());
      return resolved(index.run(plan, limit) ?? (await lookupInReplica(db, plan, limit)));
    },
    version$: version$.asObservable(),
    version: () => version$.getValue(),
    stop: () => subscription.unsubscribe(),
  };
}
