import { cpus, loadavg, totalmem } from 'node:os';

/** What a benchmark run prints: lines of text (tables and notes), in order. */
export type Print = (line?: string) => void;

/** Options every benchmark receives from the runner. */
export interface BenchContext {
  /** A smaller run (a tenth or a fifth of the data) for a quick look; the numbers mean less. */
  quick: boolean;
  /** Also print the profile breakdowns even when the targets are met. */
  profile: boolean;
  print: Print;
}

/** Prints a table with aligned columns (Markdown pipe syntax, so it pastes into an issue as is). */
export function printTable(print: Print, title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  print();
  print(title);
  print();
  print(line(headers));
  print(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) print(line(row));
}

/** 12345.6 → "12,346". */
export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Items per second from a count and milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** The median of some measurements (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Milliseconds as "1.23 s" or "456 ms". */
export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}

/** Bytes as MiB. */
export function mib(bytes: number): string {
  return `${int(bytes / 1024 / 1024)} MiB`;
}

/** A ratio as a percentage with one decimal. */
export function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/** The machine line every benchmark output starts with (numbers mean nothing without it). */
export function machineInfo(extra: Record<string, string> = {}): string {
  const cpu = cpus();
  const parts = {
    cores: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown cpu'}`,
    memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    ...extra,
    'load average': loadAverage(),
  };
  return Object.entries(parts).map(([key, value]) => `${key}: ${value}`).join(' · ');
}

/** The 1-minute load average: other work on the machine shows up in every number printed after it. */
export function loadAverage(): string {
  return loadavg()[0]?.toFixed(2) ?? '?';
}

/** Samples process memory every `intervalMs` and remembers the peaks (RSS and V8 heap used). */
export function memorySampler(intervalMs = 50): { stop(): { peakRss: number; peakHeap: number; startRss: number; startHeap: number } } {
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const sample = () => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRss, peakHeap, startRss: start.rss, startHeap: start.heapUsed };
    },
  };
}
