import type { CollectionName } from '../model/protocol.ts';
import { COLLECTION_NAMES } from '../model/protocol.ts';
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
 * Fans pokes out to this instance's open streams. Pokes arrive from Postgres LISTEN on one dedicated
 * connection, so every instance — this one included — hears every commit; after that connection was lost
 * and re-established, everyone is poked because notifications may have been missed meanwhile.
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

  return {
    async start() {
      stops.push(
        await db.listen(POKE_CHANNEL, (payload) => {
          const message = parsePoke(payload);
          if (message) deliver(message.m, message.c);
        }, pokeEveryone),
        await db.listen(REVOKE_CHANNEL, (terminalId) => {
          for (const set of streams.values()) for (const sink of set) if (sink.terminalId === terminalId) sink.close();
        }, pokeEveryone),
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
