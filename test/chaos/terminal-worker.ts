// First: the device clock (F4) must be skewed before anything reads it.
import './skew-clock.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { getChangedDocumentsSince, type RxStorage, type RxStorageInstance } from 'rxdb';
import { getRxStorageRemote, type MessageFromRemote, type RemoteMessageChannel } from 'rxdb/plugins/storage-remote';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { Subject } from 'rxjs';
import { createSyncApi } from '../../src/sync/client/api.ts';
import { createTokenSource, enrol, type CredentialStore, type DeviceCredential } from '../../src/sync/client/auth.ts';
import { RejectedRows, createPatronDatabase } from '../../src/sync/client/database.ts';
import { startReplication } from '../../src/sync/client/replicate.ts';
import { createStatusStore } from '../../src/sync/client/status.ts';
import { COLLECTION_NAMES } from '../../src/sync/model/wire-protocol.ts';
import { enableDevMode, signInTestStaff } from '../helpers/terminal.ts';
import { runCounterOp } from './counter.ts';
import { canonicalJson } from '../../src/sync/model/merge.ts';
import { stripLocalMeta } from './compare.ts';
import type { Dump, HostMessage, TerminalInit, TerminalReport, WorkerMessage, WorkerRequest } from './messages.ts';
import { createChaosNetwork } from './network.ts';

/**
 * One terminal in its own worker thread (its own RxDB, so its own 13-collection budget — every collection
 * is replicated, as in the app). Its "disk" is a memory storage in the harness's thread, reached through
 * RxDB's remote storage over a MessagePort: terminating the worker is a crash (kill -9 of the till), and
 * a new worker on the same storage is the till starting again with whatever reached its disk.
 */
const init = workerData as TerminalInit;
const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);

function remoteStorage(): RxStorage<unknown, unknown> {
  const messages$ = new Subject<MessageFromRemote>();
  init.storagePort.on('message', (message: MessageFromRemote) => messages$.next(message));
  const channel: RemoteMessageChannel = {
    send: (message) => init.storagePort.postMessage(message),
    messages$: messages$.asObservable(),
    close: async () => {},
  };
  const storage = getRxStorageRemote({ identifier: init.dbName, mode: 'storage', messageChannelCreator: async () => channel });
  return wrappedValidateAjvStorage({ storage }) as RxStorage<unknown, unknown>;
}

// The credential store is the harness's (a keychain that survives the crash): `save` resolves only when the
// harness has it, like a durable write.
let ackCounter = 0;
const acks = new Map<number, () => void>();
let handler: ((request: WorkerRequest) => Promise<unknown>) | null = null;
let begin!: () => void;
// The modules load while the servers start; enrolment and replication wait for the harness's go.
const begun = new Promise<void>((resolve) => (begin = resolve));

// Listening from the start: the credential acks arrive while enrolment is still under way.
port.on('message', (message: HostMessage) => {
  if (message.type === 'begin') {
    begin();
    return;
  }
  if (message.type === 'credential-ack') {
    acks.get(message.ack)?.();
    acks.delete(message.ack);
    return;
  }
  const run = handler;
  if (!run) {
    send({ type: 'answer', id: message.id, ok: false, error: 'terminal is still starting' });
    return;
  }
  run(message).then(
    (value) => send({ type: 'answer', id: message.id, ok: true, value }),
    (error: unknown) => send({ type: 'answer', id: message.id, ok: false, error: describe(error) }),
  );
});
function durableCredentialStore(initial: DeviceCredential | null): CredentialStore {
  let value = initial;
  return {
    load: async () => value,
    async save(next) {
      const ack = ++ackCounter;
      await new Promise<void>((resolve) => {
        acks.set(ack, resolve);
        send({ type: 'credential', ack, credential: next });
      });
      value = next;
    },
    clear: async () => {
      value = null;
    },
  };
}

async function main(): Promise<void> {
  enableDevMode();
  await begun;
  // Latency jitter is timing, which a seed does not fix anyway (see prng.ts).
  const network = createChaosNetwork({ online: init.online, random: Math.random });
  const store = durableCredentialStore(init.credential);
  const credential = init.credential ?? (await enrol({ serverUrl: init.serverUrl, code: init.code!, deviceName: init.name, store, fetch: network.fetch }));
  const rejected = new RejectedRows();
  const db = await createPatronDatabase({ name: init.dbName, storage: remoteStorage(), rejected });
  const status = createStatusStore();
  const tokens = createTokenSource({ store, fetch: network.fetch });
  const api = createSyncApi({ serverUrl: init.serverUrl, tokens, status, fetch: network.fetch });
  // The members sign in on every start of the till, as a cashier does after a restart: sessions on this
  // worker's (skewed) clock, like its writes. Offline, pushes wait until the sign-in reached the server.
  const signedIn = (async () => {
    for (;;) {
      try {
        return await signInTestStaff(api, credential);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();
  const replication = startReplication({
    db,
    api: { pull: api.pull, push: async (collection, rows) => (await signedIn, api.push(collection, rows)) },
    tokens,
    serverUrl: init.serverUrl,
    terminalId: credential.terminalId,
    storeId: init.storeId,
    rejected,
    status,
    fetch: network.fetch,
    // Small batches: pulls page through the feed and pushes split into several transactions.
    options: { retryMs: 250, resyncIntervalMs: 3_000, pullBatchSize: 25, pushBatchSize: 8 },
  });
  const env = {
    db,
    merchantId: init.merchantId,
    storeId: init.storeId,
    terminalId: credential.terminalId,
    cashierId: init.cashierId,
    managerId: init.managerId,
    online: () => network.online,
    lastSyncAt: () => status.get().lastSyncAt,
  };

  async function dump(): Promise<Dump> {
    const out = {} as Dump;
    for (const name of COLLECTION_NAMES) {
      // Straight from the storage: RxDB queries never return tombstones, the storage's changes feed does.
      const instance = db.collections[name].storageInstance as unknown as RxStorageInstance<unknown, unknown, unknown>;
      const { documents } = await getChangedDocumentsSince(instance, 1_000_000);
      out[name] = Object.fromEntries(documents.map((doc) => [String((doc as unknown as { id: string }).id), canonicalJson(stripLocalMeta(doc))]));
    }
    return out;
  }

  async function handle(request: WorkerRequest): Promise<unknown> {
    switch (request.cmd) {
      case 'op':
        return runCounterOp(env, request.op);
      case 'net':
        network.apply(request.net);
        if (request.net.online) replication.resync();
        return null;
      case 'sync': {
        network.heal();
        replication.resync();
        await withTimeout(replication.awaitInSync(), request.timeoutMs);
        return null;
      }
      case 'dump':
        return dump();
      case 'status':
        return { status: status.get(), net: network.stats, online: network.online } satisfies TerminalReport;
      case 'stop':
        await replication.stop();
        await db.close();
        return null;
    }
  }

  handler = handle;
  send({ type: 'ready', credential });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2_000);
  return String(error).slice(0, 2_000);
}

main().catch((error: unknown) => send({ type: 'fatal', error: describe(error) }));
