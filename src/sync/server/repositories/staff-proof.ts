import { sessionTimeProblem, verifySession, type SignedStaffSession, type StaffKey } from '../../model/staff-proof.ts';
import { mayWorkAt, type Staff } from '../../model/staff.ts';
import type { Queryable } from '../db/database.ts';

// The server's half of the staff proof (docs/security.md#staff-proof): it keeps each member's public key,
// verifies the sessions terminals sign with the private key, and answers which sessions cover a write.

/** Stores (or replaces, after a PIN change) a member's key pair. */
export async function storeStaffKey(tx: Queryable, merchantId: string, key: StaffKey): Promise<void> {
  await tx.query(
    `INSERT INTO staff_keys (merchant_id, staff_id, public_key, sealed_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (merchant_id, staff_id) DO UPDATE SET public_key = EXCLUDED.public_key, sealed_key = EXCLUDED.sealed_key, created_at = now()`,
    [merchantId, key.staffId, key.publicKey, key.sealedKey],
  );
}

/** Stores the keys that staff documents written by a push carry (an owner's new member or new PIN). */
export async function storeWrittenStaffKeys(tx: Queryable, merchantId: string, written: readonly { doc: Record<string, unknown>; previous: Record<string, unknown> | undefined }[]): Promise<void> {
  for (const { doc, previous } of written) {
    const member = doc as unknown as Staff;
    if (member.publicKey === null || member.sealedKey === null) continue;
    if (previous && previous.publicKey === member.publicKey && previous.sealedKey === member.sealedKey) continue;
    await storeStaffKey(tx, merchantId, { staffId: member.id, publicKey: member.publicKey, sealedKey: member.sealedKey });
  }
}

/** The keys of the merchant's members, for terminals (each can open only a member's own, with their PIN). */
export async function merchantStaffKeys(db: Queryable, merchantId: string): Promise<StaffKey[]> {
  const { rows } = await db.query<{ staff_id: string; public_key: string; sealed_key: string }>(
    `SELECT k.staff_id, k.public_key, k.sealed_key FROM staff_keys k
       JOIN staff s ON s.merchant_id = k.merchant_id AND s.id = k.staff_id
      WHERE k.merchant_id = $1 AND NOT s.deleted ORDER BY k.staff_id`,
    [merchantId],
  );
  return rows.map((row) => ({ staffId: row.staff_id, publicKey: row.public_key, sealedKey: row.sealed_key }));
}

/** Why a signed session is refused (null when it was recorded). */
export type SessionRefusal = { status: 403 | 404 | 422; reason: string };

/**
 * Verifies and records a signed session of the token's terminal. The member must be active and allowed at
 * the terminal's store, and the signature must be theirs. Recording it again is a no-op, except that a
 * sign-out (the same session, signed again with an earlier end) shortens it; nothing ever lengthens one.
 */
export async function recordStaffSession(db: Queryable, token: { merchantId: string; terminalId: string; storeId: string }, signed: SignedStaffSession): Promise<SessionRefusal | null> {
  const { session } = signed;
  if (session.merchantId !== token.merchantId || session.terminalId !== token.terminalId) return { status: 403, reason: 'the session names another terminal' };
  const times = sessionTimeProblem(session);
  if (times) return { status: 422, reason: times };
  const { rows } = await db.query<{ doc: Staff; public_key: string | null }>(
    `SELECT s.doc, k.public_key FROM staff s LEFT JOIN staff_keys k ON k.merchant_id = s.merchant_id AND k.staff_id = s.id
      WHERE s.merchant_id = $1 AND s.id = $2`,
    [token.merchantId, session.staffId],
  );
  const member = rows[0];
  // Not here yet: an owner's terminal may hand in a new member's first session before its push of the member.
  if (!member) return { status: 404, reason: 'unknown member' };
  if (!mayWorkAt(member.doc, token.storeId)) return { status: 403, reason: 'unknown, inactive or not allowed at this store' };
  if (!member.public_key) return { status: 403, reason: 'the member has no signing key: set their PIN again' };
  if (!(await verifySession(member.public_key, signed))) return { status: 403, reason: 'the signature is not the member’s' };
  await db.query(
    `INSERT INTO staff_sessions (terminal_id, session_id, merchant_id, staff_id, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (terminal_id, session_id) DO UPDATE SET ends_at = LEAST(staff_sessions.ends_at, EXCLUDED.ends_at),
       closed_at = CASE WHEN EXCLUDED.ends_at < staff_sessions.ends_at THEN coalesce(staff_sessions.closed_at, now()) ELSE staff_sessions.closed_at END
      WHERE staff_sessions.staff_id = EXCLUDED.staff_id AND staff_sessions.starts_at = EXCLUDED.starts_at`,
    [token.terminalId, session.id, token.merchantId, session.staffId, session.startsAt, session.endsAt],
  );
  return null;
}
