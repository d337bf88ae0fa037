import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { CustomerStats } from '../model/customer-filter.ts';
import type { Customer } from '../model/customer.ts';
import type { LoyaltyEntry } from '../model/loyalty-entry.ts';
import type { Settings } from '../model/settings.ts';
import type { Visit } from '../model/visit.ts';
import type { ReplicaStream } from './queries/replica-stream.ts';
import { deriveAll, deriveTouched, dueGroups, emptyDocuments, putDocument, type StatsCollection } from './stats-groups.ts';

// Per-customer statistics for the customers list, saved groups and exports. The replica's customers, visits
// and ledger lines are read once, in pages (scan.ts), into memory and kept current from the change streams;
// the statistics are derived when first asked for after a change, never per row or per keystroke: the groups a
// change touched or whose segment or expiring points time has moved, or every group when groups moved or the
// settings changed (stats-groups.ts). A filter or a sort then runs over that array.

const PAGE = 2000;
/** Segments and expiry move with time: after this long, the groups whose time has come are derived again. */
const MAX_AGE_MS = 60_000;

const COLLECTIONS: readonly StatsCollection[] = ['customers', 'visits', 'loyaltyEntries'];

/** The statistics index of a replica. */
export interface StatsIndex {
  /** Every listed customer's statistics (read the replica first if not done yet). */
  rows(): Promise<readonly CustomerStats[]>;
  /** The documents the statistics come from (for exports of visits and ledger lines). */
  sources(): Promise<{ customers: Customer[]; visits: Visit[]; entries: LoyaltyEntry[] }>;
  /** Bumps when a document the statistics read changed. */
  readonly changes$: Observable<number>;
  stop(): void;
}

/** A turn for the page between slices of a full derivation. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Statistics over `stream`, with the merchant's settings of the moment. */
export function createStatsIndex(stream: ReplicaStream, settings: () => Settings, now: () => Date = () => new Date()): StatsIndex {
  const store = emptyDocuments();
  const changes$ = new BehaviorSubject(0);
  let derived: Awaited<ReturnType<typeof deriveAll>> | null = null;
  // What changed since the statistics were derived: customer ids whose groups to derive again, or everything.
  let touched = new Set<string>();
  let regroup = true;
  // When the groups whose time had come were last looked for.
  let timeChecked = 0;
  let loading: Promise<void> | null = null;
  let refreshing: Promise<readonly CustomerStats[]> | null = null;
  const subscriptions: Subscription[] = [];
  // Documents written while the scan runs: the scan may still meet their older state and must not bring it back.
  const written: Record<StatsCollection, Set<string>> = { customers: new Set(), visits: new Set(), loyaltyEntries: new Set() };

  const put = (name: StatsCollection, doc: Parameters<typeof putDocument>[2]) => {
    const effect = putDocument(store, name, doc);
    for (const id of effect.touched) touched.add(id);
    if (effect.regroup) regroup = true;
  };

  function load(): Promise<void> {
    loading ??= (async () => {
      for (const name of COLLECTIONS) {
        subscriptions.push(
          stream.changes$(name).subscribe((changed) => {
            for (const doc of changed) {
              put(name, doc);
              written[name].add(doc.id);
            }
            changes$.next(changes$.getValue() + 1);
          }),
        );
      }
      for (const name of COLLECTIONS) {
        for await (const page of stream.pages(name, PAGE)) for (const doc of page) if (!written[name].has(doc.id)) put(name, doc);
        written[name].clear();
      }
      regroup = true;
      changes$.next(changes$.getValue() + 1);
    })();
    return loading;
  }

  /** The statistics brought up to date: every group when needed (again if groups moved meanwhile), then the touched ones. */
  async function refresh(): Promise<readonly CustomerStats[]> {
    await load();
    let stale = regroup || !derived || derived.settings !== settings();
    while (stale || !derived) {
      regroup = false;
      touched = new Set();
      derived = await deriveAll(store, settings(), now(), nextTask);
      timeChecked = derived.at;
      stale = regroup || derived.settings !== settings();
    }
    if (now().getTime() - timeChecked >= MAX_AGE_MS) {
      timeChecked = now().getTime();
      for (const root of dueGroups(derived, now())) touched.add(root);
    }
    if (touched.size > 0) {
      derived = deriveTouched(store, derived, touched, now());
      touched = new Set();
    }
    return derived.list;
  }

  return {
    rows() {
      // One refresh at a time; a caller arriving meanwhile waits for it, then catches up on what came after.
      const run = (refreshing ?? Promise.resolve()).catch(() => undefined).then(refresh);
      refreshing = run;
      return run;
    },
    async sources() {
      await load();
      const live = <T>(name: StatsCollection) => [...store.docs[name].values()].filter((doc) => !doc._deleted) as unknown as T[];
      return { customers: [...store.docs.customers.values()] as unknown as Customer[], visits: live<Visit>('visits'), entries: live<LoyaltyEntry>('loyaltyEntries') };
    },
    changes$: changes$.asObservable(),
    stop() {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
