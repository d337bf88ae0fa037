import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../../src/sync/server/db/database.ts';
import { ensureDemoMerchant, type DemoResult } from '../../../src/sync/server/demo/load.ts';
import type { DemoStaff } from '../../../src/sync/server/demo/plan.ts';
import { startServer, type RunningServer } from '../../../src/sync/server/main.ts';

/** The real sync server as `npm start` runs it: PGlite in a data folder, the demo merchant, the built app. */
export interface DemoServer {
  /** http://127.0.0.1:<port> — loopback, so the one-click demo enrolment is offered. */
  readonly url: string;
  readonly demo: DemoResult;
  /** The demo store's cashier, and the manager (every store). */
  readonly cashier: DemoStaff;
  readonly manager: DemoStaff;
  /** The open database while the server runs. */
  db(): Database;
  running(): boolean;
  /** Stops the server the way SIGTERM does (in-flight requests finish, streams end, the database closes). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data folder. */
  start(): Promise<void>;
  /** Stops it and removes the data folder. */
  dispose(): Promise<void>;
}

/**
 * Starts `startServer` (src/sync/server/main.ts) with what `patron-sync start` prepares: the demo merchant
 * (created on the first start, found on the next) and one-click demo enrolment for the first store.
 */
export async function startDemoServer(options: { webRoot: string; customers: number }): Promise<DemoServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'patron-e2e-data-'));
  let demo: DemoResult | undefined;
  let port = 0;
  let server: RunningServer | null = null;

  const start = async () => {
    if (server) return;
    server = await startServer({
      dataDir,
      port,
      host: '127.0.0.1',
      webRoot: options.webRoot,
      app: { logger: false, rateLimit: false },
      print: () => {},
      prepare: async (db) => {
        demo = await ensureDemoMerchant(db, { customers: options.customers, seed: 7, actor: 'e2e' });
        const store = demo.stores[0];
        if (!store) throw new Error('the demo has no store');
        return { demo: { merchantId: demo.merchantId, storeId: store.id } };
      },
    });
    port = Number(new URL(server.url).port);
  };
  await start();
  const first = demo as DemoResult | undefined;
  if (!first) throw new Error('the demo merchant was not prepared');
  const storeId = first.stores[0]?.id;
  const cashier = first.staff.find((s) => s.role === 'cashier' && storeId !== undefined && s.storeIds.includes(storeId));
  const manager = first.staff.find((s) => s.role === 'manager');
  if (!cashier || !manager) throw new Error('the demo has no cashier for its first store, or no manager');

  const stop = async () => {
    const current = server;
    server = null;
    await current?.close();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    demo: first,
    cashier,
    manager,
    db() {
      if (!server) throw new Error('the server is stopped');
      return server.db;
    },
    running: () => server !== null,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
