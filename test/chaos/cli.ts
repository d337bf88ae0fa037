import { parseArgs } from 'node:util';
import { formatFailure, runChaos, type ChaosResult } from './harness.ts';
import { randomSeed } from './prng.ts';

/**
 * Long runs of the convergence suite: `npm run chaos -- --runs 20` (random seeds), `--seed S` (one seed, or
 * the first of consecutive seeds with --runs), `--ops N`, `--terminals N`, `--broken` (the deliberately
 * broken server), `--clock-jumps` (a restarted till may come back with its clock corrected), `--db-latency A,B` (ms from each instance to Postgres), `--trace` (print every run's trace). Exits 1 when a run failed.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    seed: { type: 'string' },
    ops: { type: 'string' },
    terminals: { type: 'string' },
    broken: { type: 'boolean', default: false },
    'clock-jumps': { type: 'boolean', default: false },
    'db-latency': { type: 'string' },
    trace: { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs);
const first = values.seed !== undefined ? Number(values.seed) >>> 0 : null;
const results: ChaosResult[] = [];
for (let i = 0; i < runs; i++) {
  const seed = first !== null ? (first + i) >>> 0 : randomSeed();
  const result = await runChaos({
    seed,
    broken: values.broken,
    clockJumps: values['clock-jumps'],
    ...(values.ops ? { ops: Number(values.ops) } : {}),
    ...(values.terminals ? { terminals: Number(values.terminals) } : {}),
    ...(values['db-latency'] ? { dbLatencyMs: values['db-latency'].split(',').map(Number) as [number, number] } : {}),
    log: (line) => console.log(line),
  });
  results.push(result);
  if (!result.ok) console.log(formatFailure(result));
  else if (values.trace) console.log(result.trace.join('\n'));
}

const columns = ['seed', 'result', 'seconds', 'customers', 'entries', 'visits', 'merged', 'deleted', 'conflicts', 'overdrafts', 'crashes', 'restarts', 'pg', 'offline', 'lost', 'dups'] as const;
const rows = results.map((r) => [
  String(r.seed),
  r.ok ? 'ok' : `FAIL (${r.failures.length})`,
  (r.durationMs / 1000).toFixed(1),
  String(r.counts.customers ?? '-'),
  String(r.counts.entries ?? '-'),
  String(r.counts.visits ?? '-'),
  String(r.counts.merged ?? '-'),
  String(r.counts.deleted ?? '-'),
  String(r.counts.recordedConflicts ?? '-'),
  String(r.counts.overdrafts ?? '-'),
  String(r.counts.crashes ?? '-'),
  String(r.counts.serverRestarts ?? '-'),
  String(r.counts.databaseRestart ?? 0),
  String(r.counts.offline ?? 0),
  String(r.counts.lostAnswers ?? '-'),
  String(r.counts.duplicatedPushes ?? '-'),
]);
const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
console.log('');
console.log(line(columns));
for (const row of rows) console.log(line(row));
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length}/${results.length} runs passed${values.broken ? ' (broken server: failures are expected)' : ''}`);
if (failed.length > 0) console.log(`failing seeds: ${failed.map((r) => r.seed).join(' ')}`);
process.exit(failed.length > 0 ? 1 : 0);
