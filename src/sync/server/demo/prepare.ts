import type { Database } from '../db/database.ts';
import { ensureDemoMerchant, type DemoResult } from './load.ts';

/**
 * Ensures the demo merchant (`start` and `demo`) and tells `out` what happened: progress while it is created,
 * then what it holds, and that --seed and --customers only apply to the first run.
 */
export async function prepareDemo(db: Database, options: { customers: number; seed: number; actor: string }, out: (line: string) => void): Promise<DemoResult> {
  const demo = await ensureDemoMerchant(db, {
    customers: options.customers,
    seed: options.seed,
    actor: options.actor,
    onProgress: (done, total) => out(done === 0 ? `Creating the demo merchant "Café Patron" (${total} customers)…` : `  ${done} / ${total} customers`),
  });
  if (demo.created) {
    const { customers, visits, loyaltyEntries, rewards } = demo.counts;
    out(`Demo data: ${customers} customers, ${visits} visits, ${loyaltyEntries} ledger entries, ${rewards} rewards, loaded in ${(demo.elapsedMs / 1000).toFixed(1)} s.`);
  } else {
    const { customers, visits, loyaltyEntries } = demo.counts;
    out(`Using the demo merchant "Café Patron" (${customers} customers, ${visits} visits, ${loyaltyEntries} ledger entries).`);
  }
  if (!demo.created && demo.seed !== options.seed) {
    out(`(The demo merchant already exists, made with seed ${demo.seed}; --seed and --customers only apply to the first run.)`);
  }
  return demo;
}

