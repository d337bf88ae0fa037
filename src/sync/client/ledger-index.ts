import { BehaviorSubject, filter, type Observable, type Subscription } from 'rxjs';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import { standingAt, type LoyaltyStanding } from '../model/loyalty-activity.ts';
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
  const customers = new Map<string, { ids: Map<string, LoyaltyEntry>; summary$: BehaviorSubject<LedgerSummary>; loaded: Promise<void>; ready: boolean }>();
  const subscription: Subscription = db.loyaltyEntries.eventBulks$.subscribe((bulk) => {
    for (const event of bulk.events) {
      const entry = fromStored<LoyaltyEntry>(event.documentData as unknown as Record<string, unknown>);
      const slot = customers.get(entry.customerId);
      if (!slot) continue;
      if (entry._deleted) {
        // A line the server refused comes back as a tombstone (quarantine): it leaves the balance here too.
        if (slot.ids.delete(entry.id)) slot.summary$.next(summarize([...slot.ids.values()], program()));
        continue;
      }
      if (slot.ids.has(entry.id)) continue;
      slot.ids.set(entry.id, entry);
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
    const ids = new Map<string, LoyaltyEntry>();
    const loaded = db.loyaltyEntries
      .find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] })
      .exec()
      .then((docs) => {
        // Entries that arrived through the change stream while this read ran are already applied.
        let summary = summary$.getValue();
        for (const doc of docs) {
          if (ids.has(doc.id)) continue;
          const entry = fromReplica<LoyaltyEntry>(doc);
          ids.set(doc.id, entry);
          summary = applyEntry(summary, entry, program());
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
    /** Every ledger line of a merge group (kept with the summaries; a customer has tens). */
    async groupEntries(ids: readonly string[]): Promise<LoyaltyEntry[]> {
      const slots = ids.map((id) => slotFor(id));
      await Promise.all(slots.map((slot) => slot.loaded));
      return slots.flatMap((slot) => [...slot.ids.values()]);
    },
    /** A merge group's standing at `now`: the summary with derived expiry taken out of the balance. */
    async groupStanding(ids: readonly string[], now: Date): Promise<LoyaltyStanding> {
      const [summary, entries] = await Promise.all([this.groupSummary(ids), this.groupEntries(ids)]);
      return standingAt(summary, entries, program(), now);
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
