import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/sync/model/errors.ts';
import { fenceRestoredFeed, purgeTombstones } from '../../../src/sync/server/sync/horizons.ts';
import { DATABASE_KINDS } from '../../helpers/database.ts';
import { aCustomer, insertRow, updateRow } from '../../helpers/documents.ts';
import { startServerFixture, type ServerFixture } from '../../helpers/sync-server.ts';

// docs/reliability.md#i5: tombstones are purged after a retention; a terminal whose checkpoint is older than the
// history kept gets a distinct answer (410 CHECKPOINT_TOO_OLD) and resyncs in full; a sync from zero
// made after the purge is complete and is never refused, however many pages it takes.
describe.each(DATABASE_KINDS)('the feed horizon on %s', (kind) => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await startServerFixture(kind);
  });
  afterAll(async () => {
    await f?.close();
  });

  async function pull(checkpoint?: string, limit = 2) {
    const query = new URLSearchParams({ limit: String(limit), ...(checkpoint ? { checkpoint } : {}) });
    return f.till.request('GET', `/v1/pull/customers?${query}`);
  }

  /** Every document a pull from zero reaches, page by page, and the final checkpoint. */
  async function fromZero(): Promise<{ ids: string[]; checkpoint: string }> {
    const ids: string[] = [];
    let checkpoint: string | undefined;
    for (;;) {
      const page = await pull(checkpoint);
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { documents: { id: string }[]; checkpoint: { v: string } | null };
      ids.push(...body.documents.map((d) => d.id));
      checkpoint = body.checkpoint?.v ?? checkpoint;
      if (body.documents.length < 2) return { ids, checkpoint: checkpoint ?? '0' };
    }
  }

  it('answers 410 CHECKPOINT_TOO_OLD below the horizon, and a full sync from zero after a purge or a restore is complete', async () => {
    const manager = f.till.ctx(f.seed.manager);
    const kept = [aCustomer(manager), aCustomer(manager), aCustomer(manager), aCustomer(manager), aCustomer(manager)];
    const erased = aCustomer(manager);
    await f.till.push('customers', [...kept, erased].map(insertRow));
    const stale = (await fromZero()).checkpoint;
    const tombstone = { ...erased, _deleted: true, updatedAt: new Date().toISOString() };
    await f.till.push('customers', [updateRow(tombstone, erased)]);
    expect((await fromZero()).ids).toContain(erased.id);

    // Retention 0 days: every tombstone is past it.
    expect((await purgeTombstones(f.tdb.db, 0)).customers).toBe(1);
    const refused = await pull(stale);
    expect(refused.statusCode).toBe(410);
    const { error } = refused.json() as { error: { code: string; message: string; messageFa: string; details: Record<string, string> } };
    expect(error).toMatchObject({ code: 'CHECKPOINT_TOO_OLD', message: ERRORS.CHECKPOINT_TOO_OLD[0], messageFa: ERRORS.CHECKPOINT_TOO_OLD[1], details: { collection: 'customers', reason: 'purged' } });
    // From zero, in pages of two below the horizon: every kept customer, no tombstone, no refusal; and the
    // checkpoint it ends with is one the server resumes from.
    const resynced = await fromZero();
    expect(resynced.ids.sort()).toEqual(kept.map((c) => c.id).sort());
    expect((await pull(resynced.checkpoint)).statusCode).toBe(200);
    const later = aCustomer(manager);
    await f.till.push('customers', [insertRow(later)]);
    expect(((await pull(resynced.checkpoint)).json() as { documents: { id: string }[] }).documents.map((d) => d.id)).toEqual([later.id]);

    // A restore moves the horizon past everything: every checkpoint held before it is refused.
    const before = (await fromZero()).checkpoint;
    await fenceRestoredFeed(f.tdb.db);
    const afterRestore = await pull(before);
    expect(afterRestore.statusCode).toBe(410);
    // It says so: what the restored server lacks was written after its backup, not deleted.
    expect((afterRestore.json() as { error: { details: Record<string, string> } }).error.details.reason).toBe('restored');
    expect((await fromZero()).ids.sort()).toEqual([...kept, later].map((c) => c.id).sort());
  });

  it('after a restore refuses a push updating what the backup lacks with 410 restored, writing nothing; after a later purge such a row meets the delete', async () => {
    const manager = f.till.ctx(f.seed.manager);
    const lost = aCustomer(manager);
    await f.till.push('customers', [insertRow(lost)]);
    // The backup predates `lost`: the restored database lacks it, and its feed is fenced.
    await f.tdb.db.query(`DELETE FROM customers WHERE id = $1`, [lost.id]);
    await fenceRestoredFeed(f.tdb.db);
    const edit = { ...lost, company: 'edited by a replication from before the restore', updatedAt: new Date().toISOString() };
    const fresh = aCustomer(manager);
    const refused = await f.till.request('POST', '/v1/push/customers', { rows: [insertRow(fresh), updateRow(edit, lost)] });
    expect(refused.statusCode).toBe(410);
    expect((refused.json() as { error: { details: Record<string, string> } }).error.details).toMatchObject({ collection: 'customers', reason: 'restored' });
    const stored = await f.tdb.db.query(`SELECT id FROM customers WHERE id = ANY($1::text[])`, [[lost.id, fresh.id]]);
    expect(stored.rows).toEqual([]);
    // The same document offered as new (what a terminal's next replication does) is inserted.
    await f.till.push('customers', [insertRow(edit), insertRow(fresh)]);
    expect((await f.tdb.db.query(`SELECT id FROM customers WHERE id = ANY($1::text[])`, [[lost.id, fresh.id]])).rows).toHaveLength(2);

    // A purge after the restore: a missing row is a purged tombstone again, and an edit of it meets the delete.
    const erased = aCustomer(manager);
    await f.till.push('customers', [insertRow(erased)]);
    await f.till.push('customers', [updateRow({ ...erased, _deleted: true, updatedAt: new Date().toISOString() }, erased)]);
    expect((await purgeTombstones(f.tdb.db, 0)).customers).toBe(1);
    const answer = await f.till.push('customers', [updateRow({ ...erased, company: 'late edit', updatedAt: new Date().toISOString() }, erased)]);
    expect(answer.conflicts).toEqual([expect.objectContaining({ id: erased.id, _deleted: true })]);
  });
});
