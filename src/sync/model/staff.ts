import { z } from 'zod';
import { DocumentBaseShape, IdSchema, RoleSchema } from './common.ts';

/** Staff PIN: 4–8 ASCII digits (the counter converts Persian digits before checking). */
export const PinSchema = z.string().regex(/^\d{4,8}$/);

/**
 * A staff member as terminals see it (pull-only). `pinHash` is an argon2id PHC string so the terminal
 * can check a PIN offline; the server never sends or stores the PIN itself.
 */
export const StaffSchema = z.strictObject({
  ...DocumentBaseShape,
  name: z.string().min(1).max(100),
  role: RoleSchema,
  pinHash: z.string().startsWith('$argon2id$').max(200),
  active: z.boolean(),
  /** Stores the member may sign in at; empty means every store. */
  storeIds: z.array(IdSchema).max(100),
});
/** A staff document. */
export type Staff = z.infer<typeof StaffSchema>;

/** Whether `member` may sign in at `storeId`: active, not deleted, and allowed there (no list = every store). */
export function mayWorkAt(member: Staff, storeId: string): boolean {
  return member.active && !member._deleted && (member.storeIds.length === 0 || member.storeIds.includes(storeId));
}
