import { describe, expect, it } from 'vitest';
import { storageAttemptStore } from '../../../src/sync/client/attempt-store.ts';
import { LOCKOUT_MS, MAX_PIN_FAILURES, signIn } from '../../../src/sync/client/session.ts';
import { hashPin } from '../../../src/sync/model/pin.ts';
import { mayWorkAt, type Staff } from '../../../src/sync/model/staff.ts';

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, v),
  };
}

const STORE = '01890a5d-ac96-774b-bcce-b302099a8059';
const OTHER = '01890a5d-ac96-774b-bcce-b302099a8050';

function member(overrides: Partial<Staff>): Staff {
  return {
    id: '01890a5d-ac96-774b-bcce-b302099a8061',
    merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
    updatedAt: '2025-01-01T00:00:00.000Z',
    _deleted: false,
    name: 'Sara',
    role: 'cashier',
    pinHash: '$argon2id$x',
    active: true,
    storeIds: [], updatedBy: null, publicKey: null, sealedKey: null,
    ...overrides,
  };
}

describe('staff who may sign in here', () => {
  it('keeps active members of this store (or of every store)', () => {
    const list = (
      [
        member({ id: '1', name: 'Zed' }),
        member({ id: '2', name: 'Amy', storeIds: [STORE] }),
        member({ id: '3', name: 'Bob', storeIds: [OTHER] }),
        member({ id: '4', name: 'Cat', active: false }),
        member({ id: '5', name: 'Dan', _deleted: true }),
      ]
    ).filter((s) => mayWorkAt(s, STORE));
    expect(list.map((s) => s.name)).toEqual(['Zed', 'Amy']);
  });
});

describe('PIN attempts in localStorage', () => {
  it('keeps a lockout across a reload (a new store over the same storage)', async () => {
    const storage = memoryStorage();
    const staff = member({ pinHash: await hashPin('1234', new Uint8Array(16).fill(7)) });
    const now = 1_000_000;
    let result;
    for (let i = 0; i < MAX_PIN_FAILURES; i++) result = await signIn(staff, '0000', storageAttemptStore(storage), now);
    expect(result).toEqual({ ok: false, code: 'PIN_LOCKED', retryAt: now + LOCKOUT_MS });
    // "Reload": a fresh store reading the same storage still refuses the right PIN until the lock ends.
    expect(await signIn(staff, '1234', storageAttemptStore(storage), now + 1000)).toMatchObject({ code: 'PIN_LOCKED' });
    expect(await signIn(staff, '۱۲۳۴', storageAttemptStore(storage), now + LOCKOUT_MS + 1)).toMatchObject({ ok: true });
    expect(storageAttemptStore(storage).get(staff.id)).toBeNull();
  }, 20_000);

  it('treats a corrupt record as nearly locked, never as a clean slate', () => {
    const storage = memoryStorage();
    storage.setItem('patron.pinAttempts.x', '{"failures":"lots"}');
    expect(storageAttemptStore(storage).get('x')).toEqual({ failures: MAX_PIN_FAILURES - 1, lockedUntil: 0 });
    expect(storageAttemptStore(undefined).get('x')).toBeNull();
  });
});
