import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceCredential } from '../../src/main/ipc/contract.ts';
import {
  CREDENTIAL_FILE,
  createKeychain,
  credentialFileIn,
  KeychainUnavailableError,
  type SafeStorageLike,
} from '../../src/main/services/keychain.ts';

const CREDENTIAL: DeviceCredential = {
  terminalId: '01890a5d-ac96-774b-bcce-b302099a8057',
  merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
  storeId: '01890a5d-ac96-774b-bcce-b302099a8059',
  credential: 'dc_3q2+7w==_a-very-secret-device-credential-value',
};

/** A fake safeStorage: XOR "encryption" with a key generation, so rotation and tampering are observable. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}) {
  let generation = 1;
  const xor = (data: Buffer, key: number) => Buffer.from(data.map((b) => b ^ (0x5a + key)));
  const storage = {
    available: options.available ?? true,
    backend: options.backend ?? 'gnome_libsecret',
    rotate: () => {
      generation += 1;
    },
    isAsyncEncryptionAvailable: vi.fn(async () => storage.available),
    getSelectedStorageBackend: vi.fn(() => storage.backend),
    encryptStringAsync: vi.fn(async (plain: string) =>
      Buffer.concat([Buffer.from([generation]), xor(Buffer.from(plain, 'utf8'), generation)]),
    ),
    decryptStringAsync: vi.fn(async (data: Buffer) => {
      const key = data[0] ?? 0;
      return { result: xor(data.subarray(1), key).toString('utf8'), shouldReEncrypt: key !== generation };
    }),
  };
  return storage satisfies SafeStorageLike & Record<string, unknown>;
}

describe('keychain over safeStorage', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patron-keychain-'));
    file = path.join(dir, CREDENTIAL_FILE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips the credential, and only ciphertext reaches the disk (mode 0600)', async () => {
    const keychain = createKeychain(fakeSafeStorage(), credentialFileIn(dir), 'linux');
    expect(await keychain.read()).toBeNull();
    await keychain.store(CREDENTIAL);
    const onDisk = readFileSync(file);
    expect(onDisk.toString('utf8')).not.toContain(CREDENTIAL.credential);
    expect(onDisk.toString('latin1')).not.toContain('secret');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    expect(await keychain.read()).toEqual(CREDENTIAL);
    await keychain.clear();
    expect(existsSync(file)).toBe(false);
    expect(await keychain.read()).toBeNull();
    await keychain.clear(); // clearing twice is fine
  });

  it.each(['basic_text', 'unknown'])(
    'refuses the Linux %s backend: nothing encrypted, nothing written',
    async (backend) => {
      const safe = fakeSafeStorage({ backend });
      const keychain = createKeychain(safe, credentialFileIn(dir), 'linux');
      await expect(keychain.store(CREDENTIAL)).rejects.toBeInstanceOf(KeychainUnavailableError);
      await expect(keychain.store(CREDENTIAL)).rejects.toThrow(/plain-text/);
      expect(safe.encryptStringAsync).not.toHaveBeenCalled();
      expect(existsSync(file)).toBe(false);
    },
  );

  it('refuses to read a credential once Linux fell back to basic_text', async () => {
    const safe = fakeSafeStorage();
    const keychain = createKeychain(safe, credentialFileIn(dir), 'linux');
    await keychain.store(CREDENTIAL);
    safe.backend = 'basic_text';
    await expect(keychain.read()).rejects.toBeInstanceOf(KeychainUnavailableError);
    expect(safe.decryptStringAsync).not.toHaveBeenCalled();
  });

  it('does not apply the Linux backend rule elsewhere (Keychain, DPAPI)', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const safe = fakeSafeStorage({ backend: 'basic_text' });
      const keychain = createKeychain(safe, credentialFileIn(dir), platform);
      await keychain.store(CREDENTIAL);
      expect(await keychain.read()).toEqual(CREDENTIAL);
    }
  });

  it.each(['linux', 'darwin', 'win32'] as const)('refuses when OS encryption is unavailable (%s)', async (platform) => {
    const safe = fakeSafeStorage({ available: false });
    const keychain = createKeychain(safe, credentialFileIn(dir), platform);
    await expect(keychain.store(CREDENTIAL)).rejects.toThrow(/not available/);
    expect(safe.encryptStringAsync).not.toHaveBeenCalled();
    expect(existsSync(file)).toBe(false);
  });

  it('validates the credential before encrypting it', async () => {
    const safe = fakeSafeStorage();
    const keychain = createKeychain(safe, credentialFileIn(dir), 'linux');
    await expect(keychain.store({ ...CREDENTIAL, credential: 'short' })).rejects.toThrow();
    await expect(keychain.store({ ...CREDENTIAL, terminalId: 'not-a-uuid' })).rejects.toThrow();
    await expect(keychain.store({ ...CREDENTIAL, extra: 1 } as DeviceCredential)).rejects.toThrow();
    expect(safe.encryptStringAsync).not.toHaveBeenCalled();
    expect(existsSync(file)).toBe(false);
  });

  it('re-encrypts after the OS rotated its key', async () => {
    const safe = fakeSafeStorage();
    const keychain = createKeychain(safe, credentialFileIn(dir), 'linux');
    await keychain.store(CREDENTIAL);
    const before = readFileSync(file);
    safe.rotate();
    expect(await keychain.read()).toEqual(CREDENTIAL);
    const after = readFileSync(file);
    expect(after.equals(before)).toBe(false);
    expect(after[0]).toBe(2);
    expect(await keychain.read()).toEqual(CREDENTIAL);
  });

  it('reports a damaged file as unavailable instead of returning garbage', async () => {
    const keychain = createKeychain(fakeSafeStorage(), credentialFileIn(dir), 'linux');
    await keychain.store(CREDENTIAL);
    const damaged = readFileSync(file);
    damaged[5] = (damaged[5] ?? 0) ^ 0xff;
    writeFileSync(file, damaged);
    await expect(keychain.read()).rejects.toBeInstanceOf(KeychainUnavailableError);
  });
});
