import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { RxStorage } from 'rxdb';
import { exposeRxStorageRemote, type MessageToRemote } from 'rxdb/plugins/storage-remote';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { Subject } from 'rxjs';
import type { DeviceCredential } from '../../src/sync/client/auth.ts';
import type { CounterOp, Dump, HostMessage, NetCommand, OpResult, TerminalInit, TerminalReport, WorkerMessage, WorkerRequest } from './messages.ts';

/**
 * The terminals' disks: one memory storage in the harness's thread, shared by every worker through RxDB's
 * remote storage. RxDB's memory storage keeps a database's state after its instances close, so a new worker
 * opening the same database name finds what the crashed one wrote.
 */
const disk = getRxStorageMemory();

type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** Options of one terminal. */
export interface TerminalOptions {
  name: string;
  serverUrl: string;
  code: string;
  merchantId: string;
  storeId: string;
  cashierId: string;
  managerId: string;
  skewMs: number;
  dbName: string;
}

/** A terminal worker as the harness drives it: requests, crash, reopen, stop. */
export class TerminalHost {
  private worker: Worker | null = null;
  private storagePort: MessagePort | null = null;
  private storageMessages: Subject<MessageToRemote> | null = null;
  private exposed: { instanceByFullName: Map<string, { storageInstancePromise: Promise<{ close(): Promise<void> }> }> } | null = null;
  private pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  /** The device credential as last saved durably (survives crashes). */
  credential: DeviceCredential | null = null;
  online = true;
  skewMs: number;
  crashes = 0;
  fatal: string | null = null;

  constructor(readonly options: TerminalOptions) {
    this.skewMs = options.skewMs;
  }

  get alive(): boolean {
    return this.worker !== null;
  }

  get terminalId(): string {
    return this.credential?.terminalId ?? '?';
  }

  /**
   * Starts the worker (enrolling on first start) and waits until its replication runs. The worker loads
   * its modules at once but talks to the server only after `gate` (the servers' start) resolved.
   */
  async start(gate: Promise<unknown> = Promise.resolve(), timeoutMs = 60_000): Promise<void> {
    const channel = new MessageChannel();
    const messages$ = new Subject<MessageToRemote>();
    channel.port1.on('message', (message: MessageToRemote) => messages$.next(message));
    this.exposed = exposeRxStorageRemote({
      storage: disk as RxStorage<unknown, unknown>,
      messages$: messages$.asObservable(),
      send: (message) => channel.port1.postMessage(message),
    }) as unknown as TerminalHost['exposed'];
    this.storagePort = channel.port1;
    this.storageMessages = messages$;
    const init: TerminalInit = {
      entry: new URL('./terminal-worker.ts', import.meta.url).href,
      name: this.options.name,
      dbName: this.options.dbName,
      serverUrl: this.options.serverUrl,
      skewMs: this.skewMs,
      code: this.credential ? null : this.options.code,
      credential: this.credential,
      storagePort: channel.port2,
      merchantId: this.options.merchantId,
      storeId: this.options.storeId,
      cashierId: this.options.cashierId,
      managerId: this.options.managerId,
      online: this.online,
    };
    const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: init, transferList: [channel.port2] });
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.options.name}: no ready after ${timeoutMs} ms`)), timeoutMs);
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            this.credential = message.credential;
            clearTimeout(timer);
            resolve();
            break;
          case 'credential':
            this.credential = message.credential;
            worker.postMessage({ type: 'credential-ack', ack: message.ack } satisfies HostMessage);
            break;
          case 'fatal':
            this.fatal = message.error;
            clearTimeout(timer);
            reject(new Error(`${this.options.name}: ${message.error}`));
            break;
          case 'answer': {
            const waiter = this.pending.get(message.id);
            this.pending.delete(message.id);
            if (message.ok) waiter?.resolve(message.value);
            else waiter?.reject(new Error(`${this.options.name}: ${message.error}`));
            break;
          }
        }
      });
      worker.on('error', (error) => {
        this.fatal = String(error);
        clearTimeout(timer);
        reject(error);
        this.failPending(error);
      });
      worker.on('exit', (code) => this.failPending(new Error(`${this.options.name}: worker exited (${code})`)));
    });
    const go = gate.then(() => worker.postMessage({ type: 'begin' } satisfies HostMessage));
    await Promise.all([ready, go]);
  }

  private failPending(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  private request<T>(body: RequestBody, timeoutMs = 30_000): Promise<T> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error(`${this.options.name}: not running`));
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.options.name}: ${body.cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.postMessage({ type: 'request', id, ...body } as HostMessage);
    });
  }

  op(op: CounterOp): Promise<OpResult> {
    return this.request({ cmd: 'op', op });
  }

  net(net: NetCommand): Promise<void> {
    if (net.online !== undefined) this.online = net.online;
    return this.request({ cmd: 'net', net });
  }

  /** Heals the network, resyncs and waits until replication is idle (or `timeoutMs`). */
  sync(timeoutMs: number): Promise<void> {
    this.online = true;
    return this.request({ cmd: 'sync', timeoutMs }, timeoutMs + 5_000);
  }

  dump(): Promise<Dump> {
    return this.request({ cmd: 'dump' });
  }

  report(): Promise<TerminalReport> {
    return this.request({ cmd: 'status' });
  }

  /** Kills the worker where it stands (no clean shutdown): in-flight requests, writes and timers die with it. */
  async crash(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    this.crashes += 1;
    await worker.terminate();
    await this.releaseDisk();
  }

  /** Stops replication and closes the database, then ends the worker. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.request({ cmd: 'stop' }, 15_000).catch(() => undefined);
    this.worker = null;
    await worker.terminate();
    await this.releaseDisk();
  }

  // The dead worker's storage connections: closing them on the harness side keeps the data (memory storage
  // state outlives its instances) and frees the instances.
  private async releaseDisk(): Promise<void> {
    this.storageMessages?.complete();
    this.storagePort?.close();
    const states = [...(this.exposed?.instanceByFullName.values() ?? [])];
    this.exposed = null;
    for (const state of states) {
      const instance = await state.storageInstancePromise.catch(() => null);
      await instance?.close().catch(() => undefined);
    }
  }

  /** Forgets this terminal's disk (end of a run). */
  forgetDisk(): void {
    const states = (disk as unknown as { collectionStates: Map<string, unknown> }).collectionStates;
    for (const key of [...states.keys()]) if (key.startsWith(`${this.options.dbName}--memory--`)) states.delete(key);
  }
}
