import { randomBytes } from 'node:crypto';
import { addRxPlugin, type RxStorage } from 'rxdb';
import { openKey, sessionAround } from './staff-sessions.ts';
import { RxDBDevModePlugin, disableWarnings } from 'rxdb/plugins/dev-mode';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { createSyncApi, type StaffProofApi } from '../../src/sync/client/api.ts';
import { createTokenSource, enrol, memoryCredentialStore, type CredentialStore, type DeviceCredential } from '../../src/sync/client/auth.ts';
import { RejectedRows, createPatronDatabase, type PatronDatabase } from '../../src/sync/client/database.ts';
import { startReplication, type Replication, type ReplicationOptions } from '../../src/sync/client/replicate.ts';
import { createStatusStore } from '../../src/sync/client/status.ts';
import { memoryKeyValueStore, type KeyValueStore } from '../../src/sync/client/key-value.ts';
import { openTerminal, type Terminal } from '../../src/sync/client/terminal.ts';
import type { NetworkSignal } from '../../src/sync/client/network.ts';
import type { CollectionName } from '../../src/sync/model/wire-protocol.ts';

let devMode = false;
/** Dev-mode (strict schema checks of every local write) in tests only — never in a production bundle. */
export function enableDevMode(): void {
  if (devMode) return;
  disableWarnings();
  addRxPlugin(RxDBDevModePlugin);
  devMode = true;
}

/** Memory storage with schema validation, as tests use it. */
export function testStorage(): RxStorage<unknown, unknown> {
  return wrappedValidateAjvStorage({ storage: getRxStorageMemory() }) as RxStorage<unknown, unknown>;
}

/** The PINs test members are created with (test/helpers/sync-server.ts SEED_PINS, server-process.ts SHOP_PIN). */
const TEST_PINS = ['1234', '987654'];

/**
 * Signs in every member whose key a test PIN opens on the terminal, for the 12 hours around now — as if they
 * had signed in at its counter — so writes tests make in their names directly are accepted by the server.
 */
export async function signInTestStaff(api: StaffProofApi, credential: DeviceCredential): Promise<void> {
  const { keys } = await api.staffKeys();
  for (const key of keys) {
    for (const pin of TEST_PINS) {
      const signingKey = await openKey(key, pin);
      if (signingKey) await api.recordStaffSession(await sessionAround(signingKey, { merchantId: credential.merchantId, terminalId: credential.terminalId, staffId: key.staffId }));
    }
  }
}

/** A running terminal: its replica, replication and status. */
export interface TestClient {
  db: PatronDatabase;
  credential: DeviceCredential;
  store: CredentialStore;
  status: ReturnType<typeof createStatusStore>;
  replication: Replication;
  rejected: RejectedRows;
  /** Stops replication and closes the database (keeps the storage for a reopen when `keep`). */
  close(): Promise<void>;
}

/** Enrols (or reuses a credential) and starts replicating the given collections. */
export async function startClient(options: {
  serverUrl: string;
  code?: string;
  credential?: DeviceCredential;
  collections: readonly CollectionName[];
  storage?: RxStorage<unknown, unknown>;
  name?: string;
  fetch?: typeof fetch;
  replication?: ReplicationOptions;
}): Promise<TestClient> {
  enableDevMode();
  const store = memoryCredentialStore(options.credential ?? null);
  const doFetch = options.fetch ?? fetch;
  const credential = options.credential ?? (await enrol({ serverUrl: options.serverUrl, code: options.code!, deviceName: 'test till', store, fetch: doFetch }));
  const rejected = new RejectedRows();
  const db = await createPatronDatabase({
    name: options.name ?? `t${randomBytes(5).toString('hex')}`,
    storage: options.storage ?? testStorage(),
    rejected,
    collections: options.collections,
  });
  const status = createStatusStore();
  const tokens = createTokenSource({ store, fetch: doFetch });
  const api = createSyncApi({ serverUrl: options.serverUrl, tokens, status, fetch: doFetch });
  if (!options.credential) await signInTestStaff(api, credential);
  const replication = startReplication({
    db,
    api,
    tokens,
    serverUrl: options.serverUrl,
    terminalId: credential.terminalId,
    storeId: credential.storeId,
    rejected,
    status,
    fetch: doFetch,
    options: { retryMs: 200, resyncIntervalMs: 2_000, ...options.replication },
  });
  return {
    db,
    credential: (await store.load())!,
    store,
    status,
    replication,
    rejected,
    async close() {
      await replication.stop();
      await db.close();
    },
  };
}

/** Polls `check` until it returns true (or throws after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A network the test can cut: every request fails like a dead connection while `offline` is set. */
export function switchableFetch(): { fetch: typeof fetch; offline: boolean } {
  const network: { fetch: typeof fetch; offline: boolean } = {
    offline: false,
    fetch: (input, init) => (network.offline ? Promise.reject(new TypeError('fetch failed (network cut by the test)')) : fetch(input, init)),
  };
  return network;
}

/** A device network signal the test switches (what the browser's online/offline events tell the app). */
export function fakeNetwork(): NetworkSignal & { set(online: boolean): void } {
  let online = true;
  const listeners = new Set<(online: boolean) => void>();
  return {
    online: () => online,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      online = next;
      for (const listener of listeners) listener(next);
    },
  };
}

/** Opens a whole terminal (client/terminal.ts) as the app does, on memory storage; enrols with `code` first. */
export async function openTestTerminal(options: {
  serverUrl: string;
  code?: string;
  credential?: DeviceCredential;
  credentials?: CredentialStore;
  storage?: RxStorage<unknown, unknown>;
  name?: string;
  fetch?: typeof fetch;
  memory?: KeyValueStore;
  replication?: ReplicationOptions;
  network?: NetworkSignal;
  onUnexpected?: (error: unknown) => void;
  /** Whether the test members are signed in on the new terminal beforehand (signInTestStaff); default yes. */
  signInTestStaff?: boolean;
}): Promise<Terminal & { credentials: CredentialStore }> {
  enableDevMode();
  const credentials = options.credentials ?? memoryCredentialStore(options.credential ?? null);
  const stored = await credentials.load();
  const credential = stored ?? (await enrol({ serverUrl: options.serverUrl, code: options.code!, deviceName: 'test till', store: credentials, fetch: options.fetch }));
  if (!stored && options.signInTestStaff !== false) {
    const tokens = createTokenSource({ store: credentials, fetch: options.fetch });
    await signInTestStaff(createSyncApi({ serverUrl: options.serverUrl, tokens, status: createStatusStore(), fetch: options.fetch }), credential);
  }
  const terminal = await openTerminal({
    credential,
    credentials,
    storage: options.storage ?? testStorage(),
    databaseName: options.name ?? `t${randomBytes(5).toString('hex')}`,
    fetch: options.fetch,
    memory: options.memory ?? memoryKeyValueStore(),
    replication: { retryMs: 200, resyncIntervalMs: 2_000, ...options.replication },
    onUnexpected: options.onUnexpected ?? (() => {}),
    network: options.network,
  });
  return Object.assign(terminal, { credentials });
}
