import type { NetCommand, NetStats } from './messages.ts';

type Route = 'push' | 'pull' | 'token' | 'stream' | 'other';

function routeOf(url: string): Route {
  if (url.includes('/v1/push/')) return 'push';
  if (url.includes('/v1/pull/')) return 'pull';
  if (url.includes('/v1/token')) return 'token';
  if (url.includes('/v1/stream')) return 'stream';
  return 'other';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A terminal's network as the chaos suite controls it: a fetch that can be offline (new requests fail, and
 * requests in flight — the poke stream included — are aborted, as when the cable is pulled), that can lose
 * an answer after the server did the work (F3: the request is performed and its response read, then the
 * caller gets a network error), that can send the same push several times at once or in a row (F5), and
 * that adds a little latency so pushes of different terminals overlap.
 */
export function createChaosNetwork(options: { online: boolean; random: () => number; base?: typeof fetch }) {
  const base = options.base ?? fetch;
  let online = options.online;
  let lose = { count: 0, routes: new Set<Route>() };
  let duplicate = { count: 0, copies: 2, parallel: true };
  let latency: [number, number] = [0, 8];
  const inflight = new Set<AbortController>();
  const stats: NetStats = { requests: 0, lost: 0, duplicated: 0, refusedOffline: 0, byStatus: {} };

  const offlineError = (why: string) => new TypeError(`fetch failed (chaos: ${why})`);

  async function once(input: string, init: RequestInit | undefined, signal: AbortSignal): Promise<Response> {
    const response = await base(input, { ...init, signal });
    stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
    return response;
  }

  const chaosFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const route = routeOf(url);
    stats.requests += 1;
    if (!online) {
      stats.refusedOffline += 1;
      throw offlineError('offline');
    }
    const controller = new AbortController();
    inflight.add(controller);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    let keep = false;
    try {
      const [min, max] = latency;
      if (max > 0) await sleep(min + options.random() * (max - min));
      if (!online || controller.signal.aborted) throw offlineError('offline');
      let response: Response;
      if (route === 'push' && duplicate.count > 0) {
        duplicate.count -= 1;
        stats.duplicated += 1;
        const copies = duplicate.copies;
        if (duplicate.parallel) {
          const settled = await Promise.allSettled(Array.from({ length: copies }, () => once(url, init, signal)));
          const answers = settled.filter((s): s is PromiseFulfilledResult<Response> => s.status === 'fulfilled').map((s) => s.value);
          // The caller sees one answer (the first copy's); the other bodies are drained.
          const first = settled[0];
          if (!first || first.status === 'rejected') {
            for (const answer of answers) await answer.arrayBuffer().catch(() => undefined);
            throw offlineError('duplicate lost');
          }
          for (const answer of answers.slice(1)) await answer.arrayBuffer().catch(() => undefined);
          response = first.value;
        } else {
          for (let i = 1; i < copies; i++) await (await once(url, init, signal)).arrayBuffer();
          response = await once(url, init, signal);
        }
      } else {
        response = await once(url, init, signal);
      }
      if (route !== 'stream' && lose.count > 0 && lose.routes.has(route)) {
        lose.count -= 1;
        stats.lost += 1;
        // The server has answered, so it committed (the answer comes after COMMIT); the terminal never hears.
        await response.arrayBuffer().catch(() => undefined);
        throw offlineError('response lost after commit');
      }
      keep = route === 'stream';
      return response;
    } finally {
      // A stream stays abortable until the network goes down; everything else is done here.
      if (!keep) inflight.delete(controller);
    }
  };

  return {
    fetch: chaosFetch,
    stats,
    get online() {
      return online;
    },
    apply(command: NetCommand) {
      if (command.online !== undefined) {
        online = command.online;
        if (!online) {
          for (const controller of inflight) controller.abort(offlineError('offline'));
          inflight.clear();
        }
      }
      if (command.lose) lose = { count: command.lose.count, routes: new Set(command.lose.routes) };
      if (command.duplicate) duplicate = { ...command.duplicate };
      if (command.latencyMs) latency = command.latencyMs;
    },
    /** Clears pending faults (healing): online, nothing lost or duplicated from now on. */
    heal() {
      online = true;
      lose = { count: 0, routes: new Set() };
      duplicate = { count: 0, copies: 2, parallel: true };
    },
  };
}

/** The network of one terminal. */
export type ChaosNetwork = ReturnType<typeof createChaosNetwork>;
