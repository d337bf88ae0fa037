import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type PatronApp } from '../../../src/sync/server/app.ts';
import { createEnrolmentCode } from '../../../src/sync/server/repositories/admin.ts';
import { pullPage } from '../../../src/sync/server/sync/pull.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.ts';
import { seedMerchant, type SeededMerchant } from '../../helpers/sync-server.ts';
import { buildDataset, FIXTURE_WRITER, loadDataset, withoutDeleted, type Dataset, type DatasetSize } from './dataset.ts';
import { profiledDatabase, pullSortsAsText } from './profiled-db.ts';
import { duration, int, type Print } from './report.ts';

/** A listening sync server on a scratch Postgres database holding one merchant's dataset. */
export interface SyncServer {
  app: PatronApp;
  url: string;
  seed: SeededMerchant;
  size: DatasetSize;
  /** Files with each collection's documents as a JSON array (`_deleted` stripped), for the floors. */
  files: Record<keyof Dataset, string>;
  /** Whether the pull statement had to be shimmed (src sorts pages as text). */
  shimmed: boolean;
  enrolmentCode(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Generates the dataset once (model builders), loads it through the server's own write path, writes the same
 * documents to files for the floor, and starts the real app. Rate limiting is off: a fresh terminal pulling
 * 700k documents in pages of 300 makes ~2,300 requests, above the default 1,200 per minute.
 */
export async function startSyncServer(
  size: DatasetSize,
  print: Print,
  label: string,
  /** Registers extra routes (the browser page) on the app before it listens. */
  extend?: (app: PatronApp, files: Record<keyof Dataset, string>) => void | Promise<void>,
): Promise<SyncServer> {
  let tdb: TestDatabase | null = await createTestDatabase('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-'));
  let app: PatronApp | null = null;
  try {
    const seed = await seedMerchant(tdb.db, 'Bench Café');
    const origin = { merchantId: seed.merchantId, storeId: seed.storeId, terminalId: seed.merchantId, staffId: seed.cashier.id };
    let started = performance.now();
    const dataset = buildDataset(size, origin);
    print(`[${label}] generated ${int(size.customers)} customers, ${int(size.visits)} visits, ${int(size.loyaltyEntries)} ledger entries in ${duration(performance.now() - started)}`);
    started = performance.now();
    await loadDataset(tdb.db, seed.merchantId, FIXTURE_WRITER, dataset);
    const total = size.customers + size.visits + size.loyaltyEntries;
    print(`[${label}] loaded them through the server's write path (trigger-stamped versions) in ${duration(performance.now() - started)} (${int((total * 1000) / (performance.now() - started))} rows/s)`);
    for (const table of ['customers', 'visits', 'loyalty_entries']) await tdb.db.query(`VACUUM ANALYZE ${table}`);
    const files = {} as Record<keyof Dataset, string>;
    for (const name of ['customers', 'visits', 'loyaltyEntries'] as const) {
      files[name] = join(dir, `${name}.json`);
      writeFileSync(files[name], JSON.stringify((dataset[name] as { _deleted?: boolean }[]).map(withoutDeleted)));
    }

    const profiler = profiledDatabase(tdb.db);
    const db = tdb.db;
    const shimmed = await pullSortsAsText(db, seed.merchantId, 'customers', (limit) => pullPage(db, seed.merchantId, 'customers', undefined, limit));
    if (shimmed) {
      profiler.fixPullOrder = true;
      print(
        `[${label}] NOTE: src/sync/server/sync/pull.ts sorts pull pages as text (ORDER BY its output alias \`version\`), which skips rows ` +
          `for good and sorts every later row per page. This run rewrites that one statement to ORDER BY <table>.version in the ` +
          `benchmark's Database wrapper so the client can be measured; fix it in src.`,
      );
    }
    app = await buildApp({ db: profiler.db, logger: false, rateLimit: false });
    await extend?.(app, files);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const current = app;
    const owned = tdb;
    tdb = null;
    return {
      app: current,
      url,
      seed,
      size,
      files,
      shimmed,
      enrolmentCode: async () => (await createEnrolmentCode(owned.db, seed.merchantId, seed.storeId, 60, 'bench')).code,
      async close() {
        await current.close().catch(() => {});
        await owned.drop().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await tdb?.drop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
