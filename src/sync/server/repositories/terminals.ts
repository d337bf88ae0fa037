import { newId } from '../../model/ids.ts';
import type { Database, Queryable } from '../db/database.ts';
import { hashSecret, randomSecret, sameHash } from '../auth/tokens.ts';
import { audit } from './admin.ts';
import { isRetiredCredential, retireCredentials, revokeForReuse } from './credential-reuse.ts';

/** A terminal the token exchange identified. */
export interface TerminalIdentity {
  terminalId: string;
  merchantId: string;
  storeId: string;
}

/**
 * Redeems a one-time enrolment code: single use, one store, not expired. Returns the new terminal and its
 * device credential (shown once; only its hash is kept), or null — with an audit entry — when refused.
 */
export async function enrolTerminal(db: Database, code: string, deviceName: string, remote: string): Promise<(TerminalIdentity & { credential: string }) | null> {
  return db.transaction(async (tx) => {
    // FOR UPDATE: two terminals racing with the same code are serialised; the second sees it used.
    const { rows } = await tx.query<{ merchant_id: string; store_id: string; expired: boolean; used: boolean }>(
      `SELECT merchant_id, store_id, expires_at < now() AS expired, used_at IS NOT NULL AS used
         FROM enrolment_codes WHERE code_hash = $1 FOR UPDATE`,
      [hashSecret(code)],
    );
    const found = rows[0];
    if (!found || found.expired || found.used) {
      const reason = !found ? 'unknown' : found.used ? 'used' : 'expired';
      await audit(tx, found?.merchant_id ?? null, `remote:${remote}`, 'enrol.refused', { reason });
      return null;
    }
    const terminalId = newId();
    const credential = randomSecret();
    await tx.query(
      `INSERT INTO terminals (merchant_id, terminal_id, store_id, name, credential_hash) VALUES ($1, $2, $3, $4, $5)`,
      [found.merchant_id, terminalId, found.store_id, deviceName, hashSecret(credential)],
    );
    await tx.query(`UPDATE enrolment_codes SET used_at = now(), used_by = $2 WHERE code_hash = $1`, [hashSecret(code), terminalId]);
    await audit(tx, found.merchant_id, `terminal:${terminalId}`, 'enrol', { storeId: found.store_id });
    return { terminalId, merchantId: found.merchant_id, storeId: found.store_id, credential };
  });
}

/**
 * Exchanges a device credential for the next one (rotation on every use). The credential just exchanged
 * stays acceptable until its successor is first presented, so an answer lost in transit does not lock a
 * terminal out, while any older credential (a stolen copy) is refused once the terminal has moved on.
 */
export async function rotateCredential(db: Database, terminalId: string, credential: string, earlier: readonly string[] = []): Promise<(TerminalIdentity & { credential: string }) | 'revoked' | null> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ merchant_id: string; store_id: string; credential_hash: string; previous_credential_hash: string | null; revoked: boolean }>(
      `SELECT merchant_id, store_id, credential_hash, previous_credential_hash, revoked_at IS NOT NULL AS revoked
         FROM terminals WHERE terminal_id = $1 FOR UPDATE`,
      [terminalId],
    );
    const terminal = rows[0];
    if (!terminal) return null;
    const presented = hashSecret(credential);
    const known = (hash: string) => ({ current: sameHash(hash, terminal.credential_hash), previous: terminal.previous_credential_hash !== null && sameHash(hash, terminal.previous_credential_hash) });
    const given = known(presented);
    let current = given.current;
    if (!current && !given.previous) {
      if (!terminal.revoked && (await isRetiredCredential(tx, terminalId, presented))) {
        await revokeForReuse(tx, { terminalId, merchantId: terminal.merchant_id, storeId: terminal.store_id });
        return 'revoked';
      }
      // A database restored from a backup never saw the credentials issued after it: the terminal's earlier
      // ones, newest first, lead back to the one current at the backup. Only an unknown credential gets here,
      // so a retired one among them is never taken for reuse (the scan stops at the first one known).
      const hashes = earlier.map(hashSecret);
      const back = hashes.findIndex((hash) => known(hash).current || known(hash).previous);
      const restored = hashes[back];
      if (restored === undefined) {
        await audit(tx, terminal.merchant_id, `terminal:${terminalId}`, 'token.refused', { reason: 'credential' });
        return null;
      }
      current = known(restored).current;
      await audit(tx, terminal.merchant_id, `terminal:${terminalId}`, 'token.earlier_credential', { back: String(back + 1) });
    }
    if (terminal.revoked) return 'revoked';
    const next = randomSecret();
    // Presenting the current credential retires the previous one; falling back to the previous one (its
    // answer was lost) replaces the never-delivered current one and keeps the fallback open.
    await tx.query(
      `UPDATE terminals SET credential_hash = $2, previous_credential_hash = $3, last_seen_at = now() WHERE terminal_id = $1`,
      [terminalId, hashSecret(next), current ? terminal.credential_hash : terminal.previous_credential_hash],
    );
    // What the terminal can no longer present: the retired previous one, or the never-delivered current one.
    await retireCredentials(tx, terminalId, [current ? terminal.previous_credential_hash : terminal.credential_hash]);
    return { terminalId, merchantId: terminal.merchant_id, storeId: terminal.store_id, credential: next };
  });
}

/** Whether the terminal exists for this merchant and is not revoked (checked on every request). */
export async function isTerminalActive(db: Queryable, terminalId: string, merchantId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM terminals WHERE terminal_id = $1 AND merchant_id = $2 AND revoked_at IS NULL`, [terminalId, merchantId]);
  return rows.length > 0;
}

/** A terminal's number within its merchant (migration 005; member codes). */
export async function terminalNumber(db: Queryable, terminalId: string, merchantId: string): Promise<number | null> {
  const { rows } = await db.query<{ number: number }>(`SELECT number FROM terminals WHERE terminal_id = $1 AND merchant_id = $2`, [terminalId, merchantId]);
  return rows[0]?.number ?? null;
}
