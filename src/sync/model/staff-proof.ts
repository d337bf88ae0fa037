import { argon2id } from 'hash-wasm';
import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema, type Role } from './common.ts';
import { PIN_HASH_PARAMS } from './pin.ts';
import { PinSchema, PublicKeySchema, SealedKeySchema } from './staff.ts';

// Staff proof (docs/security.md#staff-proof). Each staff member has an Ed25519 key pair. The server keeps the
// public key; terminals receive the private key only sealed under a key derived from the member's PIN
// (argon2id → AES-256-GCM). A sign-in unseals it and signs a session — "this member is signed in on this
// terminal from … to …" — which the server verifies once and records; a pushed write attributed to a member
// is accepted only inside one of that member's recorded sessions on the pushing terminal. A terminal token
// alone therefore cannot write as anyone: it needs a PIN. WebCrypto runs the same in Node and in browsers.

/**
 * The part of WebCrypto's SubtleCrypto used here. The model compiles without DOM or Node types; Node 20 and
 * every current browser provide `globalThis.crypto.subtle` with Ed25519 and AES-GCM.
 */
interface Subtle {
  generateKey(algorithm: { name: 'Ed25519' }, extractable: boolean, usages: string[]): Promise<{ privateKey: unknown; publicKey: unknown }>;
  exportKey(format: 'pkcs8' | 'raw', key: unknown): Promise<ArrayBuffer>;
  importKey(format: 'pkcs8' | 'raw', data: Uint8Array | ArrayBuffer, algorithm: { name: string }, extractable: boolean, usages: string[]): Promise<unknown>;
  encrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array }, key: unknown, data: Uint8Array | ArrayBuffer): Promise<ArrayBuffer>;
  decrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  sign(algorithm: { name: 'Ed25519' }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  verify(algorithm: { name: 'Ed25519' }, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}
const subtle = (): Subtle => (globalThis as unknown as { crypto: { subtle: Subtle } }).crypto.subtle;

/** A member's unsealed private key (a non-extractable WebCrypto key), held only while they are signed in. */
export interface SigningKey {
  readonly handle: unknown;
}

/** The longest a signed session may last; the counter signs members out before it ends. */
export const MAX_SESSION_MS = 12 * 60 * 60 * 1000;
/** How long an approval typed on the spot (a manager's PIN for a cashier's write) covers writes. */
export const APPROVAL_SESSION_MS = 2 * 60 * 1000;
/** Manager and owner PINs guard more (approvals, settings), so they are longer. */
export const MIN_MANAGER_PIN_DIGITS = 6;

/** What a signed session says. Times are the terminal's clock, like the `updatedAt` of the writes it covers. */
export const StaffSessionSchema = z.strictObject({
  id: IdSchema,
  merchantId: IdSchema,
  terminalId: IdSchema,
  staffId: IdSchema,
  startsAt: IsoDateTimeSchema,
  endsAt: IsoDateTimeSchema,
});
/** A staff session. */
export type StaffSession = z.infer<typeof StaffSessionSchema>;

/** A session and the member's Ed25519 signature of it (hex). Body of `POST /v1/staff-sessions`. */
export const SignedStaffSessionSchema = z.strictObject({
  session: StaffSessionSchema,
  signature: z.string().regex(/^[0-9a-f]{128}$/),
});
/** A signed staff session. */
export type SignedStaffSession = z.infer<typeof SignedStaffSessionSchema>;

/** A member's public key and sealed private key, as terminals receive them (`GET /v1/staff-keys`). */
export const StaffKeySchema = z.strictObject({
  staffId: IdSchema,
  publicKey: PublicKeySchema,
  sealedKey: SealedKeySchema,
});
/** One member's keys. */
export type StaffKey = z.infer<typeof StaffKeySchema>;

/** Why a PIN is not acceptable for `role` (null when it is): managers and owners need at least six digits. */
export function pinProblem(role: Role, pin: string): string | null {
  if (!PinSchema.safeParse(pin).success) return 'a PIN is 4 to 8 digits';
  if (role !== 'cashier' && pin.length < MIN_MANAGER_PIN_DIGITS) return `a ${role}'s PIN has at least ${MIN_MANAGER_PIN_DIGITS} digits`;
  return null;
}

/** A new key pair for a member, the private half sealed under `pin`. `random` fills salts and nonces. */
export async function createStaffKey(staffId: string, pin: string, random: (n: number) => Uint8Array): Promise<StaffKey> {
  const pair = await subtle().generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const salt = random(16);
  const iv = random(12);
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv }, await pinKey(pin, salt), pkcs8));
  return { staffId, publicKey: toHex(publicKey), sealedKey: `v1.${toHex(salt)}.${toHex(iv)}.${toHex(sealed)}` };
}

/** The member's signing key, or null when `pin` does not open it (AES-GCM authenticates: a wrong PIN fails). */
export async function unsealStaffKey(key: StaffKey, pin: string): Promise<SigningKey | null> {
  const [, salt, iv, sealed] = key.sealedKey.split('.') as [string, string, string, string];
  try {
    const pkcs8 = await subtle().decrypt({ name: 'AES-GCM', iv: fromHex(iv) }, await pinKey(pin, fromHex(salt)), fromHex(sealed));
    return { handle: await subtle().importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']) };
  } catch {
    return null;
  }
}

/** Signs `session` with the member's unsealed key. */
export async function signSession(privateKey: SigningKey, session: StaffSession): Promise<SignedStaffSession> {
  const signature = new Uint8Array(await subtle().sign({ name: 'Ed25519' }, privateKey.handle, sessionBytes(session)));
  return { session, signature: toHex(signature) };
}

/** Whether `signed` carries a valid signature of its session by the holder of `publicKey` (hex). */
export async function verifySession(publicKey: string, signed: SignedStaffSession): Promise<boolean> {
  try {
    const key = await subtle().importKey('raw', fromHex(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await subtle().verify({ name: 'Ed25519' }, key, fromHex(signed.signature), sessionBytes(signed.session));
  } catch {
    return false;
  }
}

/** Why a session's own times are not acceptable (null when they are). */
export function sessionTimeProblem(session: StaffSession): string | null {
  const length = Date.parse(session.endsAt) - Date.parse(session.startsAt);
  if (!(length > 0)) return 'a session ends after it starts';
  if (length > MAX_SESSION_MS) return 'a session lasts at most 12 hours';
  return null;
}

/**
 * The exact bytes signed: a fixed field order with a purpose prefix, so no other message can pass for one.
 * Every field is a UUID or an ISO time (the schema), so the text is ASCII and its bytes are its char codes.
 */
function sessionBytes(s: StaffSession): Uint8Array {
  const text = ['patron-staff-session/v1', s.id, s.merchantId, s.terminalId, s.staffId, s.startsAt, s.endsAt].join('\n');
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** AES-256-GCM key from the PIN: argon2id with the same cost as the PIN hash (pin.ts), its own salt. */
async function pinKey(pin: string, salt: Uint8Array): Promise<unknown> {
  const raw = await argon2id({ password: pin, salt, ...PIN_HASH_PARAMS, outputType: 'binary' });
  return subtle().importKey('raw', new Uint8Array(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
