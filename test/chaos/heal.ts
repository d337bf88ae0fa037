import { COLLECTION_NAMES } from '../../src/sync/model/wire-protocol.ts';
import { customerBalance } from '../../src/sync/server/sync/balances.ts';
import { TABLES } from '../../src/sync/server/sync/tables.ts';
import type { TestDatabase } from '../helpers/database.ts';
import type { SeededMerchant } from '../helpers/sync-server.ts';
import { canonicalJson } from '../../src/sync/model/merge.ts';
import { diffDumps, dumpFingerprint } from './compare.ts';
import type { Dump } from './messages.ts';
import type { FinalState } from './model.ts';
import type { TerminalHost } from './terminal-host.ts';

/** Every replicated collection of the merchant as stored on the server, deleted rows included. */
export async function serverDump(tdb: TestDatabase, merchantId: string, versions?: Map<string, string>): Promise<Dump> {
  const out = {} as Dump;
  for (const name of COLLECTION_NAMES) {
    const { rows } = await tdb.db.query<{ id: string; doc: unknown; version: string }>(`SELECT id, doc, version::text AS version FROM ${TABLES[name]} WHERE merchant_id = $1`, [merchantId]);
    out[name] = Object.fromEntries(rows.map((row) => [row.id, canonicalJson(row.doc)]));
    for (const row of rows) versions?.set(`${name}/${row.id}`, row.version);
  }
  return out;
}

/**
 * Healing: resync every terminal until every replica equals the server, or until nothing has moved for a few
 * rounds (a replica that lost a row for good stays different however long one waits), or the deadline.
 */
export async function converge(
  tdb: TestDatabase,
  merchant: SeededMerchant,
  terminals: TerminalHost[],
  timeoutMs: number,
  note: (line: string) => void,
): Promise<{ ok: boolean; reason: string; synced: Set<TerminalHost> }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let still = 0;
  for (let round = 1; ; round++) {
    const synced = new Set<TerminalHost>();
    await Promise.all(
      terminals.map((t) =>
        t.sync(10_000).then(
          () => synced.add(t),
          (error: unknown) => note(`heal round ${round}: ${t.options.name} sync: ${String(error)}`),
        ),
      ),
    );
    const server = await serverDump(tdb, merchant.merchantId);
    const dumps = await Promise.all(terminals.map((t) => t.dump()));
    const differing = dumps.map((d, i) => ({ name: terminals[i]!.options.name, n: diffDumps(server, d).length })).filter((x) => x.n > 0);
    if (differing.length === 0) {
      note(`converged after ${round} heal round(s)`);
      return { ok: true, reason: '', synced };
    }
    const fingerprint = [server, ...dumps].map(dumpFingerprint).join('#');
    still = fingerprint === last ? still + 1 : 0;
    last = fingerprint;
    const reason = differing.map((x) => `${x.name}: ${x.n} documents differ`).join(', ');
    if (still >= 4) return { ok: false, reason: `${reason} (no change for ${still} rounds)`, synced };
    if (Date.now() > deadline) return { ok: false, reason: `${reason} (deadline)`, synced };
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

export async function finalState(tdb: TestDatabase, merchant: SeededMerchant, terminals: TerminalHost[]): Promise<FinalState> {
  const versions = new Map<string, string>();
  const server = await serverDump(tdb, merchant.merchantId, versions);
  const replicas = await Promise.all(terminals.map(async (t) => ({ name: t.options.name, dump: await t.dump() })));
  const serverBalances = new Map<string, number>();
  for (const id of Object.keys(server.customers)) serverBalances.set(id, await customerBalance(tdb.db, merchant.merchantId, id));
  const { rows } = await tdb.db.query<FinalState['rejectedWrites'][number]>(
    `SELECT collection, document_id, code, reason, terminal_id::text AS terminal_id, document->>'updatedBy' AS updated_by, document FROM rejected_writes WHERE merchant_id = $1 ORDER BY id`,
    [merchant.merchantId],
  );
  return { server, versions, replicas, serverBalances, rejectedWrites: rows };
}

