import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

/** A port nobody listens on right now (the instance keeps it across restarts, behind its proxy). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * One sync server instance as the harness sees it: a child process behind a TCP proxy. Terminals talk to
 * the proxy (so the harness can reset their connections — the SSE stream included — or blackhole them,
 * docs/reliability.md#f3) and the proxy's target stays the same port across restarts.
 */
export class ServerHost {
  private child: ChildProcess | null = null;
  private port = 0;
  proxy!: TcpProxy;
  restarts = 0;
  private starting: Promise<void> | null = null;

  constructor(
    readonly name: string,
    private readonly databaseUrl: string,
    private readonly broken: boolean,
  ) {}

  /** The URL terminals use (through the proxy). */
  get url(): string {
    return `http://127.0.0.1:${this.proxy.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.starting === null;
  }

  /** Opens the proxy (so the URL is known at once); `start` then runs the instance behind it. */
  async open(): Promise<void> {
    this.port = await freePort();
    this.proxy = await startTcpProxy({ host: '127.0.0.1', port: this.port });
  }

  async start(): Promise<void> {
    if (!this.proxy) await this.open();
    await this.spawn();
  }

  private spawn(): Promise<void> {
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        const child = fork(new URL('./server-process.ts', import.meta.url), [], {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, CHAOS_DATABASE_URL: this.databaseUrl, CHAOS_PORT: String(this.port), CHAOS_BROKEN: this.broken ? '1' : '0' },
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        });
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-4_000)));
        const ready = new Promise<number>((resolve, reject) => {
          child.on('message', (message: { type?: string; port?: number }) => {
            if (message.type === 'ready' && message.port) resolve(message.port);
          });
          child.once('exit', (code) => reject(new Error(`${this.name} exited (${code}) while starting: ${stderr}`)));
        });
        try {
          const port = await ready;
          if (port !== this.port) throw new Error(`${this.name} listens on ${port}, expected ${this.port}`);
          this.child = child;
          return;
        } catch (error) {
          // The port of a killed instance can take a moment to be free again.
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    return run();
  }

  /** kill -9: in-flight transactions roll back in Postgres, open connections drop. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the instance, then starts it again on the same port after `downMs`, in the background. */
  restartLater(downMs: number): void {
    this.restarts += 1;
    const task = (async () => {
      await this.kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await this.spawn();
    })();
    this.starting = task.finally(() => {
      this.starting = null;
    });
  }

  /** Resolves when no restart is under way. */
  async settled(): Promise<void> {
    while (this.starting) await this.starting;
    if (!this.child) await this.spawn();
  }

  /** Graceful stop (end of a run). */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const child = this.child;
    this.child = null;
    if (child) {
      const exited = once(child, 'exit');
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await this.proxy?.close();
  }
}
