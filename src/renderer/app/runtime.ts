import { BehaviorSubject, type Observable } from 'rxjs';
import { createSyncApi } from '../../sync/client/api.ts';
import { createTokenSource, enrol, type CredentialStore, type DeviceCredential } from '../../sync/client/auth.ts';
import { RejectedRows, type PatronDatabase } from '../../sync/client/database.ts';
import { createLookupIndex, type LookupIndex } from '../../sync/client/lookup-index.ts';
import { isEmptyReplica, loadExpectedDocuments } from '../../sync/client/progress.ts';
import { createLedgerIndex, createMergeIndex, type LedgerIndex, type MergeIndex } from '../../sync/client/reads.ts';
import { startReplication, type Replication } from '../../sync/client/replicate.ts';
import { createStatusStore, type SyncStatus } from '../../sync/client/status.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, type Settings } from '../../sync/model/settings.ts';
import type { Staff } from '../../sync/model/staff.ts';
import { openLocalDatabase } from '../db/create-database.ts';
import type { Platform } from '../lib/platform.ts';

/** Everything a signed-in counter works with: the replica, its replication and the derived reads. */
export interface Terminal {
  credential: DeviceCredential;
  db: PatronDatabase;
  status$: Observable<SyncStatus>;
  replication: Replication;
  ledger: LedgerIndex;
  merges: MergeIndex;
  /** The counter's lookup in memory (answers once filled; `lookupCustomers` until then). */
  lookup: LookupIndex;
  /** The merchant's settings as replicated (defaults until the first pull brings them). */
  settings$: BehaviorSubject<Settings>;
  /** The staff member signed in at this terminal, if any. */
  staff$: BehaviorSubject<Staff | null>;
  close(): Promise<void>;
}

/** Where the app is in its life: before enrolment, or running a terminal. */
export type RuntimeState = { phase: 'starting' } | { phase: 'enrol'; error?: string } | { phase: 'ready'; terminal: Terminal };

/** The credential store over the platform adapter (OS keychain on desktop, IndexedDB on the web). */
export function platformCredentialStore(platform: Platform, serverUrl: () => Promise<string>): CredentialStore {
  return {
    async load() {
      const stored = await platform.readDeviceCredential();
      return stored ? { ...stored, serverUrl: await serverUrl() } : null;
    },
    async save(credential) {
      const { serverUrl: _url, ...rest } = credential;
      await platform.storeDeviceCredential(rest);
    },
    clear: () => platform.clearDeviceCredential(),
  };
}

function defaultSettings(credential: DeviceCredential): Settings {
  return {
    id: credential.merchantId,
    merchantId: credential.merchantId,
    updatedAt: new Date(0).toISOString(),
    _deleted: false,
    businessName: '',
    currency: 'IRR',
    defaultRegion: 'IR',
    locale: 'fa',
    timeZone: 'Asia/Tehran',
    stores: [],
    program: DEFAULT_PROGRAM,
    segments: DEFAULT_SEGMENT_RULES,
    updatedBy: credential.merchantId,
    conflicts: [],
  };
}

/** Opens the replica and starts replicating for an enrolled terminal. */
export async function startTerminal(credential: DeviceCredential, store: CredentialStore): Promise<Terminal> {
  const rejected = new RejectedRows();
  const db = await openLocalDatabase(credential.terminalId, rejected);
  const status = createStatusStore();
  const tokens = createTokenSource({ store });
  const api = createSyncApi({ serverUrl: credential.serverUrl, tokens, status });
  // Only a replica that starts empty pulls the whole feed, so only its initial sync is shown as a percentage
  // of the server's totals (fetched once, alongside the first pulls).
  const fresh = await isEmptyReplica(db);
  const replication = startReplication({ db, api, tokens, serverUrl: credential.serverUrl, terminalId: credential.terminalId, rejected, status });
  if (fresh) void loadExpectedDocuments({ db, api, status });
  const settings$ = new BehaviorSubject<Settings>(defaultSettings(credential));
  const settingsSub = db.settings.findOne(credential.merchantId).$.subscribe((doc) => {
    if (doc) settings$.next({ ...(doc.toJSON() as Omit<Settings, '_deleted'>), _deleted: false } as Settings);
  });
  const ledger = createLedgerIndex(db, () => settings$.getValue().program);
  const merges = createMergeIndex(db);
  const lookup = createLookupIndex(db, () => settings$.getValue().defaultRegion);
  return {
    credential,
    db,
    status$: status.status$,
    replication,
    ledger,
    merges,
    lookup,
    settings$,
    staff$: new BehaviorSubject<Staff | null>(null),
    async close() {
      settingsSub.unsubscribe();
      ledger.stop();
      merges.stop();
      lookup.stop();
      await replication.stop();
      await db.close();
    },
  };
}

/** The app's runtime: decides between enrolment and the counter, and enrols. */
export function createRuntime(platform: Platform, origin: string) {
  const serverUrl = async () => (await platform.getSettings()).syncServerUrl ?? origin;
  const store = platformCredentialStore(platform, serverUrl);
  const state$ = new BehaviorSubject<RuntimeState>({ phase: 'starting' });

  async function start(): Promise<void> {
    const credential = await store.load();
    state$.next(credential ? { phase: 'ready', terminal: await startTerminal(credential, store) } : { phase: 'enrol' });
  }
  // Boots once: React's StrictMode runs effects twice in development, and a second database with the
  // same name would be refused (RxDB DB8).
  let booted: Promise<void> | null = null;

  return {
    state$,
    boot: () => (booted ??= start()),
    /** Enrols with a one-time code and starts the terminal. Throws SyncError on refusal. */
    async enrol(code: string, deviceName: string): Promise<void> {
      const credential = await enrol({ serverUrl: await serverUrl(), code, deviceName, store });
      state$.next({ phase: 'ready', terminal: await startTerminal(credential, store) });
    },
    serverUrl,
  };
}

/** The runtime of the app. */
export type Runtime = ReturnType<typeof createRuntime>;
