import type { CDPSession } from 'playwright-core';

/** A Chrome trace event as CDP reports it (the fields used here). */
interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * Records a Chrome trace of the page (profile mode only) and, when stopped, totals the complete events of the
 * renderer's main thread by name: how much of the typing went to input handling, script, style and layout,
 * paint. Nested events are counted in their own row and in their parents' (RunTask holds everything).
 */
export async function startMainThreadTrace(cdp: CDPSession): Promise<{ stop(): Promise<{ name: string; ms: number }[]> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (batch) => void events.push(...(batch.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel,blink,v8.execute',
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await complete;
      const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      const totals = new Map<string, number>();
      for (const event of events) {
        if (event.ph !== 'X' || event.dur === undefined || !main.has(`${event.pid}:${event.tid}`)) continue;
        totals.set(event.name, (totals.get(event.name) ?? 0) + event.dur / 1000);
      }
      return [...totals.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
    },
  };
}
