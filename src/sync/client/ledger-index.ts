import { BehaviorSubject, filter, type Observable, type Subscription } from 'rxjs';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import { applyEntry, summarize, tierProgressFor, type LedgerSummary } from '../model/loyalty.ts';
import type { Program } from '../model/settings.ts';
import type { PatronDatabase } from './database.ts';
import { fromReplica, fromStored } from './documents.ts';

/**
 * Balance, tier and progress per customer, maintained incrementally: a customer's entries are read once
 * through the (customerId, occurredAt) index when first asked for, then every new entry is applied as it
 * arrives (`applyEntry`) — no full scan per render, and the sum is always the ledger's (docs/architecture.md#balance-never-stored, a MUST rule).
 */
export function createLedgerIndex(db: PatronDatabase, program: () => Program, maxCustomers = 500) {
  // Customers recently asked for, least recently used first; a till looks at a few hundred a day.
  const customers = new Map<string, { ids: Set<string>; summary$: BehaviorSubject<LedgerSummary>; loaded: Promise<void>; ready: boolean }>();
  const subscription: Subscription = db.loyaltyEntries.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      const entry = fromStored<LoyaltyEntry>(event.documentData as unknown as Record<string, unknown>);
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
          summary = applyEntry(summary, fromReplica<LoyaltyEntry>(doc), program());
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
