import type { Queryable } from '../db/database.ts';
import { notifyPoke, notifyRevocation } from '../pokes.ts';
import { finding, raiseFindings } from '../sync/inbox-findings.ts';
import { audit, lockMerchant } from './admin.ts';

// Refresh-credential rotation with reuse detection (OAuth 2.0 Security BCP §4.14.2): every credential a
// terminal rotates away from is kept (hashed) as retired. Only a copy can present one again — the real
// terminal moved on — so that revokes the terminal's whole credential family (thief and real terminal alike
// must be enrolled again) and tells the managers.

/** Keeps credential hashes the terminal can no longer use (the replaced ones of a rotation). */
export async function retireCredentials(tx: Queryable, terminalId: string, hashes: readonly (string | null)[]): Promise<void> {
  const kept = hashes.filter((hash): hash is string => hash !== null);
  if (kept.length === 0) return;
  await tx.query(
    `INSERT INTO retired_credentials (credential_hash, terminal_id) SELECT h, $1 FROM unnest($2::text[]) AS h ON CONFLICT (credential_hash) DO NOTHING`,
    [terminalId, kept],
  );
}

/** Whether `hash` is a credential this terminal already rotated away from. */
export async function isRetiredCredential(tx: Queryable, terminalId: string, hash: string): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 FROM retired_credentials WHERE credential_hash = $1 AND terminal_id = $2`, [hash, terminalId]);
  return rows.length > 0;
}

/**
 * A retired credential was presented: revokes the terminal (its access tokens stop working at the next
 * request, its poke stream closes) and raises one inbox item for the managers, in the caller's transaction.
 */
export async function revokeForReuse(tx: Queryable, terminal: { terminalId: string; merchantId: string; storeId: string }): Promise<void> {
  const { terminalId, merchantId } = terminal;
  await tx.query(`UPDATE terminals SET revoked_at = COALESCE(revoked_at, now()) WHERE terminal_id = $1`, [terminalId]);
  await audit(tx, merchantId, 'server', 'terminal.revoke', { terminalId, reason: 'retired credential presented again' });
  await notifyRevocation(tx, terminalId);
  await lockMerchant(tx, merchantId);
  const now = new Date().toISOString();
  const alert = finding(merchantId, now, 'rejected_write', `credential-reuse:${terminalId}`, {
    customerId: null,
    relatedId: terminalId,
    targetCollection: null,
    code: 'TERMINAL_REVOKED',
    details: {
      reason: 'a device credential this terminal had already replaced was presented again: a copy of it exists. The terminal was revoked and must be enrolled again.',
      terminalId,
    },
  });
  if ((await raiseFindings(tx, terminal, [alert])) > 0) await notifyPoke(tx, merchantId, ['inbox']);
}
