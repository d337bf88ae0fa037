import type { Database, Queryable } from '../../../src/sync/server/db/database.ts';

/** Time spent in one kind of statement. */
export interface StatementStats {
  label: string;
  count: number;
  ms: number;
}

/** What the server's database calls cost while profiling was on. */
export interface DbProfile {
  statements: StatementStats[];
  transactions: {
    count: number;
    /** From `transaction()` being called to COMMIT answered. */
    totalMs: number;
    /** Pool checkout and BEGIN, before the callback runs. */
    beginMs: number;
    /** The callback (statements and the JavaScript between them). */
    bodyMs: number;
    /** Statements awaited inside callbacks (a subset of bodyMs). */
    statementMs: number;
    /** The clock-row lock statement (waiting for other pushes included). */
    lockMs: number;
    /** COMMIT after the callback resolved. */
    commitMs: number;
  };
}

/** Names a statement by what it does, so the profile reads like the push and pull code. */
function labelOf(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  if (/FROM merchant_clock .*FOR UPDATE/i.test(s)) return 'lock clock row (FOR UPDATE, incl. wait)';
  if (/^SELECT 1 FROM terminals|FROM terminals/i.test(s)) return 'auth: terminal still active';
  if (/^SELECT 0 AS part/i.test(s)) return 'read batch state (stored rows, staff, programme)';
  if (/patron_reserve_versions\(\$1, \$2\)[\s\S]*INSERT INTO inbox/i.test(s)) return 'inbox write (reserve + upsert)';
  if (/patron_reserve_versions\(\$1, \$2\)/i.test(s)) return 'reserve versions + upsert batch (one statement)';
  if (/phone = ANY/i.test(s)) return 'duplicate-phone check';
  if (/pg_notify/i.test(s)) return 'pg_notify (poke)';
  if (/^SELECT doc, version::text AS (version|v) FROM/i.test(s)) return 'pull page SELECT (keyset)';
  return s.slice(0, 48);
}

// src/sync/server/sync/pull.ts selects `version::text AS version … ORDER BY version`: the output alias
// shadows the column, so pages are sorted as text ('10' < '9'), the index cannot serve the order (every page
// sorts all later rows) and rows below a page's lexicographic maximum are skipped for good.
const TEXT_ORDERED_PULL = /^(\s*SELECT doc, version::text AS version FROM (\w+)\s+WHERE [\s\S]*?)ORDER BY version(\s+LIMIT)/;

/** The pull statement ordered by the bigint column (what pull.ts means), for measuring until src is fixed. */
export function fixPullOrder(sql: string): string {
  return sql.replace(TEXT_ORDERED_PULL, (_m, head: string, table: string, tail: string) => `${head}ORDER BY ${table}.version${tail}`);
}

/**
 * Whether the server's pull pages come in text order of the version: compares the checkpoint of a first page
 * of 50 through the real `pullPage` with the 50th version in numeric order. Needs ≥ 50 rows spanning a
 * change of digit count (any freshly loaded merchant does).
 */
export async function pullSortsAsText(db: Queryable, merchantId: string, table: string, page: (limit: number) => Promise<{ checkpoint: { v: string } | null }>): Promise<boolean> {
  const { rows } = await db.query<{ v: string }>(`SELECT version::text AS v FROM ${table} WHERE merchant_id = $1 ORDER BY ${table}.version OFFSET 49 LIMIT 1`, [merchantId]);
  const expected = rows[0]?.v;
  if (expected === undefined) throw new Error('probe needs at least 50 rows');
  return (await page(50)).checkpoint?.v !== expected;
}

/**
 * Wraps a Database so every statement and transaction the server runs is timed while `enabled` — the
 * server code is untouched (buildApp takes any Database). Off, it costs one branch per call. With
 * `fixPullOrder` on, the pull statement is rewritten as above (and nothing else is).
 */
export function profiledDatabase(inner: Database): { db: Database; enabled: boolean; fixPullOrder: boolean; reset(): void; report(): DbProfile } {
  const stats = new Map<string, StatementStats>();
  const tx = { count: 0, totalMs: 0, beginMs: 0, bodyMs: 0, statementMs: 0, lockMs: 0, commitMs: 0 };
  const state = { enabled: false, fixPullOrder: false };

  const record = (sql: string, ms: number) => {
    const label = labelOf(sql);
    const entry = stats.get(label) ?? { label, count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    stats.set(label, entry);
    return label;
  };

  const timed = <R extends object>(run: Queryable['query'], original: string, params: readonly unknown[] | undefined, inTx: boolean) => {
    const sql = state.fixPullOrder ? fixPullOrder(original) : original;
    if (!state.enabled) return run<R>(sql, params);
    const started = performance.now();
    return run<R>(sql, params).then((result) => {
      const ms = performance.now() - started;
      const label = record(sql, ms);
      if (inTx) {
        tx.statementMs += ms;
        if (label.startsWith('lock clock row')) tx.lockMs += ms;
      }
      return result;
    });
  };

  const db: Database = {
    kind: inner.kind,
    query: (sql, params) => timed(inner.query.bind(inner), sql, params, false),
    exec: (sql) => inner.exec(sql),
    listen: (channel, onPayload, onReconnect) => inner.listen(channel, onPayload, onReconnect),
    close: () => inner.close(),
    async transaction(fn) {
      if (!state.enabled) return inner.transaction(fn);
      const called = performance.now();
      let bodyStart = 0;
      let bodyEnd = 0;
      const result = await inner.transaction(async (innerTx) => {
        bodyStart = performance.now();
        const wrapped: Queryable = {
          query: (sql, params) => timed(innerTx.query.bind(innerTx), sql, params, true),
          exec: (sql) => innerTx.exec(sql),
        };
        try {
          return await fn(wrapped);
        } finally {
          bodyEnd = performance.now();
        }
      });
      const done = performance.now();
      tx.count += 1;
      tx.totalMs += done - called;
      tx.beginMs += bodyStart - called;
      tx.bodyMs += bodyEnd - bodyStart;
      tx.commitMs += done - bodyEnd;
      return result;
    },
  };

  return {
    db,
    get enabled() {
      return state.enabled;
    },
    set enabled(value: boolean) {
      state.enabled = value;
    },
    get fixPullOrder() {
      return state.fixPullOrder;
    },
    set fixPullOrder(value: boolean) {
      state.fixPullOrder = value;
    },
    reset() {
      stats.clear();
      Object.assign(tx, { count: 0, totalMs: 0, beginMs: 0, bodyMs: 0, statementMs: 0, lockMs: 0, commitMs: 0 });
    },
    report() {
      return { statements: [...stats.values()].sort((a, b) => b.ms - a.ms), transactions: { ...tx } };
    },
  };
}
