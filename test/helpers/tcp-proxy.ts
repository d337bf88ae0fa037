import net from 'node:net';

/**
 * How the proxy treats traffic:
 * - `pass`: bytes flow both ways (after the configured latency);
 * - `blackhole`: connections stay open but nothing flows — bytes are held, as a partitioned network holds
 *   unacknowledged TCP segments, and delivered when the mode returns to `pass`; new connections are accepted
 *   and then hear nothing (a client's connect timeout fires);
 * - `refuse`: new connections are closed as soon as they arrive (existing ones are left alone; `cutAll`
 *   closes them).
 */
export type ProxyMode = 'pass' | 'blackhole' | 'refuse';

/** A small controllable TCP proxy in front of a database or a server, for fault tests. */
export interface TcpProxy {
  /** The local port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's (e.g. a Postgres connection string). */
  url(target: string): string;
  /** Switches the mode; going back to `pass` flushes what a blackhole held. */
  setMode(mode: ProxyMode): void;
  readonly mode: ProxyMode;
  /** Adds `ms` of one-way delay to every chunk, in both directions (order is kept). */
  setLatency(ms: number): void;
  /** Destroys every open connection on both sides (a database restart, an SSE reset). */
  cutAll(): void;
  /** Open client connections. */
  connections(): number;
  /** Client connections accepted since the proxy started. */
  accepted(): number;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

interface Pipe {
  client: net.Socket;
  upstream: net.Socket;
  /** Chunks held while blackholed, in arrival order, with their direction. */
  held: { to: net.Socket; chunk: Buffer }[];
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  let latency = 0;
  let accepted = 0;
  const pipes = new Set<Pipe>();

  const deliver = (pipe: Pipe, to: net.Socket, chunk: Buffer) => {
    if (mode === 'blackhole') {
      pipe.held.push({ to, chunk });
      return;
    }
    const write = () => {
      if (!to.destroyed) to.write(chunk);
    };
    if (latency > 0) setTimeout(write, latency);
    else write();
  };

  const destroy = (pipe: Pipe) => {
    pipes.delete(pipe);
    pipe.held.length = 0;
    pipe.client.destroy();
    pipe.upstream.destroy();
  };

  const server = net.createServer((client) => {
    accepted += 1;
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = net.connect({ host: target.host, port: target.port });
    upstream.setNoDelay(true);
    const pipe: Pipe = { client, upstream, held: [] };
    pipes.add(pipe);
    client.on('data', (chunk: Buffer) => deliver(pipe, upstream, chunk));
    upstream.on('data', (chunk: Buffer) => deliver(pipe, client, chunk));
    // Either side ending or failing ends the pair (after the latency, so in-flight bytes arrive first).
    const end = () => {
      if (!pipes.has(pipe)) return;
      if (latency > 0 && mode === 'pass') setTimeout(() => destroy(pipe), latency);
      else destroy(pipe);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  const port = address.port;

  return {
    port,
    get mode() {
      return mode;
    },
    url(value) {
      const url = new URL(value);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    setMode(next) {
      mode = next;
      if (next !== 'blackhole') {
        for (const pipe of pipes) {
          const held = pipe.held.splice(0);
          for (const { to, chunk } of held) if (!to.destroyed) to.write(chunk);
        }
      }
    },
    setLatency(ms) {
      latency = ms;
    },
    cutAll() {
      for (const pipe of [...pipes]) destroy(pipe);
    },
    connections() {
      return pipes.size;
    },
    accepted() {
      return accepted;
    },
    async close() {
      for (const pipe of [...pipes]) destroy(pipe);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
