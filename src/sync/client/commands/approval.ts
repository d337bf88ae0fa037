import { z } from 'zod';
import { IdSchema, type Role } from '../../model/common.ts';
import type { Staff } from '../../model/staff.ts';
import { roleAllows, refuse } from './command.ts';
import type { CommandEnv } from './env.ts';

// Some writes need a second person on the spot: a cashier's void that would leave a balance negative, an
// adjustment above the cashier's limit. The approver types their PIN on the same terminal; it is checked as a
// sign-in is (offline, against the synced hash, counted towards their lockout), without signing anyone out.

/** A PIN typed on the spot by someone with the authority a write needs. */
export const ApprovalSchema = z.strictObject({ staffId: IdSchema, pin: z.string().min(1).max(16) });
/** An approval as a command's input carries it. */
export type ApprovalInput = z.infer<typeof ApprovalSchema>;

/**
 * The member who approved, when `approval` is a valid PIN of an active member of this store with at least
 * `least`'s role. The signed-in member approves their own write when their role is enough. Refuses with
 * APPROVAL_REQUIRED (none given), PIN_INVALID / PIN_LOCKED, or FORBIDDEN (the approver's role is too low).
 */
export async function requireApproval(env: CommandEnv, signedIn: Staff, least: Role, approval: ApprovalInput | undefined): Promise<Staff> {
  if (roleAllows(signedIn.role, least)) return signedIn;
  if (!approval) refuse('APPROVAL_REQUIRED', undefined, { role: least });
  const result = await env.session.check(approval.staffId, approval.pin);
  if (!result.ok) refuse(result.code);
  if (!roleAllows(result.staff.role, least)) refuse('FORBIDDEN');
  return result.staff;
}
