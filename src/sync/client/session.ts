import { BehaviorSubject, type Observable } from 'rxjs';
import { mayWorkAt, type Staff } from '../model/staff.ts';
import { HOUR_MS } from '../model/dates.ts';
import { verifyPin } from '../model/pin.ts';
import { toAsciiDigits } from '../model/text.ts';
import { APPROVAL_SESSION_MS, MAX_SESSION_MS } from '../model/staff-proof.ts';
import type { ProofSession, StaffProof } from './staff-proof.ts';

/** Where failed PIN attempts are counted, so a reload does not reset a lockout (localStorage, a file, memory). */
export interface AttemptStore {
  get(staffId: string): { failures: number; lockedUntil: number } | null;
  set(staffId: string, value: { failures: number; lockedUntil: number } | null): void;
}

/** An attempt store in memory. */
export function memoryAttemptStore(): AttemptStore {
  const map = new Map<string, { failures: number; lockedUntil: number }>();
  return {
    get: (id) => map.get(id) ?? null,
    set: (id, value) => (value ? map.set(id, value) : map.delete(id)),
  };
}

/** After this many wrong PINs in a row the member is locked out. */
export const MAX_PIN_FAILURES = 5;
/** First lockout; each further failure while locked doubles it, up to an hour. */
export const LOCKOUT_MS = 60_000;

/** The result of a sign-in attempt. */
export type SignInResult =
  | { ok: true; staff: Staff }
  | { ok: false; code: 'PIN_INVALID'; remaining: number }
  | { ok: false; code: 'PIN_LOCKED'; retryAt: number }
  /** The PIN is right but the member's signing key has not reached this terminal (docs/security.md#staff-proof). */
  | { ok: false; code: 'STAFF_KEY_MISSING' };

/**
 * Staff sign-in at the terminal, offline: the PIN is checked against the synced argon2id hash. Repeated
 * failures lock the member out for a growing time, counted per member and kept across reloads.
 */
export async function signIn(staff: Staff | null, pin: string, attempts: AttemptStore, now = Date.now()): Promise<SignInResult> {
  // An unknown or inactive member costs the same as a wrong PIN, and says the same.
  if (!staff || !staff.active || staff._deleted) return { ok: false, code: 'PIN_INVALID', remaining: MAX_PIN_FAILURES };
  const record = attempts.get(staff.id);
  if (record && record.lockedUntil > now) return { ok: false, code: 'PIN_LOCKED', retryAt: record.lockedUntil };
  if (await verifyPin(toAsciiDigits(pin.trim()), staff.pinHash)) {
    attempts.set(staff.id, null);
    return { ok: true, staff };
  }
  const failures = (record?.failures ?? 0) + 1;
  if (failures >= MAX_PIN_FAILURES) {
    const lockMs = Math.min(LOCKOUT_MS * 2 ** (failures - MAX_PIN_FAILURES), HOUR_MS);
    attempts.set(staff.id, { failures, lockedUntil: now + lockMs });
    return { ok: false, code: 'PIN_LOCKED', retryAt: now + lockMs };
  }
  attempts.set(staff.id, { failures, lockedUntil: 0 });
  return { ok: false, code: 'PIN_INVALID', remaining: MAX_PIN_FAILURES - failures };
}

/** The staff member signed in at this terminal, and signing in and out. */
export interface Session {
  readonly staff$: Observable<Staff | null>;
  current(): Staff | null;
  /** Checks the PIN of a member who may work at this store; on success they are signed in. */
  signIn(staffId: string, pin: string): Promise<SignInResult>;
  /** Checks a member's PIN as `signIn` does (lockout included) without signing anyone in: an approval on the spot. */
  check(staffId: string, pin: string): Promise<SignInResult>;
  signOut(): void;
  /** A member's failed attempts and lockout as recorded here (shown as soon as they are picked). */
  lockout(staffId: string): { failures: number; lockedUntil: number } | null;
}

/**
 * The session of a terminal: members are read from the replica at sign-in, so a deactivation there counts.
 * With a staff proof, a sign-in also signs a session the server checks writes against (at most 12 hours:
 * after that the member is signed out), and an approval signs a two-minute one for the approver.
 */
export function createSession(input: { findStaff(id: string): Promise<Staff | null>; storeId: string; attempts: AttemptStore; proof?: StaffProof; now?: () => number }): Session {
  const staff$ = new BehaviorSubject<Staff | null>(null);
  const clock = input.now ?? Date.now;
  let proven: ProofSession | null = null;
  let expiry: ReturnType<typeof setTimeout> | null = null;
  const checkPin = async (staffId: string, pin: string) => {
    const member = await input.findStaff(staffId);
    return signIn(member && mayWorkAt(member, input.storeId) ? member : null, pin, input.attempts, input.now?.());
  };
  // A right PIN whose key does not open (changed meanwhile elsewhere) refreshes the keys once before giving up.
  // The key in the member's document, when it has one, is the one their PIN seals (they change together).
  const prove = async (member: Staff, pin: string, lengthMs: number): Promise<ProofSession | null> => {
    if (!input.proof) return null;
    const known = member.publicKey !== null && member.sealedKey !== null ? { staffId: member.id, publicKey: member.publicKey, sealedKey: member.sealedKey } : null;
    let opened = await input.proof.begin(member.id, toAsciiDigits(pin.trim()), lengthMs, known);
    if (typeof opened === 'string' && !known) {
      await input.proof.refreshKeys().catch(() => undefined);
      opened = await input.proof.begin(member.id, toAsciiDigits(pin.trim()), lengthMs);
    }
    return typeof opened === 'string' ? null : opened;
  };
  const check = async (staffId: string, pin: string, lengthMs = APPROVAL_SESSION_MS): Promise<SignInResult & { proof?: ProofSession | null }> => {
    const result = await checkPin(staffId, pin);
    if (!result.ok || !input.proof) return result;
    const proof = await prove(result.staff, pin, lengthMs);
    return proof ? { ...result, proof } : { ok: false, code: 'STAFF_KEY_MISSING' };
  };
  const signOut = () => {
    if (expiry !== null) clearTimeout(expiry);
    expiry = null;
    void proven?.end().catch(() => undefined);
    proven = null;
    staff$.next(null);
  };
  // The counter signs the member out when their signed session ends: later writes would be refused.
  const signOutAtEnd = (session: ProofSession) => {
    expiry = setTimeout(signOut, Math.max(0, Date.parse(session.signed.session.endsAt) - clock()));
    (expiry as { unref?: () => void }).unref?.();
  };
  const expired = () => proven !== null && clock() > Date.parse(proven.signed.session.endsAt);
  return {
    staff$: staff$.asObservable(),
    current: () => {
      if (expired()) signOut();
      return staff$.getValue();
    },
    async signIn(staffId, pin) {
      const result = await check(staffId, pin, MAX_SESSION_MS);
      if (!result.ok) return result;
      if (expiry !== null) clearTimeout(expiry);
      if (proven) void proven.end().catch(() => undefined);
      proven = result.proof ?? null;
      if (proven) signOutAtEnd(proven);
      staff$.next(result.staff);
      return { ok: true, staff: result.staff };
    },
    check: async (staffId, pin) => {
      const result = await check(staffId, pin);
      return result.ok ? { ok: true, staff: result.staff } : result;
    },
    signOut,
    lockout: (staffId) => input.attempts.get(staffId),
  };
}
