import { ledgerEntry, newVisit, type WriteContext } from '../../src/sync/model/document-builders.ts';
import { newId } from '../../src/sync/model/ids.ts';
import type { Staff } from '../../src/sync/model/staff.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type CollectionName, type PushResponse } from '../../src/sync/model/wire-protocol.ts';
import { createStore, lockMerchant } from '../../src/sync/server/repositories/admin.ts';
import { writeServerDocs } from '../../src/sync/server/sync/server-writes.ts';
import type { Doc } from '../../src/sync/server/sync/tables.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { SEED_PINS, type SeededMerchant } from '../helpers/sync-server.ts';
import type { StaffKey } from '../../src/sync/model/staff-proof.ts';
import { openKey, sessionAround } from '../helpers/staff-sessions.ts';
import type { Rng } from './prng.ts';

// A hostile terminal among the honest ones (docs/security.md): enrolled like any till, with a valid token, it
// pushes forged ledger lines and visits over plain HTTP now and then. Each must be quarantined (answered as
// refused, kept in `rejected_writes`) and none may reach a balance: the final check (model.ts) computes every
// balance without them and compares it with the server and every honest replica.

/** The kinds of forgery, tried in turn. */
export const FORGERIES = ['earnWithoutVisit', 'phantomReversal', 'adjustOverLimit', 'otherTerminal', 'otherStore', 'inactiveStaff'] as const;
export type Forgery = (typeof FORGERIES)[number];

/** A forged write the server answered (so it must have been quarantined). */
export interface ForgedWrite {
  kind: Forgery;
  collection: CollectionName;
  id: string;
}

/** What the forgeries need that honest work never creates: a deactivated cashier and a second store. */
export interface HostileSetup {
  inactive: Staff;
  otherStoreId: string;
}

/**
 * Adds a second store and a deactivated cashier (a server-made staff document; it reuses the seeded cashier's
 * PIN hash, since hashing a new PIN costs the run time and nobody signs in as this member).
 */
export async function prepareHostile(tdb: TestDatabase, merchant: SeededMerchant): Promise<HostileSetup> {
  const otherStoreId = await createStore(tdb.db, merchant.merchantId, { name: 'Branch' }, 'chaos');
  const inactive: Staff = { ...merchant.cashier, id: newId(), name: 'Former cashier', active: false, updatedAt: new Date().toISOString() };
  await tdb.db.transaction(async (tx) => {
    await lockMerchant(tx, merchant.merchantId);
    await writeServerDocs(tx, 'staff', merchant.merchantId, [inactive as unknown as Doc], { onlyNew: true });
  });
  return { inactive, otherStoreId };
}

/** The hostile terminal: its credential, and every forgery it made, answered or not. */
export class HostileTerminal {
  readonly answered: ForgedWrite[] = [];
  attempts = 0;
  /** Time spent in forged pushes (they run alongside the counters' work). */
  spentMs = 0;
  private turn = 0;

  private constructor(
    private readonly merchant: SeededMerchant,
    private readonly setup: HostileSetup,
    readonly terminalId: string,
    private readonly token: string,
  ) {}

  /** Enrols with `code` at `serverUrl` and exchanges its credential for an access token. */
  static async enrol(serverUrl: string, code: string, merchant: SeededMerchant, setup: HostileSetup): Promise<HostileTerminal> {
    const enrolled = (await post(serverUrl, '/v1/enrol', { code, deviceName: 'hostile till' })) as { terminalId: string; credential: string };
    const { accessToken } = (await post(serverUrl, '/v1/token', { terminalId: enrolled.terminalId, credential: enrolled.credential })) as { accessToken: string };
    // A dishonest cashier knows their own PIN: their session is signed, so the forgeries meet the server's
    // ledger and identity checks, not only a missing staff proof (docs/security.md#staff-proof).
    const listed = await fetch(`${serverUrl}/v1/staff-keys`, { headers: { [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), authorization: `Bearer ${accessToken}` } });
    const key = ((await listed.json()) as { keys: StaffKey[] }).keys.find((k) => k.staffId === merchant.cashier.id);
    const signing = key ? await openKey(key, SEED_PINS.cashier) : null;
    if (!signing) throw new Error("the hostile till cannot open the cashier's key");
    const session = await sessionAround(signing, { merchantId: merchant.merchantId, terminalId: enrolled.terminalId, staffId: merchant.cashier.id });
    await post(serverUrl, '/v1/staff-sessions', session, accessToken);
    return new HostileTerminal(merchant, setup, enrolled.terminalId, accessToken);
  }

  /** The kinds not yet answered by the server (the run forges them before healing). */
  missing(): Forgery[] {
    return FORGERIES.filter((kind) => !this.answered.some((f) => f.kind === kind));
  }

  /**
   * Pushes the next forgery (or `kind`) aimed at a real customer and terminal. Returns a trace line; a push
   * lost to the faults of the run is only counted (it must still reach no balance).
   */
  async forge(serverUrl: string, rng: Rng, targets: { customerIds: string[]; terminalIds: string[] }, kind: Forgery = FORGERIES[this.turn++ % FORGERIES.length]!): Promise<string> {
    const customerId = targets.customerIds.length > 0 ? rng.pick(targets.customerIds) : newId();
    const { collection, doc } = this.forgery(kind, customerId, rng.pick(targets.terminalIds));
    this.attempts += 1;
    const started = Date.now();
    try {
      const answer = (await post(serverUrl, `/v1/push/${collection}`, { rows: [{ newDocumentState: doc }] }, this.token)) as PushResponse;
      const refused = answer.rejected.some((r) => r.id === doc.id);
      this.answered.push({ kind, collection, id: doc.id as string });
      return `HOSTILE ${kind} ${collection}/${(doc.id as string).slice(-8)} on ${customerId.slice(-8)}: ${refused ? 'refused' : 'NOT REFUSED'}`;
    } catch (error) {
      return `HOSTILE ${kind}: push failed (${String(error)})`;
    } finally {
      this.spentMs += Date.now() - started;
    }
  }

  private forgery(kind: Forgery, customerId: string, otherTerminal: string): { collection: CollectionName; doc: Record<string, unknown> } {
    const { merchant, setup } = this;
    const ctx: WriteContext = { merchantId: merchant.merchantId, storeId: merchant.storeId, terminalId: this.terminalId, staffId: merchant.cashier.id, now: new Date().toISOString(), offline: false };
    switch (kind) {
      case 'earnWithoutVisit':
        return { collection: 'loyaltyEntries', doc: ledgerEntry({ kind: 'earn', points: 9_000_000, customerId }, ctx) };
      case 'phantomReversal':
        return { collection: 'loyaltyEntries', doc: ledgerEntry({ kind: 'reversal', points: 1_000_000, customerId, reversesId: newId() }, ctx) };
      case 'adjustOverLimit':
        return { collection: 'loyaltyEntries', doc: ledgerEntry({ kind: 'adjust', points: 50_000, customerId }, ctx) };
      case 'otherTerminal':
        return { collection: 'visits', doc: newVisit({ customerId, items: [], amount: 90_000, currency: 'IRR', paymentMethod: 'cash' }, 90, { ...ctx, terminalId: otherTerminal }).visit };
      case 'otherStore':
        return { collection: 'loyaltyEntries', doc: newVisit({ customerId, items: [], amount: 90_000, currency: 'IRR', paymentMethod: 'cash' }, 90, { ...ctx, storeId: setup.otherStoreId }).earn! };
      case 'inactiveStaff':
        return { collection: 'loyaltyEntries', doc: ledgerEntry({ kind: 'adjust', points: 50, customerId }, { ...ctx, staffId: setup.inactive.id }) };
    }
  }
}

/** A JSON POST as any client would send it; anything but 200 throws. */
async function post(serverUrl: string, path: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(`${serverUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    // Short: a forgery sent into a blackholed instance is given up (it must still reach no balance) rather
    // than holding the run up.
    signal: AbortSignal.timeout(1_500),
  });
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}
