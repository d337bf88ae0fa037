import { createParser } from 'eventsource-parser';
import { ROUTES } from '../model/routes.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, PokeSchema, type CollectionName } from '../model/wire-protocol.ts';
import type { TokenSource } from './auth.ts';

/** What the poke stream tells replication. */
export interface PokeHandlers {
  /** Some collections changed on the server. */
  poke(collections: readonly CollectionName[]): void;
  /** The stream (re)connected: pokes may have been missed, so everything resyncs. */
  connected(): void;
  disconnected(): void;
}

/**
 * One SSE connection per terminal, read with fetch so the token travels in the Authorization header
 * (EventSource cannot send headers, and tokens never go in URLs). Reconnects with capped backoff.
 */
export function startPokeStream(options: { serverUrl: string; tokens: TokenSource; handlers: PokeHandlers; fetch?: typeof fetch; maxBackoffMs?: number }): { stop(): void } {
  const doFetch = options.fetch ?? fetch;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  async function connectOnce(): Promise<void> {
    const current = new AbortController();
    controller = current;
    const token = await options.tokens.get();
    // The stream lives long, but its answer must start soon: a connection that hangs before the headers is dead.
    const connectTimer = setTimeout(() => current.abort(), 15_000);
    let response: Response;
    try {
      response = await doFetch(`${options.serverUrl}${ROUTES.stream.path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
        signal: current.signal,
      });
    } finally {
      clearTimeout(connectTimer);
    }
    if (response.status === 401) options.tokens.invalidate();
    if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'ready') {
          failures = 0;
          options.handlers.connected();
        } else if (event.event === 'poke') {
          const poke = PokeSchema.safeParse(safeJson(event.data));
          if (poke.success) options.handlers.poke(poke.data.collections);
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    // The server sends a keep-alive every 15 s: silence for much longer means the connection is dead.
    let silence = setTimeout(() => current.abort(), 45_000);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(silence);
        silence = setTimeout(() => current.abort(), 45_000);
        parser.feed(value);
      }
    } finally {
      clearTimeout(silence);
    }
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      try {
        await connectOnce();
      } catch {
        failures += 1;
      }
      if (stopped) return;
      options.handlers.disconnected();
      const delay = Math.min(maxBackoff, 500 * 2 ** Math.min(failures, 6));
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, delay);
      });
    }
  }

  void loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
