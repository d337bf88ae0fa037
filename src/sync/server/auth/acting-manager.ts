import type { FastifyRequest } from 'fastify';
import { IdSchema } from '../../model/common.ts';
import { mayWorkAt, StaffSchema, type Staff } from '../../model/staff.ts';
import { STAFF_HEADER } from '../../model/wire-protocol.ts';
import { MAX_SESSION_MS } from '../../model/staff-proof.ts';
import type { Queryable } from '../db/database.ts';
import { HttpError } from '../http-errors.ts';
import { terminalOf } from './plugin.ts';

// The one check behind every manager route (the Devices page): the request names the staff member acting on
// this terminal, who must be an active manager or owner of the token's merchant, allowed at the terminal's
// store. The terminal's token fixes the merchant and store; the member comes from the header, and their PIN
// from a signed staff session (docs/security.md#staff-proof): one recorded for this terminal in the last 12
// hours (server time) and not closed by a sign-out.

const MANAGER_ROLES: ReadonlySet<Staff['role']> = new Set(['manager', 'owner']);

/**
 * The manager or owner acting on the request's terminal: 403 NOT_SIGNED_IN when the request names nobody,
 * 403 FORBIDDEN for anyone else. Never 401, which tells a terminal its own credential failed.
 */
export async function actingManager(db: Queryable, request: FastifyRequest): Promise<Staff> {
  const { merchantId, storeId, terminalId } = terminalOf(request);
  const header = request.headers[STAFF_HEADER];
  const staffId = IdSchema.safeParse(typeof header === 'string' ? header.toLowerCase() : undefined);
  if (!staffId.success) throw new HttpError(403, 'NOT_SIGNED_IN');
  const { rows } = await db.query<{ doc: unknown }>(`SELECT doc FROM staff WHERE merchant_id = $1 AND id = $2`, [merchantId, staffId.data]);
  const member = StaffSchema.safeParse(rows[0]?.doc);
  if (!member.success || !MANAGER_ROLES.has(member.data.role) || !mayWorkAt(member.data, storeId)) throw new HttpError(403, 'FORBIDDEN');
  const session = await db.query(
    `SELECT 1 FROM staff_sessions WHERE terminal_id = $1 AND staff_id = $2 AND closed_at IS NULL AND registered_at > now() - make_interval(secs => $3)`,
    [terminalId, staffId.data, MAX_SESSION_MS / 1000],
  );
  if (session.rows.length === 0) throw new HttpError(403, 'NOT_SIGNED_IN');
  return member.data;
}

/** Whether `manager` may act for `storeId` (a manager limited to some stores manages only their devices). */
export function managesStore(manager: Staff, storeId: string): boolean {
  return mayWorkAt(manager, storeId);
}
