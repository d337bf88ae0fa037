import {
  COLLECTION_NAMES,
  NOTIFY_CHANNELS,
  PokeNotificationSchema,
  RevocationNotificationSchema,
  type CollectionName,
  type Poke,
  type PokeNotification,
  type RevocationNotification,
} from '../model/wire-protocol.ts';
import type { Database, Queryable } from './db/database.ts';

/** One open SSE stream of a terminal. */
export interface StreamSink {
  merchantId: string;
  terminalId: string;
  poke(poke: Poke): void;
  close(): void;
}

/**
 * Pokes every open stream of the merchant, on every instance, once the caller's transaction commits (NOTIFY
 * is delivered on COMMIT only, so a rolled-back batch pokes nobody).
 */
export async function notifyPoke(tx: Queryable, merchantId: string, collections: readonly CollectionName[]): Promise<void> {
  const payload: PokeNotification = { merchantId, poke: { collections: [...collections] } };
  await tx.query(`SELECT pg_notify($1, $2)`, [NOTIFY_CHANNELS.poke, JSON.stringify(payload)]);
}

/** Closes the terminal's open streams on every instance once the caller's transaction commits. */
export async function notifyRevocation(tx: Queryable, terminalId: string): Promise<void> {
  const payload: RevocationNotification = { terminalId };
  await tx.query(`SELECT pg_notify($1, $2)`, [NOTIFY_CHANNELS.revoke, JSON.stringify(payload)]);
}

/**
 * Fans pokes out to this instance's open streams. Pokes and revocations arrive from Postgres LISTEN on one
 * dedicated connection, so every instance — this one included — hears every commit. After that connection
 * was lost and re-established, notifications may have been missed: everyone is poked, and every open
 * stream's terminal is checked again so a revocation made meanwhile still closes its stream.
 */
export function createPokeHub(db: Database, hooks: { onPoke?: () => void } = {}) {
  const streams = new Map<string, Set<StreamSink>>();
  const stops: (() => Promise<void>)[] = [];

  const deliver = (merchantId: string, poke: Poke) => {
    for (const sink of streams.get(merchantId) ?? []) {
      sink.poke(poke);
      hooks.onPoke?.();
    }
  };
  const pokeEveryone = () => {
    for (const merchantId of streams.keys()) deliver(merchantId, { collections: [...COLLECTION_NAMES] });
  };

  const closeTerminal = (terminalId: string) => {
    for (const set of [...streams.values()]) for (const sink of [...set]) if (sink.terminalId === terminalId) sink.close();
  };
  const recheckRevocations = async () => {
    const ids = [...new Set([...streams.values()].flatMap((set) => [...set].map((sink) => sink.terminalId)))];
    if (ids.length === 0) return;
    const { rows } = await db.query<{ terminal_id: string }>(
      `SELECT terminal_id::text AS terminal_id FROM terminals WHERE terminal_id = ANY($1::uuid[]) AND revoked_at IS NOT NULL`,
      [ids],
    );
    for (const row of rows) closeTerminal(row.terminal_id);
  };

  return {
    async start() {
      stops.push(
        await db.listen(
          [NOTIFY_CHANNELS.poke, NOTIFY_CHANNELS.revoke],
          (channel, payload) => {
            if (channel === NOTIFY_CHANNELS.revoke) {
              const revocation = RevocationNotificationSchema.safeParse(parseJson(payload));
              if (revocation.success) closeTerminal(revocation.data.terminalId);
              return;
            }
            const notification = PokeNotificationSchema.safeParse(parseJson(payload));
            if (notification.success) deliver(notification.data.merchantId, notification.data.poke);
          },
          () => {
            pokeEveryone();
            recheckRevocations().catch(() => {});
          },
        ),
      );
    },
    add(sink: StreamSink) {
      const set = streams.get(sink.merchantId) ?? new Set();
      set.add(sink);
      streams.set(sink.merchantId, set);
    },
    remove(sink: StreamSink) {
      const set = streams.get(sink.merchantId);
      set?.delete(sink);
      if (set?.size === 0) streams.delete(sink.merchantId);
    },
    count() {
      let n = 0;
      for (const set of streams.values()) n += set.size;
      return n;
    },
    closeAll() {
      for (const set of [...streams.values()]) for (const sink of [...set]) sink.close();
    },
    async stop() {
      await Promise.all(stops.splice(0).map((stop) => stop()));
    },
  };
}

/** The poke hub of one app. */
export type PokeHub = ReturnType<typeof createPokeHub>;

// A payload that is not JSON (or not the contract's shape) is ignored: a NOTIFY is only a hint to pull.
function parseJson(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return null;
  }
}
