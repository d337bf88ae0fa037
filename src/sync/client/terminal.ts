import { BehaviorSubject, debounceTime, filter, firstValueFrom, map, race, timer, type Observable, type Subscription } from 'rxjs';
import type { RxStorage } from 'rxdb';
import { DEFAULT_CURRENCY_DISPLAY, DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, type Settings } from '../model/settings.ts';
import { mayWorkAt, type Staff } from '../model/staff.ts';
import { createSyncApi, type SyncApi } from './api.ts';
import { createDeviceActions, type DeviceActions } from './devices.ts';
import { storageAttemptStore } from './attempt-store.ts';
import { createTokenSource, type CredentialStore, type DeviceCredential } from './auth.ts';
import { createCommands, type CommandEnv, type Commands } from './commands/index.ts';
import { createPatronDatabase, RejectedRows } from './database.ts';
import { fromReplica } from './documents.ts';
import { createJournal } from './journal.ts';
import type { KeyValueStore } from './key-value.ts';
import { readLastSync, rememberLastSync } from './last-sync.ts';
import { createLedgerIndex } from './ledger-index.ts';
import { createLookupIndex } from './lookup-index.ts';
import { createMemberCodes, learnTerminalNumber } from './member-codes.ts';
import { createMergeIndex } from './merge-index.ts';
import type { NetworkSignal } from './network.ts';
import { isEmptyReplica, loadExpectedDocuments } from './progress.ts';
import { createQueries, type Queries } from './queries/index.ts';
import { startReplication, type ReplicationOptions } from './replicate.ts';
import { createSession, type Session } from './session.ts';
import { createStaffProof, MemberNotArrived } from './staff-proof.ts';
import { SyncError } from './errors.ts';
import { createStatusStore, type SyncStatus } from './status.ts';

/** How to open a terminal. */
export interface TerminalOptions {
  credential: DeviceCredential;
  /** Where the rotating device credential is kept (keychain, IndexedDB, memory). */
  credentials: CredentialStore;
  /** The replica's storage: Dexie/IndexedDB in the app, memory in Node tests. */
  storage: RxStorage<unknown, unknown>;
  /** Failed PIN attempts and the last complete sync, across restarts (localStorage in the app). */
  memory?: KeyValueStore;
  /** The replica's database name (default: per terminal). */
  databaseName?: string;
  fetch?: typeof fetch;
  replication?: ReplicationOptions;
  now?: () => Date;
  /** The device's own network signal (browserNetwork() in the app); none in Node tests unless given. */
  network?: NetworkSignal | null;
  /** Hears failures that are not a person's doing (a storage write refused); the console by default. */
  onUnexpected?: (error: unknown) => void;
}

/** A running terminal: everything the UI reads and every write it may make. */
export interface Terminal {
  readonly identity: { merchantId: string; storeId: string; terminalId: string; serverUrl: string };
  readonly status$: Observable<SyncStatus>;
  /** The merchant's settings as replicated (defaults until the first pull brings them). */
  readonly settings$: BehaviorSubject<Settings>;
  readonly session: Session;
  readonly commands: Commands;
  readonly queries: Queries;
  /** A manager's device list, revocations and enrolment codes (server calls: they need the network). */
  readonly devices: DeviceActions;
  /** An id for the customer a sign-up form is about to create, carrying their member code (member-codes.ts). */
  newCustomerId(): Promise<string>;
  /** Replication control (tests, the status bar's "sync now"). */
  readonly sync: {
    resync(): void;
    awaitInSync(): Promise<void>;
    readonly pending$: Observable<ReadonlySet<string>>;
    /** Waits up to `ms` for every local write to be acknowledged; whether they all were. */
    settled(ms: number): Promise<boolean>;
  };
  close(): Promise<void>;
}

function defaultSettings(credential: DeviceCredential): Settings {
  return {
    id: credential.merchantId,
    merchantId: credential.merchantId,
    updatedAt: new Date(0).toISOString(),
    _deleted: false,
    businessName: '',
    currency: 'IRR',
    currencyDisplay: DEFAULT_CURRENCY_DISPLAY,
    defaultRegion: 'IR',
    locale: 'fa',
    timeZone: 'Asia/Tehran',
    stores: [],
    program: DEFAULT_PROGRAM,
    segments: DEFAULT_SEGMENT_RULES,
    tagCatalogue: [],
    updatedBy: credential.merchantId,
    conflicts: [],
  };
}

/** Whether the pending set empties within `ms` (it may already be empty). */
function settledWithin(pending$: Observable<ReadonlySet<string>>, ms: number): Promise<boolean> {
  return firstValueFrom(
    race(
      pending$.pipe(
        filter((keys) => keys.size === 0),
        map(() => true),
      ),
      timer(ms).pipe(map(() => false)),
    ),
  );
}

/**
 * Opens a terminal's replica, completes writes an earlier run left half done (journal.ts), starts replicating,
 * and builds the derived reads, the session, the commands and the queries.
 */
export async function openTerminal(options: TerminalOptions): Promise<Terminal> {
  const { credential } = options;
  const now = options.now ?? (() => new Date());
  const rejected = new RejectedRows();
  const db = await createPatronDatabase({ name: options.databaseName ?? `patron-${credential.terminalId}`, storage: options.storage, rejected });
  const journal = createJournal(db);
  await journal.replay();
  // The last complete pull survives a restart: an offline redemption is bounded by the replica's age.
  const status = createStatusStore(() => now().toISOString(), readLastSync(options.memory, credential.terminalId));
  const tokens = createTokenSource({ store: options.credentials, fetch: options.fetch });
  const api = createSyncApi({ serverUrl: credential.serverUrl, tokens, status, fetch: options.fetch });
  // Only a replica that starts empty pulls the whole feed, so only its initial sync is shown as a percentage.
  const fresh = await isEmptyReplica(db);
  const identity = { merchantId: credential.merchantId, storeId: credential.storeId, terminalId: credential.terminalId };
  const onUnexpected = options.onUnexpected ?? ((error: unknown) => console.error('patron: a write failed', error));
  const proof = createStaffProof({ api, memory: options.memory, identity, now, onRefused: onUnexpected });
  // The signed sessions reach the server before any write they cover; a server restored from a backup lost
  // the sessions recorded after it, so they are handed in again before the writes are pushed again.
  const afterRestore = <T>(call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      if (error instanceof SyncError && error.code === 'CHECKPOINT_TOO_OLD' && error.details?.reason === 'restored') proof.replay();
      throw error;
    });
  // Staff are pushed even while a new member's session waits for their document: that push brings it.
  const flushBefore = (collection: string) =>
    proof.flush().catch((error: unknown) => {
      if (!(collection === 'staff' && error instanceof MemberNotArrived)) throw error;
    });
  const pushing: SyncApi = {
    pull: (collection, checkpoint, limit) => afterRestore(api.pull(collection, checkpoint, limit)),
    push: async (collection, rows) => (await flushBefore(collection), afterRestore(api.push(collection, rows))),
  };
  const replication = startReplication({ db, api: pushing, tokens, serverUrl: credential.serverUrl, terminalId: credential.terminalId, storeId: credential.storeId, rejected, status, fetch: options.fetch, options: options.replication });
  if (fresh) void loadExpectedDocuments({ db, api, status });

  const subscriptions: Subscription[] = [];
  const settings$ = new BehaviorSubject<Settings>(defaultSettings(credential));
  subscriptions.push(db.settings.findOne(credential.merchantId).$.subscribe((doc) => doc && settings$.next(fromReplica<Settings>(doc))));
  subscriptions.push(status.status$.subscribe(({ lastSyncAt }) => rememberLastSync(options.memory, credential.terminalId, lastSyncAt)));
  let pending: ReadonlySet<string> = new Set();
  subscriptions.push(replication.pending$.subscribe((keys) => (pending = keys)));
  if (options.network) {
    const network = options.network;
    if (!network.online()) replication.networkChanged(false);
    const unsubscribe = network.subscribe((online) => replication.networkChanged(online));
    subscriptions.push({ unsubscribe } as Subscription);
  }
  const settled = (ms: number) => settledWithin(replication.pending$, ms);

  const ledger = createLedgerIndex(db, () => settings$.getValue().program);
  const merges = createMergeIndex(db);
  const lookupIndex = createLookupIndex(db);
  const codes = createMemberCodes({ db, index: lookupIndex, status: () => status.get() });
  subscriptions.push(learnTerminalNumber(status.status$, api, codes));
  // A member's key follows their staff document (a new member, a PIN set again).
  subscriptions.push(db.staff.find().$.pipe(debounceTime(100)).subscribe(() => void proof.refreshKeys().catch(() => undefined)));
  const session = createSession({
    findStaff: async (id) => {
      const doc = await db.staff.findOne(id).exec();
      return doc ? fromReplica<Staff>(doc) : null;
    },
    storeId: credential.storeId,
    attempts: storageAttemptStore(options.memory),
    proof,
    now: () => now().getTime(),
  });
  // A member deactivated, moved to other stores or given another role (by an owner here or, after a sync,
  // anywhere) is signed out: their next sign-in reads the member as the replica has them.
  subscriptions.push(
    db.staff.find().$.subscribe((docs) => {
      const current = session.current();
      const doc = current ? docs.find((d) => d.id === current.id) : undefined;
      if (!current || !doc) return;
      const member = fromReplica<Staff>(doc);
      if (!mayWorkAt(member, credential.storeId) || member.role !== current.role) session.signOut();
    }),
  );
  const env: CommandEnv = {
    db,
    identity,
    session,
    status: () => status.get(),
    pending: () => pending,
    settings: () => settings$.getValue(),
    ledger,
    merges,
    journal,
    now,
    probe: () => api.ping(),
    newCustomerId: () => codes.nextCustomerId(now()),
    settled,
  };
  // The trail is served to the signed-in manager, whose signed session must have reached the server first.
  const audit = {
    audit: async (customerId: string, before: string | null) => {
      await proof.flush();
      return api.auditAs(session.current()?.id ?? '', customerId, before);
    },
  };
  const queries = createQueries({ db, ledger, merges, lookupIndex, settings$, storeId: credential.storeId, pending$: replication.pending$, audit });
  const commands = createCommands(env, onUnexpected);

  return {
    identity: { ...identity, serverUrl: credential.serverUrl },
    status$: status.status$,
    settings$,
    session,
    commands,
    queries,
    devices: createDeviceActions({ api, session, serverUrl: credential.serverUrl, proof }),
    newCustomerId: () => codes.nextCustomerId(now()),
    sync: { resync: () => replication.resync(), awaitInSync: () => replication.awaitInSync(), pending$: replication.pending$, settled },
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      queries.stop();
      ledger.stop();
      merges.stop();
      lookupIndex.stop();
      await replication.stop();
      await db.close();
    },
  };
}
