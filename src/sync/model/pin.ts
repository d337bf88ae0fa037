import { argon2id, argon2Verify } from 'hash-wasm';
import { PinSchema } from './staff.ts';

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): slow enough to make an offline guess at a stolen
// staff table costly, fast enough (~50 ms) for a cashier's sign-in on a tablet.
export const PIN_HASH_PARAMS = { parallelism: 1, iterations: 2, memorySize: 19_456, hashLength: 32 } as const;

/** The argon2id PHC string of a staff PIN; `salt` must be 16 random bytes from the caller's CSPRNG. */
export async function hashPin(pin: string, salt: Uint8Array): Promise<string> {
  PinSchema.parse(pin);
  if (salt.length < 16) throw new Error('salt must be at least 16 bytes');
  return argon2id({ password: pin, salt, ...PIN_HASH_PARAMS, outputType: 'encoded' });
}

/** Whether `pin` matches the stored argon2id hash (checked offline on the terminal). */
export async function verifyPin(pin: string, hash: string): Promise<boolean> {
  if (!PinSchema.safeParse(pin).success || !hash.startsWith('$argon2id$')) return false;
  try {
    return await argon2Verify({ password: pin, hash });
  } catch {
    return false;
  }
}
