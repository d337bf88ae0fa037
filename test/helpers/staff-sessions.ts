import { randomUUID } from 'node:crypto';
import { MAX_SESSION_MS, signSession, unsealStaffKey, type SignedStaffSession, type SigningKey, type StaffKey } from '../../src/sync/model/staff-proof.ts';

// Test members signing in the way a counter's sign-in does (docs/security.md#staff-proof): a key opened with
// the member's PIN signs a session of this terminal. Shared by the server fixtures, the Node terminals, the
// spawned servers, the chaos workers and the benchmarks.

/** Keys opened (or not) by a PIN, by sealed key and PIN: an argon2id run each, so once per process. */
const opened = new Map<string, Promise<SigningKey | null>>();

/** The member's signing key `pin` opens, or null. */
export function openKey(key: StaffKey, pin: string): Promise<SigningKey | null> {
  const id = `${key.sealedKey}:${pin}`;
  let open = opened.get(id);
  if (!open) opened.set(id, (open = unsealStaffKey(key, pin)));
  return open;
}

/** A session of `staffId` on a terminal for the 12 hours around `around` (ms), signed with `signingKey`. */
export function sessionAround(signingKey: SigningKey, where: { merchantId: string; terminalId: string; staffId: string }, around = Date.now()): Promise<SignedStaffSession> {
  const half = MAX_SESSION_MS / 2;
  return signSession(signingKey, { id: randomUUID(), ...where, startsAt: new Date(around - half).toISOString(), endsAt: new Date(around + half).toISOString() });
}
