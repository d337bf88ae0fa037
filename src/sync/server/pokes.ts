import type { CollectionName } from '../model/wire-protocol.ts';
import { COLLECTION_NAMES } from '../model/wire-protocol.ts';
import type { Database } from './db/database.ts';

/** The Postgres channels pokes and revocations travel on between instances. */
export const POKE_CHANNEL = 'patron_poke';
export const REVOKE_CHANNEL = 'patron_revoke';

/** One open SSE stream of a terminal. */
export interface StreamSink {
  merchantId: string;
  terminalId: string;
  poke(collections: readonly CollectionName[]): void;
  close(): void;
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

  const deliver = (merchantId: string, collections: readonly CollectionName[]) => {
    for (const sink of streams.get(merchantId) ?? []) {
      sink.poke(collections);
      hooks.onPoke?.();
    }
  };
  const pokeEveryone = () => {
    for (const merchantId of streams.keys()) deliver(merchantId, COLLECTION_NAMES);
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
          [POKE_CHANNEL, REVOKE_CHANNEL],
          (channel, payload) => {
            if (channel === REVOKE_CHANNEL) return closeTerminal(payload);
            const message = parsePoke(payload);
            if (message) deliver(message.m, message.c);
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

function parsePoke(payload: string): { m: string; c: CollectionName[] } | null {
  try {
    const value = JSON.parse(payload) as { m?: unknown; c?: unknown };
    if (typeof value.m !== 'string' || !Array.isArray(value.c)) return null;
    const known = new Set<string>(COLLECTION_NAMES);
    const collections = value.c.filter((c): c is CollectionName => typeof c === 'string' && known.has(c));
    return collections.length > 0 ? { m: value.m, c: collections } : null;
  } catch {
    return null;
  }
}
