import { COLLECTION_NAMES, type CollectionName } from '../../src/sync/model/wire-protocol.ts';
import type { Dump } from './messages.ts';

/** A stored RxDB document as the wire knows it: RxDB's own bookkeeping removed, `_deleted` kept. */
export function stripLocalMeta(doc: unknown): Record<string, unknown> {
  const { _meta: _m, _rev: _r, _attachments: _a, ...rest } = doc as Record<string, unknown>;
  return rest;
}

/** One difference between a replica and the server. */
export interface DumpDifference {
  collection: CollectionName;
  id: string;
  kind: 'missing on replica' | 'only on replica' | 'different';
  server?: string;
  replica?: string;
}

/** Every document (tombstones included) that differs between a replica and the server. */
export function diffDumps(server: Dump, replica: Dump): DumpDifference[] {
  const out: DumpDifference[] = [];
  for (const collection of COLLECTION_NAMES) {
    const s = server[collection] ?? {};
    const r = replica[collection] ?? {};
    for (const [id, doc] of Object.entries(s)) {
      const local = r[id];
      if (local === undefined) out.push({ collection, id, kind: 'missing on replica', server: doc });
      else if (local !== doc) out.push({ collection, id, kind: 'different', server: doc, replica: local });
    }
    for (const [id, doc] of Object.entries(r)) if (s[id] === undefined) out.push({ collection, id, kind: 'only on replica', replica: doc });
  }
  return out;
}

/** A one-line fingerprint of a dump (to notice that nothing moves any more). */
export function dumpFingerprint(dump: Dump): string {
  return COLLECTION_NAMES.map((c) => `${c}:${Object.keys(dump[c] ?? {}).length}:${hash(Object.values(dump[c] ?? {}).sort().join('\n'))}`).join('|');
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16);
}
