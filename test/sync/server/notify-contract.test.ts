import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_CHANNELS, PokeNotificationSchema, type Poke } from '../../../src/sync/model/wire-protocol.ts';
import { createPokeHub, notifyPoke, notifyRevocation, type PokeHub, type StreamSink } from '../../../src/sync/server/pokes.ts';
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from '../../helpers/database.ts';

/** A stream sink that records what the hub hands it. */
function recordingSink(merchantId: string, terminalId = randomUUID()): StreamSink & { pokes: Poke[]; closed: boolean } {
  const sink = {
    merchantId,
    terminalId,
    pokes: [] as Poke[],
    closed: false,
    poke(poke: Poke) {
      sink.pokes.push(poke);
    },
    close() {
      sink.closed = true;
    },
  };
  return sink;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// The NOTIFY payloads between instances are part of the contract (PokeNotificationSchema,
// RevocationNotificationSchema in the wire snapshot): written by one helper each, parsed where they are read.
describe.each(DATABASE_KINDS)('instance-to-instance notifications on %s', (kind) => {
  let tdb: TestDatabase;
  let hub: PokeHub;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    hub = createPokeHub(tdb.db);
    await hub.start();
  });
  afterAll(async () => {
    await hub?.stop();
    await tdb?.drop();
  });

  it('a committed poke reaches the merchant’s streams as the same Poke the SSE stream sends, and no one else’s', async () => {
    const merchant = randomUUID();
    const mine = recordingSink(merchant);
    const other = recordingSink(randomUUID());
    hub.add(mine);
    hub.add(other);
    try {
      await tdb.db.transaction((tx) => notifyPoke(tx, merchant, ['customers', 'inbox']));
      await waitFor(() => mine.pokes.length === 1, 'poke delivered');
      expect(mine.pokes).toEqual([{ collections: ['customers', 'inbox'] }]);
      expect(other.pokes).toEqual([]);
    } finally {
      hub.remove(mine);
      hub.remove(other);
    }
  });

  it('a payload outside the contract pokes nobody: not JSON, the old {m, c} shape, an unknown collection', async () => {
    const merchant = randomUUID();
    const sink = recordingSink(merchant);
    hub.add(sink);
    try {
      for (const payload of ['not json', JSON.stringify({ m: merchant, c: ['customers'] }), JSON.stringify({ merchantId: merchant, poke: { collections: ['orders'] } })]) {
        expect(PokeNotificationSchema.safeParse(JSON.parse(payload.startsWith('{') ? payload : 'null')).success).toBe(false);
        await tdb.db.query(`SELECT pg_notify($1, $2)`, [NOTIFY_CHANNELS.poke, payload]);
      }
      // Notifications arrive in order, so once this one is in, the three before it were read and dropped.
      await tdb.db.transaction((tx) => notifyPoke(tx, merchant, ['visits']));
      await waitFor(() => sink.pokes.length > 0, 'the valid poke');
      expect(sink.pokes).toEqual([{ collections: ['visits'] }]);
    } finally {
      hub.remove(sink);
    }
  });

  it('a rolled-back transaction pokes nobody', async () => {
    const merchant = randomUUID();
    const sink = recordingSink(merchant);
    hub.add(sink);
    try {
      await expect(
        tdb.db.transaction(async (tx) => {
          await notifyPoke(tx, merchant, ['customers']);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await tdb.db.transaction((tx) => notifyPoke(tx, merchant, ['rewards']));
      await waitFor(() => sink.pokes.length > 0, 'the committed poke');
      expect(sink.pokes).toEqual([{ collections: ['rewards'] }]);
    } finally {
      hub.remove(sink);
    }
  });

  it('a revocation closes that terminal’s streams only', async () => {
    const merchant = randomUUID();
    const revoked = recordingSink(merchant);
    const kept = recordingSink(merchant);
    hub.add(revoked);
    hub.add(kept);
    try {
      await tdb.db.transaction((tx) => notifyRevocation(tx, revoked.terminalId));
      await waitFor(() => revoked.closed, 'stream closed');
      expect(kept.closed).toBe(false);
    } finally {
      hub.remove(revoked);
      hub.remove(kept);
    }
  });
});
