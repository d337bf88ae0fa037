import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/** Audience and issuer pinned on every access token. */
export const TOKEN_AUDIENCE = 'patron-sync';
const ISSUER = 'patron';
const ALGORITHM = 'HS256';
// Claims are signed by us, but a malformed one must still be a 401, never a database type error (500).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Claims of a verified access token: the terminal and its merchant (the only source of the merchant). */
export interface AccessClaims {
  terminalId: string;
  merchantId: string;
  storeId: string;
  /** Expiry in epoch seconds. */
  exp: number;
}

/** Signs and verifies short-lived access tokens with one pinned algorithm, audience, issuer and type. */
export interface TokenSigner {
  sign(claims: Omit<AccessClaims, 'exp'>): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<AccessClaims | null>;
}

/** A signer over a shared secret (stored in the database so every instance agrees). */
export function createTokenSigner(secret: Uint8Array, ttlSeconds: number): TokenSigner {
  return {
    async sign(claims) {
      const token = await new SignJWT({ mid: claims.merchantId, sid: claims.storeId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'at+jwt' })
        .setSubject(claims.terminalId)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(secret);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, secret, {
          algorithms: [ALGORITHM],
          audience: TOKEN_AUDIENCE,
          issuer: ISSUER,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'exp', 'mid', 'sid'],
        });
        if (protectedHeader.alg !== ALGORITHM) return null;
        const { sub, mid, sid, exp } = payload;
        if (typeof exp !== 'number' || ![sub, mid, sid].every((v) => typeof v === 'string' && UUID.test(v))) return null;
        return { terminalId: sub as string, merchantId: mid as string, storeId: sid as string, exp };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },
  };
}

/** A new random secret (device credentials, enrolment codes' entropy, signing keys). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** sha256 of a high-entropy secret; enough for random credentials (PINs use argon2id instead). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A human-typable one-time enrolment code `XXXX-XXXX` (no 0/O/1/I), ~40 bits of entropy. */
export function newEnrolmentCode(): string {
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}
