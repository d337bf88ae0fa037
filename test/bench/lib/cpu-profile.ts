import { Session } from 'node:inspector/promises';

/** Self time of one bucket (a package, an area of src/, a V8 builtin) in a CPU profile. */
export interface ProfileBucket {
  name: string;
  ms: number;
  share: number;
}

/** A CPU profile folded into buckets and its hottest functions. */
export interface CpuSummary {
  totalMs: number;
  buckets: ProfileBucket[];
  functions: ProfileBucket[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Which part of the program a function belongs to, from its script URL. */
function bucketOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (idle), (program), (root)
    return `V8 builtin ${functionName || '(anonymous)'}`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)';
  if (url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (url.startsWith('node:')) return 'node internals';
  const src = url.match(/\/(src\/[^/]+\/[^/]+)\//);
  if (src?.[1]) return src[1];
  const test = url.match(/\/(test\/[^/]+)\//);
  if (test?.[1]) return test[1];
  return url.replace(/^.*\//, '');
}

/**
 * Profiles this process (V8's sampling profiler through node:inspector) until `stop`, then folds self time
 * into buckets. Used in profiling passes only — never around a measured run.
 */
export async function startCpuProfile(intervalUs = 500): Promise<{ stop(): Promise<CpuSummary> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
      session.disconnect();
      return summarize(profile);
    },
  };
}

/** Maps a script URL and 0-based line to the source file it came from (for bundles); undefined: keep the URL. */
export type SourceResolver = (url: string, line: number) => string | undefined;

/**
 * A resolver for an unminified esbuild bundle: esbuild writes a `// path/of/module.js` comment line before
 * each module's code, so a line number finds its module.
 */
export function bundleResolver(bundleUrlSuffix: string, bundleText: string): SourceResolver {
  const starts: { line: number; path: string }[] = [];
  bundleText.split('\n').forEach((text, line) => {
    const match = /^\/\/ ((?:node_modules|src|test)\/\S+\.(?:m?js|ts|tsx))$/.exec(text);
    if (match?.[1]) starts.push({ line, path: match[1] });
  });
  return (url, line) => {
    if (!url.endsWith(bundleUrlSuffix)) return undefined;
    let lo = 0;
    let hi = starts.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = starts[mid];
      if (!start) break;
      if (start.line <= line) {
        found = start.path;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found ? `/${found}` : undefined;
  };
}

/** Folds a V8 CPU profile (also one read from a .cpuprofile file) into buckets and hot functions. */
export function summarize(profile: Profile, resolve?: SourceResolver): CpuSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] ?? -1);
    // timeDeltas[i] is the time before sample i; attribute the gap after it to the sample (V8's convention).
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    const { functionName, lineNumber } = node.callFrame;
    const url = resolve?.(node.callFrame.url, lineNumber) ?? node.callFrame.url;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
    // Resolved (bundled) functions keep the bundle line, so the bundle can be opened at the right place.
    const where = url === node.callFrame.url ? `:${lineNumber + 1}` : ` (bundle line ${lineNumber + 1})`;
    const fn = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src|test)\//, '$1/')}${where}` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
    total += ms;
  }
  const list = (map: Map<string, number>) =>
    [...map.entries()].map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total, buckets: list(buckets), functions: list(functions) };
}
