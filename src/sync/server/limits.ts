import type { FastifyRequest } from 'fastify';
import type { Queryable } from './db/database.ts';
import { HttpError } from './http-errors.ts';

/** One counter of a shared limit: its key (what is counted) and the most hits a window allows. */
export interface LimitKey {
  key: string;
  max: number;
}

/**
 * Counts one hit on each key in the shared `request_limits` table (one statement, fixed windows) and throws
 * 429 RATE_LIMIT_EXCEEDED, with Retry-After, when any key is over its maximum. The per-address limit of
 * @fastify/rate-limit stays in front (in memory, per instance); this one holds across instances and is keyed
 * by what an attacker cannot multiply cheaply: the terminal and the merchant.
 */
export async function hitSharedLimits(db: Queryable, keys: readonly LimitKey[], windowMs: number, request?: FastifyRequest): Promise<void> {
  if (keys.length === 0) return;
  const { rows } = await db.query<{ key: string; hits: number; retry: number }>(
    `INSERT INTO request_limits AS l (key, hits, resets_at)
     SELECT k, 1, now() + make_interval(secs => $2::double precision) FROM unnest($1::text[]) AS k
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN l.resets_at <= now() THEN 1 ELSE l.hits + 1 END,
       resets_at = CASE WHEN l.resets_at <= now() THEN now() + make_interval(secs => $2::double precision) ELSE l.resets_at END
     RETURNING key, hits, GREATEST(1, ceil(extract(epoch FROM l.resets_at - now())))::int AS retry`,
    [keys.map((k) => k.key), windowMs / 1000],
  );
  const max = new Map(keys.map((k) => [k.key, k.max]));
  const over = rows.filter((row) => row.hits > (max.get(row.key) ?? Infinity));
  if (over.length === 0) return;
  const retry = Math.max(...over.map((row) => row.retry));
  request?.log.warn({ limits: over.map((row) => row.key.split(':')[0]) }, 'shared rate limit reached');
  throw new HttpError(429, 'RATE_LIMIT_EXCEEDED', { retryAfter: String(retry) });
}

/** Deletes counters whose window has passed (maintenance). */
export async function pruneSharedLimits(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM request_limits WHERE resets_at < now() - interval '1 hour'`);
}
