import { z } from 'zod';
import { IdSchema, RoleSchema, type Role } from '../../model/common.ts';
import type { FieldProblem } from '../../model/errors.ts';
import { newId } from '../../model/ids.ts';
import { hashPin } from '../../model/pin.ts';
import { createStaffKey, MIN_MANAGER_PIN_DIGITS } from '../../model/staff-proof.ts';
import { PinSchema, staffChangeProblem, StaffSchema, type Staff } from '../../model/staff.ts';
import { toAsciiDigits } from '../../model/text.ts';
import { fromReplica, forStorage } from '../documents.ts';
import { command, refuse } from './command.ts';
import type { CommandEnv } from './env.ts';

// The staff screen's writes (owners only; docs/security.md#staff). A new member or a new PIN gets a new
// Ed25519 key pair sealed under that PIN, here, while the owner's terminal knows the PIN: the document carries
// the PIN's hash and the sealed key together, and the server takes the key only from an owner's write.

const random = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

const NameInput = z.string().trim().min(1, 'REQUIRED').max(100, 'TOO_LONG');
const StoresInput = z.array(IdSchema).max(100);
/** A PIN as typed (Persian digits allowed), and the same PIN typed again. */
const PinsInput = { pin: z.string().trim().max(16).transform(toAsciiDigits), pinAgain: z.string().trim().max(16).transform(toAsciiDigits) };

/** The field problem of a new PIN for `role` (null when it is acceptable). */
function pinFieldProblem(role: Role, pin: string, again: string): { field: 'pin' | 'pinAgain'; problem: FieldProblem } | null {
  if (!PinSchema.safeParse(pin).success) return { field: 'pin', problem: 'PIN_FORMAT' };
  if (role !== 'cashier' && pin.length < MIN_MANAGER_PIN_DIGITS) return { field: 'pin', problem: 'PIN_TOO_SHORT' };
  if (pin !== again) return { field: 'pinAgain', problem: 'PIN_MISMATCH' };
  return null;
}

function checkPins(role: Role, pin: string, again: string): void {
  const problem = pinFieldProblem(role, pin, again);
  if (problem) refuse('VALIDATION_FAILED', { [problem.field]: problem.problem });
}

/** A new PIN's hash and a new key pair sealed under it (the slow part: two argon2id runs). */
async function keyedPin(staffId: string, pin: string): Promise<Pick<Staff, 'pinHash' | 'publicKey' | 'sealedKey'>> {
  const [pinHash, key] = await Promise.all([hashPin(pin, random(16)), createStaffKey(staffId, pin, random)]);
  return { pinHash, publicKey: key.publicKey, sealedKey: key.sealedKey };
}

/** Stores must be the merchant's own. */
function checkStores(env: CommandEnv, storeIds: readonly string[]): void {
  const known = new Set(env.settings().stores.map((store) => store.id));
  if (storeIds.some((id) => !known.has(id))) refuse('VALIDATION_FAILED', { storeIds: 'INVALID' });
}

/** The merchant's members as this replica has them. */
async function members(env: CommandEnv): Promise<Staff[]> {
  return (await env.db.staff.find().exec()).map((doc) => fromReplica<Staff>(doc));
}

/** The model's rule (the server applies the same one); an owner-only command fails only on the last owner. */
async function checkChange(env: CommandEnv, actor: Staff, previous: Staff | undefined, next: Staff): Promise<void> {
  const problem = staffChangeProblem(actor, previous, next, await members(env));
  if (problem === 'NOT_OWNER') refuse('FORBIDDEN');
  if (problem === 'LAST_OWNER') refuse('LAST_OWNER');
  if (problem === 'NEW_PIN_REQUIRED') refuse('VALIDATION_FAILED', { pin: 'PIN_TOO_SHORT' });
  if (problem !== null) refuse('VALIDATION_FAILED');
}

/** Adds a member who can sign in with `pin` (at `storeIds`, or every store when empty). */
export const addStaffMember = command({
  role: 'owner',
  input: z.strictObject({ name: NameInput, role: RoleSchema, storeIds: StoresInput, ...PinsInput }),
  async run(env, input, owner) {
    checkPins(input.role, input.pin, input.pinAgain);
    checkStores(env, input.storeIds);
    const id = newId();
    const member = StaffSchema.parse({
      id,
      merchantId: env.identity.merchantId,
      updatedAt: env.now().toISOString(),
      updatedBy: owner.id,
      _deleted: false,
      name: input.name,
      role: input.role,
      active: true,
      storeIds: input.storeIds,
      ...(await keyedPin(id, input.pin)),
    });
    await checkChange(env, owner, undefined, member);
    await env.db.staff.insert(forStorage(member));
    return member;
  },
});

/** A member's replica document and its data, or NOT_FOUND. */
async function stored(env: CommandEnv, id: string) {
  const doc = await env.db.staff.findOne(id).exec();
  if (!doc) refuse('NOT_FOUND');
  return { doc, member: fromReplica<Staff>(doc) };
}

/**
 * Changes a member's name, role, stores or whether they may sign in (deactivated: on no terminal after its
 * next sync). A cashier made a manager or an owner needs a new PIN with it (`pin`, `pinAgain`).
 */
export const updateStaffMember = command({
  role: 'owner',
  input: z.strictObject({
    id: IdSchema,
    name: NameInput.optional(),
    role: RoleSchema.optional(),
    storeIds: StoresInput.optional(),
    active: z.boolean().optional(),
    pin: PinsInput.pin.optional(),
    pinAgain: PinsInput.pinAgain.optional(),
  }),
  async run(env, input, owner) {
    const { id, pin, pinAgain, ...changes } = input;
    const { doc, member } = await stored(env, id);
    if (changes.storeIds) checkStores(env, changes.storeIds);
    if (pin !== undefined) checkPins(changes.role ?? member.role, pin, pinAgain ?? '');
    const keyed = pin === undefined ? {} : await keyedPin(member.id, pin);
    const patch = { ...changes, ...keyed, updatedAt: env.now().toISOString(), updatedBy: owner.id };
    const next = StaffSchema.parse({ ...member, ...patch });
    await checkChange(env, owner, member, next);
    return fromReplica<Staff>(await doc.incrementalPatch(patch));
  },
});

/** Sets a member's new PIN, with a new signing key sealed under it (the old PIN opens nothing after the next sync). */
export const resetStaffPin = command({
  role: 'owner',
  input: z.strictObject({ id: IdSchema, ...PinsInput }),
  async run(env, input, owner) {
    const { doc, member } = await stored(env, input.id);
    checkPins(member.role, input.pin, input.pinAgain);
    const patch = { ...(await keyedPin(member.id, input.pin)), updatedAt: env.now().toISOString(), updatedBy: owner.id };
    const next = StaffSchema.parse({ ...member, ...patch });
    await checkChange(env, owner, member, next);
    return fromReplica<Staff>(await doc.incrementalPatch(patch));
  },
});
