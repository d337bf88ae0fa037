// What a stolen tablet's staff table costs to break offline (docs/security.md#staff-proof): each PIN guess
// against a member's sealed key (or their PIN hash, the same argon2id cost) is one argon2id run. Measured
// with the same library and parameters the app uses, one guess after another on each core; the time to try
// every 4- and 6-digit PIN follows. The baseline is the floor of a guess without the key derivation (AES-GCM
// open + key import alone), which is what a PIN would cost with no argon2id at all.
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createStaffKey, unsealStaffKey } from '../../src/sync/model/staff-proof.ts';
import { perSecond, printTable, type BenchContext } from './lib/report.ts';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { argon2id } = require('hash-wasm');
(async () => {
  const t0 = performance.now();
  for (let i = 0; i < workerData.guesses; i++) {
    await argon2id({ password: String(i).padStart(6, '0'), salt: workerData.salt, ...workerData.params, outputType: 'binary' });
  }
  parentPort.postMessage(performance.now() - t0);
})();`;

/**
 * Guesses per second with `threads` workers each trying `guesses` PINs (argon2id alone, as the unseal does),
 * timed inside the workers so their start-up and the WASM compile do not count.
 */
async function parallelRate(threads: number, guesses: number, params: object): Promise<number> {
  const elapsed = await Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((resolve, reject) => {
      const worker = new Worker(WORKER, { eval: true, workerData: { guesses, salt: randomBytes(16), params } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })),
  );
  return perSecond(threads * guesses, Math.max(...elapsed));
}

/** Seconds as the largest sensible unit: "42 s", "3.1 min", "2.8 h", "11.6 days". */
function span(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export async function run(ctx: BenchContext): Promise<void> {
  const { PIN_HASH_PARAMS } = await import('../../src/sync/model/pin.ts');
  const guesses = ctx.quick ? 5 : 20;
  const key = await createStaffKey(randomUUID(), '739184', (n) => randomBytes(n));
  // One core, the whole unseal (argon2id, AES-GCM, import) with wrong PINs, as an attacker would run it.
  const started = performance.now();
  for (let i = 0; i < guesses; i++) await unsealStaffKey(key, String(100_000 + i));
  const oneCore = perSecond(guesses, performance.now() - started);
  const cores = availableParallelism();
  const allCores = await parallelRate(cores, guesses, PIN_HASH_PARAMS);
  // Floor: the same unseal with a trivial argon2id (1 pass, 8 KiB), i.e. almost no key-derivation cost.
  const floorParams = { ...PIN_HASH_PARAMS, iterations: 1, memorySize: 8 };
  const floor = await parallelRate(1, guesses * 10, floorParams);
  const rows = [
    ['argon2id 19 MiB × 2 (the app), one core', oneCore.toFixed(1), span(10_000 / oneCore), span(1_000_000 / oneCore)],
    [`argon2id 19 MiB × 2 (the app), ${cores} cores`, allCores.toFixed(1), span(10_000 / allCores), span(1_000_000 / allCores)],
    ['baseline: argon2id 8 KiB × 1 (no real cost), one core', floor.toFixed(1), span(10_000 / floor), span(1_000_000 / floor)],
  ];
  printTable(ctx.print, `Offline PIN guessing against one stolen sealed key (${guesses} guesses per measurement; worst case = every PIN tried)`, ['derivation', 'guesses/s', '4 digits (10⁴)', '6 digits (10⁶)'], rows);
}
