import { writeFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';

/** A Chrome trace event as CDP reports it (the fields used here). Times are in microseconds. */
interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread time: how long the thread actually ran (dur also counts time it waited for a CPU). */
  tdur?: number;
  id?: string;
  id2?: { local?: string; global?: string };
  args?: { name?: string; src_func?: string };
}

/** The renderer main thread's work between one keystroke's event and its frame (profile mode; ms). */
export interface KeyCpu {
  /** Key event → the requestAnimationFrame of the frame that paints its results (the probe's span). */
  wall: number;
  /** Thread time of the tasks that started in the span: key events (with React and forced layout) … */
  input: number;
  /** … the frame that paints the results (BeginMainFrame: hit test, style, layout, paint) … */
  frame: number;
  /** … and everything else (GC, timers, the benchmark's own CDP calls). */
  other: number;
  /** Wall time those tasks spent waiting for a CPU before the frame (their duration minus their thread time). */
  descheduled: number;
}

/** What a trace of the typing shows: main-thread totals by event name, and each keystroke's own work. */
export interface MainThreadTrace {
  totals: { name: string; ms: number }[];
  keys: KeyCpu[];
}

/**
 * Records a Chrome trace of the page (profile mode only). When stopped, totals the complete events of the
 * renderer's main thread by name (nested events count in their own row and in their parents': RunTask holds
 * everything), and splits each keystroke — the probe's User Timing measures — into the thread time of its
 * input tasks, its frame and other tasks, and the time its tasks were descheduled (other processes on the CPU).
 * `saveTo` also writes the whole trace there (Chrome's JSON trace format: open it in Perfetto or DevTools).
 */
export async function startMainThreadTrace(cdp: CDPSession, saveTo?: string): Promise<{ stop(): Promise<MainThreadTrace> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (batch) => void events.push(...(batch.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel,blink,blink.user_timing,v8.execute',
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await complete;
      if (saveTo) writeFileSync(saveTo, JSON.stringify({ traceEvents: events }));
      const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      const onMain = events.filter((e) => e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`));
      const totals = new Map<string, number>();
      for (const event of onMain) totals.set(event.name, (totals.get(event.name) ?? 0) + (event.dur ?? 0) / 1000);
      return {
        totals: [...totals.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
        keys: keystrokes(events, onMain),
      };
    },
  };
}

/** The probe's keystroke measures ('b'/'e' pairs named `keystroke …`) as [start, end] spans, in order. */
function keystrokeSpans(events: readonly TraceEvent[]): [number, number][] {
  const open = new Map<string, number>();
  const spans: [number, number][] = [];
  const measures = events.filter((e) => e.cat?.includes('blink.user_timing') && e.name.startsWith('keystroke ') && (e.ph === 'b' || e.ph === 'e'));
  for (const event of measures.sort((a, b) => a.ts - b.ts)) {
    const key = `${event.name}|${event.id ?? event.id2?.local ?? event.id2?.global ?? ''}`;
    if (event.ph === 'b') open.set(key, event.ts);
    else {
      const start = open.get(key);
      if (start !== undefined) spans.push([start, event.ts]);
      open.delete(key);
    }
  }
  return spans.sort((a, b) => a[0] - b[0]);
}

function keystrokes(events: readonly TraceEvent[], onMain: readonly TraceEvent[]): KeyCpu[] {
  const tasks = onMain.filter((e) => e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts);
  // What a task ran: the key events it dispatched, or the frame. Found by the events nested in it.
  const kind = new Map<TraceEvent, 'input' | 'frame'>();
  const containing = (at: number): TraceEvent | undefined => {
    let lo = 0;
    let hi = tasks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tasks[mid]!.ts <= at) lo = mid + 1;
      else hi = mid;
    }
    const task = tasks[lo - 1];
    return task && at <= task.ts + (task.dur ?? 0) ? task : undefined;
  };
  for (const event of onMain) {
    const what = event.name === 'WebFrameWidgetImpl::BeginMainFrame' ? 'frame' : event.name === 'EventDispatch' ? 'input' : null;
    const task = what ? containing(event.ts) : undefined;
    if (task && what && kind.get(task) !== 'frame') kind.set(task, what);
  }
  return keystrokeSpans(events).map(([start, end]) => {
    const key: KeyCpu = { wall: (end - start) / 1000, input: 0, frame: 0, other: 0, descheduled: 0 };
    for (const task of tasks) {
      if (task.ts < start) continue;
      if (task.ts > end) break;
      const cpu = (task.tdur ?? task.dur ?? 0) / 1000;
      key[kind.get(task) ?? 'other'] += cpu;
      // Only the part before the frame: the frame's own task runs on after its requestAnimationFrame.
      const wallInSpan = (Math.min(task.ts + (task.dur ?? 0), end) - task.ts) / 1000;
      key.descheduled += Math.max(0, wallInSpan - cpu);
    }
    return key;
  });
}
