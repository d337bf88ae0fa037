import type { RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { createPatronDatabase, type PatronDatabase, type RejectedRows } from '../../sync/client/database.ts';

/**
 * Opens this terminal's replica in IndexedDB (Dexie). The RxDB dev-mode plugin is deliberately absent from
 * the renderer — even a dead `import.meta.env.DEV` branch leaves its chunk in the build, and it loads a
 * remote iframe. Schema checks of every write run in the Node and Chromium test suites instead, which open
 * the same collections with dev-mode and a validating storage.
 */
export async function openLocalDatabase(terminalId: string, rejected: RejectedRows): Promise<PatronDatabase> {
  return createPatronDatabase({
    name: `patron-${terminalId}`,
    storage: getRxStorageDexie() as RxStorage<unknown, unknown>,
    rejected,
    multiInstance: false,
  });
}
