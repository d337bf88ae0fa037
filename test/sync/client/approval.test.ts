import { describe, expect, it } from 'vitest';
import { requireApproval } from '../../../src/sync/client/commands/approval.ts';
import { CommandRefusal } from '../../../src/sync/client/commands/command.ts';
import type { CommandEnv } from '../../../src/sync/client/commands/env.ts';
import { createSession, memoryAttemptStore, MAX_PIN_FAILURES } from '../../../src/sync/client/session.ts';
import { newId } from '../../../src/sync/model/ids.ts';
import { hashPin } from '../../../src/sync/model/pin.ts';
import type { Staff } from '../../../src/sync/model/staff.ts';

// An approval on the spot: another member's PIN typed at this terminal, checked as a sign-in is.

const STORE = newId();
const salt = new Uint8Array(16).fill(3);

async function member(role: Staff['role'], pin: string, overrides: Partial<Staff> = {}): Promise<Staff> {
  return { id: newId(), merchantId: newId(), updatedAt: '2026-01-01T00:00:00.000Z', _deleted: false, name: role, role, pinHash: await hashPin(pin, salt), active: true, storeIds: [], updatedBy: null, publicKey: null, sealedKey: null, ...overrides };
}

async function env(staff: Staff[]) {
  const attempts = memoryAttemptStore();
  const session = createSession({ findStaff: async (id) => staff.find((s) => s.id === id) ?? null, storeId: STORE, attempts });
  return { session, env: { session } as unknown as CommandEnv, attempts };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof CommandRefusal ? error.code : error));

describe('approval on the spot', () => {
  it('needs none when the signed-in member’s role is enough', async () => {
    const manager = await member('manager', '246810');
    const { env: e } = await env([manager]);
    expect(await requireApproval(e, manager, 'manager', undefined)).toBe(manager);
  });

  it('takes a manager’s PIN for a cashier, and refuses a missing, wrong or too-junior one', async () => {
    const [cashier, manager, other] = [await member('cashier', '1234'), await member('manager', '246810'), await member('cashier', '4321')];
    const { env: e, session } = await env([cashier, manager, other]);
    expect(await refusal(requireApproval(e, cashier, 'manager', undefined))).toBe('APPROVAL_REQUIRED');
    expect(await refusal(requireApproval(e, cashier, 'manager', { staffId: manager.id, pin: '000000' }))).toBe('PIN_INVALID');
    expect(await refusal(requireApproval(e, cashier, 'manager', { staffId: other.id, pin: '4321' }))).toBe('FORBIDDEN');
    expect((await requireApproval(e, cashier, 'manager', { staffId: manager.id, pin: '246810' })).id).toBe(manager.id);
    // Nobody was signed in or out by it.
    expect(session.current()).toBeNull();
  });

  it('counts wrong PINs towards the approver’s lockout, and refuses a member of another store', async () => {
    const [cashier, manager, elsewhere] = [await member('cashier', '1234'), await member('manager', '246810'), await member('manager', '135791', { storeIds: [newId()] })];
    const { env: e } = await env([cashier, manager, elsewhere]);
    for (let i = 0; i < MAX_PIN_FAILURES - 1; i++) await refusal(requireApproval(e, cashier, 'manager', { staffId: manager.id, pin: '999999' }));
    expect(await refusal(requireApproval(e, cashier, 'manager', { staffId: manager.id, pin: '999999' }))).toBe('PIN_LOCKED');
    expect(await refusal(requireApproval(e, cashier, 'manager', { staffId: manager.id, pin: '246810' }))).toBe('PIN_LOCKED');
    expect(await refusal(requireApproval(e, cashier, 'manager', { staffId: elsewhere.id, pin: '135791' }))).toBe('PIN_INVALID');
  });
});
