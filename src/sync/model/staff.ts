import { z } from 'zod';
import { DocumentBaseShape, IdSchema, RoleSchema, type Role } from './common.ts';

/** Staff PIN: 4–8 ASCII digits (the counter converts Persian digits before checking). */
export const PinSchema = z.string().regex(/^\d{4,8}$/);

/** An Ed25519 public key (hex), and the private key sealed under the member's PIN (model/staff-proof.ts). */
export const PublicKeySchema = z.string().regex(/^[0-9a-f]{64}$/);
export const SealedKeySchema = z.string().regex(/^v1\.[0-9a-f]{32}\.[0-9a-f]{24}\.[0-9a-f]{2,400}$/);

/**
 * A staff member. `pinHash` is an argon2id PHC string so the terminal can check a PIN offline; the server
 * never sends or stores the PIN itself. Owners write staff from their terminal (docs/security.md#staff); the
 * member's signing key travels with the document it belongs to, so a PIN and its key change together.
 */
export const StaffSchema = z.strictObject({
  ...DocumentBaseShape,
  name: z.string().min(1).max(100),
  role: RoleSchema,
  pinHash: z.string().startsWith('$argon2id$').max(200),
  active: z.boolean(),
  /** Stores the member may sign in at; empty means every store. */
  storeIds: z.array(IdSchema).max(100),
  /** The owner who made the last change on a terminal; null when the server's operator did. */
  updatedBy: IdSchema.nullable(),
  /** The member's signing key (null when the document does not carry it: `GET /v1/staff-keys` serves it). */
  publicKey: PublicKeySchema.nullable(),
  sealedKey: SealedKeySchema.nullable(),
});
/** A staff document. */
export type Staff = z.infer<typeof StaffSchema>;

/** Whether `member` may sign in at `storeId`: active, not deleted, and allowed there (no list = every store). */
export function mayWorkAt(member: Staff, storeId: string): boolean {
  return member.active && !member._deleted && (member.storeIds.length === 0 || member.storeIds.includes(storeId));
}

/** Why a staff change is refused (docs/security.md#staff): only owners manage staff, and one owner always remains. */
export type StaffChangeProblem = 'NOT_OWNER' | 'LAST_OWNER' | 'KEY_MISMATCH' | 'NEW_PIN_REQUIRED' | 'DELETED';

/**
 * The rules of a staff write by `actor`, shared by the owner's terminal and the server. `next` replaces
 * `previous` (absent for a new member); `others` are the merchant's other members as stored. A new PIN comes
 * with a new key and a new key with a new PIN, or the member could not sign in; a cashier made a manager or
 * an owner gets a new PIN at the same time (theirs may have four digits, and only the hash is here to tell);
 * members are deactivated, never deleted (the audit trail keeps naming them); and an active owner remains.
 */
export function staffChangeProblem(actor: { role: Role }, previous: Staff | undefined, next: Staff, others: readonly Staff[]): StaffChangeProblem | null {
  if (actor.role !== 'owner') return 'NOT_OWNER';
  if (next._deleted) return 'DELETED';
  const keyed = next.publicKey !== null && next.sealedKey !== null;
  if (!previous && !keyed) return 'KEY_MISMATCH';
  if (previous && (previous.pinHash !== next.pinHash) !== (previous.publicKey !== next.publicKey || previous.sealedKey !== next.sealedKey)) return 'KEY_MISMATCH';
  if (previous && previous.pinHash !== next.pinHash && !keyed) return 'KEY_MISMATCH';
  if (previous && previous.role === 'cashier' && next.role !== 'cashier' && previous.pinHash === next.pinHash) return 'NEW_PIN_REQUIRED';
  const isActiveOwner = (member: Staff) => member.active && !member._deleted && member.role === 'owner';
  if (previous && isActiveOwner(previous) && !isActiveOwner(next) && !others.some((other) => other.id !== next.id && isActiveOwner(other))) return 'LAST_OWNER';
  return null;
}
