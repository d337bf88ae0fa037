import { fork, type ChildProcess } from 'node:child_process';

/**
 * Benchmark load generators and clients run in child processes: the server under test keeps its own event
 * loop (on 2 cores a client sharing it would be measured as server time), and a client's peak memory is its
 * own. Children run TypeScript through tsx like the runner.
 */
export interface Child {
  request<T>(message: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Forks `module` (a .ts file) with tsx; `nodeArgs` go before the module (e.g. heap size, --cpu-prof). */
export function spawnChild(module: URL, nodeArgs: readonly string[] = []): Child {
  const child: ChildProcess = fork(module, [], {
    execArgv: ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve(value: unknown): void; reject(error: Error): void } | null = null;
  let exited = false;
  child.on('message', (message: Reply) => {
    const waiter = pending;
    pending = null;
    if (!waiter) return;
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`child failed: ${message.error ?? 'unknown error'}`));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    pending?.reject(new Error(`child exited (${code ?? signal})`));
    pending = null;
  });
  return {
    request<T>(message: Record<string, unknown>) {
      if (exited) return Promise.reject(new Error('child has exited'));
      if (pending) return Promise.reject(new Error('one request at a time'));
      return new Promise<T>((resolve, reject) => {
        pending = { resolve: resolve as (value: unknown) => void, reject };
        child.send(message);
      });
    },
    async close() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ cmd: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

/** The child side: answers each request with its handler's result, one at a time; `exit` ends the process. */
export function serveRequests(handle: (message: Record<string, unknown>) => Promise<unknown>): void {
  process.on('message', (message: Record<string, unknown>) => {
    if (message.cmd === 'exit') {
      // Let the IPC channel close, then leave even if a library keeps a handle open.
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50).unref();
      return;
    }
    handle(message).then(
      (result) => process.send?.({ ok: true, result }),
      (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
