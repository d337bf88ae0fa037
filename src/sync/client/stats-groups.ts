import type { CustomerStats } from '../model/customer-filter.ts';
import { dayCache, mergeRoots, statsOf } from '../model/customer-stats.ts';
import type { Customer } from '../model/customer.ts';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import type { Settings } from '../model/settings.ts';
import { statsHorizon } from '../model/stats-horizon.ts';
import type { Visit } from '../model/visit.ts';
import type { StoredDocument } from './queries/replica-stream.ts';

// The statistics of every listed customer kept current from the documents' changes: a change derives again
// only the merge groups it touches (model `statsOf`, the same function the full derivation `buildCustomerStats`
// runs per group), so a visit pulled from another terminal costs one group, not every customer. Time moves a
// group's segment and expiring points only at instants known from its documents (model/stats-horizon.ts): as
// time passes, the groups whose instant has come are derived again, not all. What moves customers between
// groups (a merge, an undone merge, a delete) or a change of settings derives every group again — in slices
// between tasks, so the page keeps answering.

/** Collections the statistics read. */
export type StatsCollection = 'customers' | 'visits' | 'loyaltyEntries';

type StatsSettings = Pick<Settings, 'program' | 'segments' | 'timeZone'>;

/** Groups derived per slice of a full derivation before the main thread gets a turn. */
const SLICE = 2000;

/** The documents in memory, with each customer's visits and ledger lines by id. */
export interface StatsDocuments {
  docs: Record<StatsCollection, Map<string, StoredDocument>>;
  /** Each customer's live documents: a handful each, so an array (found by id when one changes) is enough. */
  byCustomer: Record<'visits' | 'loyaltyEntries', Map<string, StoredDocument[]>>;
}

/** Empty documents. */
export function emptyDocuments(): StatsDocuments {
  return { docs: { customers: new Map(), visits: new Map(), loyaltyEntries: new Map() }, byCustomer: { visits: new Map(), loyaltyEntries: new Map() } };
}

const customerIdOf = (doc: StoredDocument | undefined) => (doc && !doc._deleted ? (doc.customerId as string) : null);

/**
 * Stores `doc` (a scanned page's or a change's) and says what it touches: the customer ids whose groups need
 * deriving again, and whether groups themselves changed (`regroup`).
 */
export function putDocument(store: StatsDocuments, name: StatsCollection, doc: StoredDocument): { touched: string[]; regroup: boolean } {
  const previous = store.docs[name].get(doc.id);
  store.docs[name].set(doc.id, doc);
  if (name === 'customers') {
    const [before, after] = [previous as unknown as Customer | undefined, doc as unknown as Customer];
    const regroup = before ? before.mergedInto !== after.mergedInto || before._deleted !== after._deleted : after.mergedInto !== null || after._deleted;
    return { touched: [doc.id], regroup };
  }
  const index = store.byCustomer[name];
  const [was, is] = [customerIdOf(previous), customerIdOf(doc)];
  if (was !== null) {
    const docs = index.get(was);
    const at = docs ? docs.findIndex((d) => d.id === doc.id) : -1;
    if (at >= 0) docs!.splice(at, 1);
  }
  if (is !== null) {
    const docs = index.get(is);
    if (docs) docs.push(doc);
    else index.set(is, [doc]);
  }
  return { touched: [was, is].filter((id): id is string => id !== null), regroup: false };
}

/** The derived statistics and what they were derived with. */
interface Derived {
  list: CustomerStats[];
  /** Position in `list` of each listed customer. */
  position: Map<string, number>;
  /** Every customer id of each group, by its surviving customer. */
  members: Map<string, string[]>;
  /** When each listed group's statistics can next read differently with no change (ms; stats-horizon.ts). */
  horizon: Map<string, number>;
  rootOf: (id: string) => string;
  settings: StatsSettings;
  at: number;
  dayOf: (iso: string) => string;
}

const listed = (doc: StoredDocument | undefined) => doc !== undefined && !doc._deleted && (doc as unknown as Customer).mergedInto === null;

/** One group's statistics, its surviving customer with every member's visits and ledger lines, and its horizon. */
function deriveGroup(store: StatsDocuments, derived: Pick<Derived, 'members' | 'settings' | 'dayOf' | 'horizon'>, root: Customer, now: Date): CustomerStats {
  const visits: Visit[] = [];
  const entries: LoyaltyEntry[] = [];
  for (const member of derived.members.get(root.id) ?? [root.id]) {
    for (const doc of store.byCustomer.visits.get(member) ?? []) visits.push(doc as unknown as Visit);
    for (const doc of store.byCustomer.loyaltyEntries.get(member) ?? []) entries.push(doc as unknown as LoyaltyEntry);
  }
  derived.horizon.set(root.id, statsHorizon(visits, entries, derived.settings, now.getTime()));
  return statsOf(root, visits, entries, derived.settings, now, derived.dayOf);
}

/** The listed groups whose statistics can read differently at `now` than when they were derived. */
export function dueGroups(derived: Pick<Derived, 'horizon'>, now: Date): string[] {
  const due: string[] = [];
  for (const [root, at] of derived.horizon) if (at <= now.getTime()) due.push(root);
  return due;
}

/** Every group derived from scratch at `now`, yielding between slices. */
export async function deriveAll(store: StatsDocuments, settings: StatsSettings, now: Date, pause: () => Promise<void>): Promise<Derived> {
  const roots = mergeRoots(store.docs.customers.values() as Iterable<StoredDocument> as Iterable<Customer>);
  const members = new Map<string, string[]>();
  for (const doc of store.docs.customers.values()) {
    if (doc._deleted) continue;
    const root = roots.rootOf(doc.id);
    const list = members.get(root);
    if (list) list.push(doc.id);
    else members.set(root, [doc.id]);
  }
  const derived: Derived = { list: [], position: new Map(), members, horizon: new Map(), rootOf: roots.rootOf, settings, at: now.getTime(), dayOf: dayCache(settings.timeZone) };
  for (const [i, customer] of roots.listed.entries()) {
    if (i > 0 && i % SLICE === 0) await pause();
    derived.position.set(customer.id, derived.list.length);
    derived.list.push(deriveGroup(store, derived, customer, now));
  }
  return derived;
}

/**
 * The groups of `touched` customer ids derived again at `now` into a new list (the old one stays as it was, for
 * whoever holds it). A customer new since the last full derivation joins the list's end, where the full
 * derivation would put it (customers in the order they were first stored).
 */
export function deriveTouched(store: StatsDocuments, derived: Derived, touched: Iterable<string>, now: Date): Derived {
  const list = derived.list.slice();
  const roots = new Set<string>();
  for (const id of touched) roots.add(derived.rootOf(id));
  for (const root of roots) {
    const doc = store.docs.customers.get(root);
    if (!listed(doc)) continue;
    let at = derived.position.get(root);
    if (at === undefined) {
      at = list.length;
      derived.position.set(root, at);
      const members = derived.members.get(root);
      if (!members) derived.members.set(root, [root]);
      else if (!members.includes(root)) members.push(root);
    }
    list[at] = deriveGroup(store, derived, doc as unknown as Customer, now);
  }
  return { ...derived, list };
}
