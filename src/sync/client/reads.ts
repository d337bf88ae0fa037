import { BehaviorSubject, filter, type Observable, type Subscription } from 'rxjs';
import type { Customer } from '../model/customer.ts';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import { applyEntry, summarize, tierProgressFor, type LedgerSummary } from '../model/loyalty.ts';
import { PHONE_SUFFIX_MAX_DIGITS, phoneQuery, rangeFor } from '../model/phone.ts';
import type { Program } from '../model/settings.ts';
import { foldName, toAsciiDigits } from '../model/text.ts';
import type { Visit } from '../model/visit.ts';
import type { PatronDatabase } from './database.ts';

type LocalCustomer = Omit<Customer, '_deleted'>;

/**
 * The counter's lookup as the cashier types: digits search the national-number prefix or, for up to six
 * digits without the trunk prefix, the last digits ("last four?"); anything else searches the folded
 * name. Every branch is a range on an index, sorted by that index, limited — never a scan (DESIGN §5, §10).
 */
export async function lookupCustomers(db: PatronDatabase, typed: string, defaultRegion: string, limit = 20): Promise<LocalCustomer[]> {
  const phone = phoneQuery(typed, defaultRegion);
  const byKey = async (field: 'phoneKey' | 'phoneReversed', key: string) =>
    (await db.customers.find({ selector: { [field]: rangeFor(key) }, sort: [{ [field]: 'asc' }], limit }).exec()).map((doc) => doc.toJSON() as LocalCustomer);
  if (phone.kind === 'prefix' || phone.kind === 'suffix') {
    const results = await byKey(phone.kind === 'prefix' ? 'phoneKey' : 'phoneReversed', phone.key);
    // "Last four?" can start with 0 (…0053), which reads as the start of a national number: for 3–6 digits
    // with a leading 0 both the prefix and the last-digits index are asked, prefix matches first.
    const digits = toAsciiDigits(typed).replace(/\D/g, '');
    if (phone.kind === 'prefix' && /^\s*0/.test(toAsciiDigits(typed)) && digits.length >= 3 && digits.length <= PHONE_SUFFIX_MAX_DIGITS) {
      const seen = new Set(results.map((c) => c.id));
      for (const c of await byKey('phoneReversed', [...digits].reverse().join(''))) if (!seen.has(c.id) && results.length < limit) results.push(c);
    }
    return results;
  }
  const key = foldName(typed);
  if (key.length === 0) return [];
  const docs = await db.customers.find({ selector: { nameKey: rangeFor(key) }, sort: [{ nameKey: 'asc' }], limit }).exec();
  return docs.map((doc) => doc.toJSON() as LocalCustomer);
}

/**
 * Who was merged into whom, kept in memory from the customers' change stream. The first fill is one pass
 * in the background (merges are rare and `mergedInto` is nullable, so it cannot be indexed); a card shows
 * its own ledger immediately and its merged duplicates' as soon as the pass is done.
 */
export function createMergeIndex(db: PatronDatabase) {
  const children = new Map<string, Set<string>>();
  const parentOf = new Map<string, string>();
  const version$ = new BehaviorSubject(0);
  const set = (id: string, parent: string | null) => {
    const previous = parentOf.get(id);
    if (previous === parent) return;
    if (previous) children.get(previous)?.delete(id);
    if (parent) {
      parentOf.set(id, parent);
      children.set(parent, (children.get(parent) ?? new Set()).add(id));
    } else parentOf.delete(id);
    version$.next(version$.getValue() + 1);
  };
  const subscription = db.customers.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      const doc = event.documentData as unknown as { mergedInto: string | null; _deleted: boolean };
      set(event.documentId, doc._deleted ? null : doc.mergedInto);
    }
  });
  const ready = db.customers
    .find({ selector: { mergedInto: { $ne: null } } })
    .exec()
    .then((docs) => {
      for (const doc of docs) set(doc.id, doc.mergedInto);
    });
  return {
    ready,
    /** Bumps whenever a merge is made or undone. */
    changes$: version$.asObservable(),
    /** The customer a merged duplicate belongs to (following chains). */
    rootOf(id: string): string {
      let current = id;
      for (let hop = 0; hop < 10; hop++) {
        const parent = parentOf.get(current);
        if (!parent) return current;
        current = parent;
      }
      return current;
    },
    /** The root and every customer merged into it, directly or through a chain. */
    groupOf(id: string): string[] {
      const root = this.rootOf(id);
      const group = [root];
      for (let i = 0; i < group.length && group.length < 100; i++) group.push(...(children.get(group[i]!) ?? []));
      return group;
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** The merge index of a database. */
export type MergeIndex = ReturnType<typeof createMergeIndex>;

/**
 * Balance, tier and progress per customer, maintained incrementally: a customer's entries are read once
 * through the (customerId, occurredAt) index when first asked for, then every new entry is applied as it
 * arrives (`applyEntry`) — no full scan per render, and the sum is always the ledger's (DESIGN §4 MUST).
 */
export function createLedgerIndex(db: PatronDatabase, program: () => Program, maxCustomers = 500) {
  // Customers recently asked for, least recently used first; a till looks at a few hundred a day.
  const customers = new Map<string, { ids: Set<string>; summary$: BehaviorSubject<LedgerSummary>; loaded: Promise<void>; ready: boolean }>();
  const subscription: Subscription = db.loyaltyEntries.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      const entry = { ...(event.documentData as unknown as LoyaltyEntry) };
      const slot = customers.get(entry.customerId);
      if (!slot || slot.ids.has(entry.id) || entry._deleted) continue;
      slot.ids.add(entry.id);
      slot.summary$.next(applyEntry(slot.summary$.getValue(), entry, program()));
    }
  });

  function slotFor(customerId: string) {
    let slot = customers.get(customerId);
    if (slot) {
      customers.delete(customerId);
      customers.set(customerId, slot);
      return slot;
    }
    while (customers.size >= maxCustomers) {
      const oldest = customers.keys().next().value;
      if (oldest === undefined) break;
      customers.delete(oldest);
    }
    const summary$ = new BehaviorSubject<LedgerSummary>(summarize([], program()));
    const ids = new Set<string>();
    const loaded = db.loyaltyEntries
      .find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] })
      .exec()
      .then((docs) => {
        // Entries that arrived through the change stream while this read ran are already applied.
        let summary = summary$.getValue();
        for (const doc of docs) {
          if (ids.has(doc.id)) continue;
          ids.add(doc.id);
          summary = applyEntry(summary, { ...(doc.toJSON() as Omit<LoyaltyEntry, '_deleted'>), _deleted: false }, program());
        }
        slot!.ready = true;
        summary$.next(summary);
      });
    slot = { ids, summary$, loaded, ready: false };
    customers.set(customerId, slot);
    return slot;
  }

  return {
    /** The live summary of one customer's own entries; first emits once the ledger has been read. */
    summary$(customerId: string): Observable<LedgerSummary> {
      const slot = slotFor(customerId);
      return slot.summary$.pipe(filter(() => slot.ready));
    },
    /** The current summary once loaded. */
    async summary(customerId: string): Promise<LedgerSummary> {
      const slot = slotFor(customerId);
      await slot.loaded;
      return slot.summary$.getValue();
    },
    /** The summary of a merge group: the ledger sums of every member, tier from their lifetime total. */
    async groupSummary(ids: readonly string[]): Promise<LedgerSummary> {
      const parts = await Promise.all(ids.map((id) => this.summary(id)));
      return combine(parts, program());
    },
    stop: () => subscription.unsubscribe(),
  };
}

/** The ledger index of a database. */
export type LedgerIndex = ReturnType<typeof createLedgerIndex>;

/** Adds the summaries of a merge group's members. */
export function combine(parts: readonly LedgerSummary[], program: Program): LedgerSummary {
  const balance = parts.reduce((sum, p) => sum + p.balance, 0);
  const lifetimeEarned = parts.reduce((sum, p) => sum + p.lifetimeEarned, 0);
  const redeemed = parts.reduce((sum, p) => sum + p.redeemed, 0);
  return { balance, lifetimeEarned, redeemed, ...tierProgressFor(lifetimeEarned, program) };
}

/**
 * The most recent visits of a merge group, newest first. One indexed query per member: RxDB runs `$in` over
 * several ids as a single range from the smallest to the largest id, which can read most of the collection.
 */
export async function recentVisits(db: PatronDatabase, customerIds: readonly string[], limit = 5): Promise<Omit<Visit, '_deleted'>[]> {
  const perMember = await Promise.all(
    customerIds.map((customerId) => db.visits.find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] }).exec()),
  );
  return perMember
    .flat()
    .map((doc) => doc.toJSON() as Omit<Visit, '_deleted'>)
    .sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1))
    .slice(0, limit);
}
