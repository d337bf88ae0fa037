// `npm run bench [-- <name>…] [--quick] [--profile]`: runs the benchmarks (all, or those named) and prints
// their tables. Each table shows the baseline it is compared against, measured in the same run; nothing here
// asserts a timing (STYLE.md: benchmarks are benchmarks, not timed tests).
import { loadAverage, machineInfo, type BenchContext } from './lib/report.ts';

const BENCHMARKS = {
  server: () => import('./server.ts'),
  fleet: () => import('./fleet.ts'),
  'initial-sync': () => import('./initial-sync.ts'),
  'initial-sync-browser': () => import('./initial-sync-browser.ts'),
  keystroke: async () => {
    const { run } = await import('./keystroke.ts');
    return { run: async (ctx: BenchContext) => ctx.print(await run({ quick: ctx.quick, profile: ctx.profile })) };
  },
  analytics: () => import('./analytics.ts'),
  'analytics-browser': () => import('./analytics-browser.ts'),
  'import-browser': () => import('./import-browser.ts'),
  'pin-guess': () => import('./pin-guess.ts'),
  'customer-list': () => import('./customer-list.ts'),
} as const;
type Name = keyof typeof BENCHMARKS;

function usage(): string {
  return `usage: npm run bench -- [${Object.keys(BENCHMARKS).join(' | ')}]… [--quick] [--profile]
  --quick    a smaller run (the numbers mean less)
  --profile  print the profile breakdowns even when the targets are met`;
}

// Process warnings (e.g. a listener leak in code under test) are collected and printed once each at the
// end, so they stay visible without breaking up the tables.
const warnings = new Map<string, number>();
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  const key = `${warning.name}: ${warning.message.replace(/\d+ (\w+ listeners)/, 'N $1')}`;
  warnings.set(key, (warnings.get(key) ?? 0) + 1);
});

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return;
  }
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--quick' && arg !== '--profile');
  const names = args.filter((arg) => !arg.startsWith('-'));
  const bad = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0 || bad.length > 0) {
    console.error(`unknown ${[...unknown, ...bad].join(', ')}\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  const selected = (names.length > 0 ? names : Object.keys(BENCHMARKS)) as Name[];
  const ctx: BenchContext = { quick: args.includes('--quick'), profile: args.includes('--profile'), print: (line = '') => console.log(line) };
  ctx.print(`Patron benchmarks${ctx.quick ? ' (--quick: reduced sizes)' : ''} — ${new Date().toISOString()}`);
  ctx.print(machineInfo());
  const started = performance.now();
  for (const name of selected) {
    ctx.print(`\n=== ${name} ===`);
    const bench = await BENCHMARKS[name]();
    await bench.run(ctx);
    ctx.print(`(${name} done; load average now ${loadAverage()})`);
  }
  for (const [warning, count] of warnings) ctx.print(`\nprocess warning (×${count}): ${warning}`);
  ctx.print(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  // Pools, browsers and children are closed by each benchmark; leave even if a library keeps a timer.
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
