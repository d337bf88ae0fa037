import type { ConsentChannel, ConsentEntry, Customer, NoteEntry } from './customer.ts';

// The rules of a customer's append-only histories (timeline notes, consent decisions), and the step that
// turns a customer of RxDB schema version 0 into the current shape. Pure: the terminal, the server and the
// merge all use these, so every replica derives the same state from the same entries.

/** Order of two business times as instants, then as text (so the order is total and the same everywhere). */
function compareInstants(a: string, b: string): number {
  const diff = Date.parse(a) - Date.parse(b);
  if (diff !== 0 && !Number.isNaN(diff)) return Math.sign(diff);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Entries by time, then id: the order a history is shown and stored in. */
export function byTimeThenId<T extends { at: string; id: string }>(a: T, b: T): number {
  return compareInstants(a.at, b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Two histories as one set by id, in time order: each side's entries once. An id both hold keeps the first
 * list's entry — the server's, in a merge: entries are never edited, and the server refuses a changed one.
 */
export function unionById<T extends { at: string; id: string }>(first: readonly T[], second: readonly T[]): T[] {
  const seen = new Set(first.map((entry) => entry.id));
  return [...first, ...second.filter((entry) => !seen.has(entry.id))].sort(byTimeThenId);
}

/** A channel's current consent and the decision it comes from (null: never asked, so no). */
export interface ConsentState {
  granted: boolean;
  entry: ConsentEntry | null;
}

/**
 * The current consent on `channel`: the latest decision by business time. Two decisions at the same instant
 * resolve to the withdrawal (sending to someone who said no is the harm to avoid), then to the greater id, so
 * every terminal derives the same state from the same history in any order.
 */
export function consentState(history: readonly ConsentEntry[], channel: ConsentChannel): ConsentState {
  let latest: ConsentEntry | null = null;
  for (const entry of history) {
    if (entry.channel !== channel) continue;
    if (latest === null) {
      latest = entry;
      continue;
    }
    const order = compareInstants(entry.at, latest.at) || (entry.state === latest.state ? 0 : entry.state === 'withdrawn' ? 1 : -1) || (entry.id > latest.id ? 1 : -1);
    if (order > 0) latest = entry;
  }
  return { granted: latest?.state === 'granted', entry: latest };
}

/** Whether the customer may be sent marketing on `channel` now (the derived state). */
export function hasConsent(customer: Pick<Customer, 'consent'>, channel: ConsentChannel): boolean {
  return consentState(customer.consent, channel).granted;
}

/**
 * Why a pushed consent history cannot replace the stored one: an entry the stored history holds is missing
 * or altered (the history is append-only). Null when `next` keeps every stored entry as it was.
 */
export function consentRewrite(stored: readonly ConsentEntry[], next: readonly ConsentEntry[]): string | null {
  const pushed = new Map(next.map((entry) => [entry.id, entry]));
  for (const entry of stored) {
    const kept = pushed.get(entry.id);
    if (!kept) return 'a consent entry was removed';
    if (JSON.stringify(Object.entries(kept).sort()) !== JSON.stringify(Object.entries(entry).sort())) return 'a consent entry was altered';
  }
  return null;
}

/** A customer of RxDB schema version 0: the single `notes` text and `marketingConsent` flag, no profile fields. */
export type CustomerV0 = Omit<Customer, 'phone2' | 'phone2Key' | 'phone2Reversed' | 'address' | 'company' | 'source' | 'preferredChannel' | 'timeline' | 'consent'> & {
  notes: string;
  marketingConsent: boolean;
};

/**
 * A version-0 customer in the current shape: no second phone, address or company; its notes (when any) the
 * first timeline note and a `true` consent a granted entry for each channel, both stamped with the document's
 * last change and author and with ids derived from the customer's. Server migration 014 writes exactly this
 * into stored documents: RxDB migrates the terminal's assumed master states with this function too, and a
 * difference would be a false conflict on the next push.
 */
export function upgradeCustomerV0(doc: CustomerV0): Customer {
  const { notes, marketingConsent, ...rest } = doc;
  const stamp = { at: doc.updatedAt, by: doc.updatedBy };
  const timeline: NoteEntry[] = notes === '' ? [] : [{ id: `${doc.id}:note`, text: notes, ...stamp }];
  const consent: ConsentEntry[] = marketingConsent
    ? (['email', 'sms'] as const).map((channel) => ({ id: `${doc.id}:${channel}`, channel, state: 'granted' as const, source: 'migrated' as const, ...stamp }))
    : [];
  return { ...rest, phone2: null, phone2Key: null, phone2Reversed: null, address: '', company: '', source: null, preferredChannel: null, timeline, consent };
}
