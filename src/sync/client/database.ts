import { addRxPlugin, createRxDatabase, type RxCollection, type RxConflictHandler, type RxDatabase, type RxJsonSchema, type RxStorage } from 'rxdb';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { deepEqual } from 'rxdb/plugins/utils';
import type { Customer } from '../model/customer.ts';
import { mergeInboxItem, type InboxItem } from '../model/inbox.ts';
import { mergeCustomer, mergeSettings } from '../model/merge.ts';
import type { CollectionName } from '../model/wire-protocol.ts';
import { COLLECTION_NAMES } from '../model/wire-protocol.ts';
import { RX_MIGRATIONS, RX_SCHEMAS, type CollectionDocTypes } from '../model/rx-schemas.ts';
import { monotonicWriteTimes } from './monotonic-storage.ts';
import type { Settings } from '../model/settings.ts';

// Local documents hold the write journal (journal.ts): never replicated, and not a collection (RxDB's open
// build counts collections, not local documents).
addRxPlugin(RxDBLocalDocumentsPlugin);
// A schema version bump migrates the installed terminal's documents on open (RX_MIGRATIONS).
addRxPlugin(RxDBMigrationSchemaPlugin);

/** The terminal's collections, typed by their documents. */
export type PatronCollections = { [K in CollectionName]: RxCollection<CollectionDocTypes[K]> };
/** The terminal's local database: a full replica of its merchant. */
export type PatronDatabase = RxDatabase<PatronCollections>;

/**
 * Rows the server refused for good in the last push (quarantined). Their conflict takes the server's
 * state instead of merging the local edit back in — otherwise the edit would be pushed forever.
 */
export class RejectedRows {
  private readonly ids = new Map<CollectionName, Set<string>>();
  mark(collection: CollectionName, ids: readonly string[]): void {
    if (ids.length === 0) return;
    const set = this.ids.get(collection) ?? new Set();
    for (const id of ids) set.add(id);
    this.ids.set(collection, set);
  }
  take(collection: CollectionName, id: string): boolean {
    return this.ids.get(collection)?.delete(id) ?? false;
  }
}

type Doc<K extends CollectionName> = CollectionDocTypes[K] & { _deleted: boolean };

function handler<K extends CollectionName>(collection: K, rejected: RejectedRows, merge?: (base: Doc<K> | undefined, master: Doc<K>, local: Doc<K>) => Doc<K>): RxConflictHandler<CollectionDocTypes[K]> {
  return {
    isEqual: (a, b) => deepEqual(a, b),
    async resolve(input) {
      const master = input.realMasterState as Doc<K>;
      if (rejected.take(collection, (input.newDocumentState as Doc<K>).id) || !merge) return master;
      return merge(input.assumedMasterState as Doc<K> | undefined, master, input.newDocumentState as Doc<K>);
    },
  };
}

/**
 * A merge result is this terminal's write: it carries the local author, because the server reads
 * `updatedBy` as the acting staff member (a system actor or another member's role would refuse it).
 */
function asLocalWrite<T extends { updatedBy: string }>(merged: T, local: T): T {
  return { ...merged, updatedBy: local.updatedBy };
}

/** A void made before the insert's answer arrived is kept: the server's copy is only missing it. */
function keepVoid(master: Doc<'visits'>, local: Doc<'visits'>): Doc<'visits'> {
  if (master.voided || !local.voided) return master;
  return { ...master, voided: true, voidedAt: local.voidedAt, voidedBy: local.voidedBy, voidReason: local.voidReason, updatedAt: local.updatedAt };
}

/**
 * Conflict handlers of docs/architecture.md#conflicts: three-way merge for customers and settings, a manager's resolution against
 * another for inbox items, the server's state elsewhere.
 */
export function conflictHandlers(rejected: RejectedRows): { [K in CollectionName]: RxConflictHandler<CollectionDocTypes[K]> } {
  return {
    customers: handler('customers', rejected, (base, master, local) => {
      const merged = mergeCustomer(base as Customer | undefined, master as Customer, local as Customer);
      // The server's erasure comes back untouched: restamped with the local author it would be a new write
      // to an erased customer, which the server refuses.
      return (merged === master ? master : asLocalWrite(merged, local as Customer)) as Doc<'customers'>;
    }),
    settings: handler('settings', rejected, (base, master, local) =>
      asLocalWrite(mergeSettings(base as Settings | undefined, master as Settings, local as Settings), local as Settings) as Doc<'settings'>,
    ),
    visits: handler('visits', rejected, (_base, master, local) => keepVoid(master, local)),
    loyaltyEntries: handler('loyaltyEntries', rejected),
    rewards: handler('rewards', rejected),
    staff: handler('staff', rejected),
    inbox: handler('inbox', rejected, (_base, master, local) => mergeInboxItem(master as InboxItem, local as InboxItem) as Doc<'inbox'>),
    customerGroups: handler('customerGroups', rejected),
  };
}

/**
 * Opens the terminal's database with every collection (8 of RxDB's 13 per process). Storage is chosen by
 * the caller: Dexie/IndexedDB in the renderer, memory in Node tests.
 */
export async function createPatronDatabase(options: {
  name: string;
  storage: RxStorage<unknown, unknown>;
  rejected: RejectedRows;
  multiInstance?: boolean;
  collections?: readonly CollectionName[];
}): Promise<PatronDatabase> {
  const db = await createRxDatabase<PatronCollections>({
    name: options.name,
    // Write times stay monotonic across restarts and clock corrections, or RxDB never pushes some writes.
    storage: monotonicWriteTimes(options.storage),
    // One window owns the database; the replication must not wait for a leader election.
    multiInstance: options.multiInstance ?? false,
    eventReduce: true,
    localDocuments: true,
  });
  const handlers = conflictHandlers(options.rejected);
  const names = options.collections ?? COLLECTION_NAMES;
  await db.addCollections(
    Object.fromEntries(
      names.map((name) => [
        name,
        {
          schema: RX_SCHEMAS[name] as unknown as RxJsonSchema<CollectionDocTypes[typeof name]>,
          conflictHandler: handlers[name],
          // RxDB migrates on open (autoMigrate), before the replication starts.
          migrationStrategies: RX_MIGRATIONS[name],
        },
      ]),
    ),
  );
  return db;
}
