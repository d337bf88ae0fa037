import { BehaviorSubject } from 'rxjs';
import type { RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { enrol, type CredentialStore, type DeviceCredential } from '../../sync/client/auth.ts';
import type { KeyValueStore } from '../../sync/client/key-value.ts';
import { browserNetwork } from '../../sync/client/network.ts';
import { openTerminal, type Terminal } from '../../sync/client/terminal.ts';
import type { Platform } from '../lib/platform.ts';

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

function browserMemory(): KeyValueStore | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Opens the terminal as the app runs it: the replica in IndexedDB (Dexie). The RxDB dev-mode plugin is
 * deliberately absent from the renderer — even a dead `import.meta.env.DEV` branch leaves its chunk in the
 * build, and it loads a remote iframe; the Node and Chromium suites run the same collections with dev-mode.
 */
export function startTerminal(credential: DeviceCredential, credentials: CredentialStore): Promise<Terminal> {
  return openTerminal({
    credential,
    credentials,
    storage: getRxStorageDexie() as RxStorage<unknown, unknown>,
    memory: browserMemory(),
    // The browser's offline event is one of the signals of the status bar (with the poke stream's keep-alive).
    network: browserNetwork(),
  });
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
export type { Terminal };
