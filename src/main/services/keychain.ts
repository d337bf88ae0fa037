import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { IdSchema } from '../../sync/model/common.ts';
import { MAX_EARLIER_CREDENTIALS } from '../../sync/model/wire-protocol.ts';
import type { DeviceCredential } from '../ipc/contract.ts';

// The device credential at rest: encrypted with Electron's safeStorage (Keychain on macOS, DPAPI on
// Windows, the Secret Service / KWallet on Linux) and written to a file in userData. Refuses to work when
// encryption is unavailable or when Linux fell back to `basic_text` (a hard-coded password: plain text in
// all but name) — the renderer then has to enrol again rather than have its secret sit on disk readable.

/** The device credential (contract: DeviceCredential). */
export const DeviceCredentialSchema = z.strictObject({
  terminalId: IdSchema,
  merchantId: IdSchema,
  storeId: IdSchema,
  credential: z.string().min(32).max(200),
  /** Earlier credentials, newest first: a sync server restored from a backup knows one of them. */
  earlier: z.array(z.string().min(32).max(200)).max(MAX_EARLIER_CREDENTIALS).optional(),
});

/** File in userData holding the encrypted credential. */
export const CREDENTIAL_FILE = 'device-credential.bin';

/** The safeStorage methods used (Electron 45's async API; the sync ones are deprecated). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  getSelectedStorageBackend(): string;
}

/** Raised when the OS keychain cannot be used safely; its message is safe to show. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}

/** Where the encrypted bytes live; injectable for tests. */
export interface CredentialFile {
  read(): Promise<Buffer | null>;
  write(data: Buffer): Promise<void>;
  remove(): Promise<void>;
}

/** The encrypted credential file in `dir` (mode 0600, replaced atomically enough for one writer). */
export function credentialFileIn(dir: string): CredentialFile {
  const file = path.join(dir, CREDENTIAL_FILE);
  return {
    async read() {
      try {
        return await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    write: (data) => writeFile(file, data, { mode: 0o600 }),
    remove: () => rm(file, { force: true }),
  };
}

/** The keychain capability. */
export interface Keychain {
  store(credential: DeviceCredential): Promise<void>;
  read(): Promise<DeviceCredential | null>;
  clear(): Promise<void>;
}

/**
 * A keychain over `safeStorage`. `platform` is process.platform; the basic_text refusal applies on Linux,
 * where getSelectedStorageBackend exists. Every operation re-checks, since the backend can change between
 * runs (a session started without a keyring).
 */
export function createKeychain(
  safeStorage: SafeStorageLike,
  file: CredentialFile,
  platform: NodeJS.Platform,
): Keychain {
  async function ensureSafe(): Promise<void> {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) {
      throw new KeychainUnavailableError('OS encryption is not available; the credential is not stored');
    }
    if (platform === 'linux') {
      const backend = safeStorage.getSelectedStorageBackend();
      if (backend === 'basic_text' || backend === 'unknown') {
        throw new KeychainUnavailableError(`no OS keyring (backend ${backend}); refusing plain-text storage`);
      }
    }
  }

  async function encrypt(credential: DeviceCredential): Promise<Buffer> {
    return safeStorage.encryptStringAsync(JSON.stringify(DeviceCredentialSchema.parse(credential)));
  }

  return {
    async store(credential) {
      await ensureSafe();
      await file.write(await encrypt(credential));
    },
    async read() {
      const data = await file.read();
      if (data === null) return null;
      await ensureSafe();
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data);
      let json: unknown;
      try {
        json = JSON.parse(result);
      } catch {
        json = null;
      }
      const parsed = DeviceCredentialSchema.safeParse(json);
      if (!parsed.success) throw new KeychainUnavailableError('stored credential is damaged; enrol again');
      if (shouldReEncrypt) await file.write(await encrypt(parsed.data));
      return parsed.data;
    },
    async clear() {
      await file.remove();
    },
  };
}
