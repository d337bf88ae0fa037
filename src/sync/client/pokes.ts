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
  /**
   * The server is out of reach: the stream fell silent past its keep-alive deadline, or the connection
   * failed at the network level (not an HTTP refusal). Called before `disconnected`.
   */
  unreachable?(): void;
}

/** Extra wait beyond the server's announced keep-alive interval before the stream counts as dead. */
export const KEEP_ALIVE_MARGIN_MS = 700;
/** The silence allowed when the server announced no interval (a server from before the announcement). */
const LEGACY_SILENCE_MS = 45_000;

/** The keep-alive interval the server announces in its `ready` event, if any. */
function announcedKeepAlive(data: string): number | null {
  const parsed = safeJson(data) as { keepAliveMs?: unknown } | null;
  const ms = parsed?.keepAliveMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : null;
}

/**
 * One SSE connection per terminal, read with fetch so the token travels in the Authorization header
 * (EventSource cannot send headers, and tokens never go in URLs). Reconnects with capped backoff.
 */
export function startPokeStream(options: { serverUrl: string; tokens: TokenSource; handlers: PokeHandlers; fetch?: typeof fetch; maxBackoffMs?: number }): {
  stop(): void;
  /** Reconnects now instead of after the backoff (the browser says the network is back). */
  reconnect(): void;
} {
  const doFetch = options.fetch ?? fetch;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let wake: (() => void) | undefined;
  // The silence that means a dead connection: the announced keep-alive interval plus a margin, once known.
  let silenceMs = LEGACY_SILENCE_MS;

  async function connectOnce(): Promise<void> {
    const current = new AbortController();
    controller = current;
    const token = await options.tokens.get();
    // The stream lives long, but its answer must start soon: a connection that hangs before the headers is dead.
    const connectTimer = setTimeout(() => current.abort(), 15_000);
    // A (re)connection that hears nothing for as long as a live stream never stays silent is as good as cut:
    // say so now (the connection may still come; a request that succeeds sets the status online again).
    const unanswered = setTimeout(() => {
      if (!stopped && !current.signal.aborted) options.handlers.unreachable?.();
    }, silenceMs);
    let response: Response;
    try {
      response = await doFetch(`${options.serverUrl}${ROUTES.stream.path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
        signal: current.signal,
      });
    } catch (error) {
      if (!stopped) options.handlers.unreachable?.();
      throw error;
    } finally {
      clearTimeout(connectTimer);
      clearTimeout(unanswered);
    }
    if (response.status === 401) options.tokens.invalidate();
    if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
    // The server writes a keep-alive every `keepAliveMs` (announced in `ready`): silence for longer than that
    // plus a margin means the connection is dead, whatever TCP thinks — that is how a cut network is noticed
    // within about two seconds rather than when a request times out.
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const rearm = () => {
      clearTimeout(deadline);
      deadline = setTimeout(() => {
        if (current.signal.aborted || stopped) return;
        options.handlers.unreachable?.();
        current.abort();
      }, silenceMs);
    };
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'ready') {
          failures = 0;
          const announced = announcedKeepAlive(event.data);
          if (announced !== null) silenceMs = announced + KEEP_ALIVE_MARGIN_MS;
          rearm();
          options.handlers.connected();
        } else if (event.event === 'poke') {
          const poke = PokeSchema.safeParse(safeJson(event.data));
          if (poke.success) options.handlers.poke(poke.data.collections);
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    rearm();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        rearm();
        parser.feed(value);
      }
    } finally {
      clearTimeout(deadline);
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
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
      wake = undefined;
    }
  }

  void loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      wake?.();
    },
    reconnect() {
      clearTimeout(timer);
      failures = 0;
      wake?.();
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
