// Child process of the fleet benchmark: the terminals. Each enrols through the real HTTP API on one of the two
// instances (alternating), holds its poke stream with the client's own reader (startPokeStream), and pulls
// with the client's API. Writers push on one instance; their observers, on the other, wait to see the write.
import { createSyncApi, type SyncApi } from '../../src/sync/client/api.ts';
import { createTokenSource, enrol, memoryCredentialStore, type TokenSource } from '../../src/sync/client/auth.ts';
import { signInTestStaff } from '../helpers/terminal.ts';
import { startPokeStream } from '../../src/sync/client/pokes.ts';
import { createStatusStore } from '../../src/sync/client/status.ts';
import type { Customer } from '../../src/sync/model/customer.ts';
import { serveRequests } from './lib/child.ts';
import { buildCustomers, type DataOrigin } from './lib/dataset.ts';

interface Terminal {
  serverUrl: string;
  tokens: TokenSource;
  api: SyncApi;
  checkpoint: string | undefined;
  connected: boolean;
  /** Called on the next poke naming customers. */
  onPoke: (() => void) | null;
  stop(): void;
}

interface Merchant {
  origin: Omit<DataOrigin, 'terminalId'>;
  terminals: Terminal[];
  customers: Customer[];
}

const merchants: Merchant[] = [];

async function enrolTerminal(serverUrl: string, code: string, name: string): Promise<Terminal> {
  const store = memoryCredentialStore();
  const credential = await enrol({ serverUrl, code, deviceName: name, store });
  const tokens = createTokenSource({ store });
  await tokens.get();
  const api = createSyncApi({ serverUrl, tokens, status: createStatusStore() });
  // Pushes are accepted only inside signed staff sessions (docs/security.md#staff-proof).
  await signInTestStaff(api, credential);
  const terminal: Terminal = { serverUrl, tokens, api, checkpoint: undefined, connected: false, onPoke: null, stop: () => {} };
  return terminal;
}

/** Opens the terminal's poke stream with the client's own reader. */
function openStream(terminal: Terminal): void {
  terminal.stop = startPokeStream({
    serverUrl: terminal.serverUrl,
    tokens: terminal.tokens,
    handlers: {
      poke: (collections) => {
        if (!collections.includes('customers')) return;
        const waiter = terminal.onPoke;
        terminal.onPoke = null;
        waiter?.();
      },
      connected: () => {
        terminal.connected = true;
      },
      disconnected: () => {
        terminal.connected = false;
      },
    },
  }).stop;
}

/** Pulls the observer's customers from its checkpoint until `id` is among them. */
async function pullUntilSeen(observer: Terminal, id: string): Promise<boolean> {
  for (;;) {
    const page = await observer.api.pull('customers', observer.checkpoint, 1000);
    if (page.checkpoint) observer.checkpoint = page.checkpoint.v;
    if (page.documents.some((doc) => doc.id === id)) return true;
    if (page.documents.length < 1000) return false;
  }
}

/** One write by terminal 0 (first instance), seen by terminal 1 (second instance): ms from push to visible. */
async function writeSeen(merchant: Merchant, viaPoke: boolean): Promise<number> {
  const [writer, observer] = merchant.terminals as [Terminal, Terminal];
  const doc = merchant.customers.pop();
  if (!doc) throw new Error('out of prepared customers');
  const poked = viaPoke ? new Promise<void>((resolve) => (observer.onPoke = resolve)) : null;
  const started = performance.now();
  const answer = await writer.api.push('customers', [{ newDocumentState: doc }]);
  if (answer.conflicts.length > 0) throw new Error('the write was refused');
  for (;;) {
    if (poked) await poked;
    if (await pullUntilSeen(observer, doc.id)) return performance.now() - started;
    if (poked) throw new Error('poked, but the write was not in the pull');
  }
}

serveRequests(async (message) => {
  switch (message.cmd) {
    case 'prepare': {
      const input = message as unknown as { servers: string[]; merchants: { origin: Merchant['origin']; codes: string[] }[]; writesPerMerchant: number };
      for (const [m, spec] of input.merchants.entries()) {
        const terminals = await Promise.all(spec.codes.map((code, i) => enrolTerminal(input.servers[i % input.servers.length]!, code, `fleet ${m}-${i}`)));
        const customers = buildCustomers(input.writesPerMerchant, { ...spec.origin, terminalId: spec.origin.merchantId }, { seed: m + 1, phoneBase: m * 10_000, spanMs: 60 * 60_000 });
        merchants.push({ origin: spec.origin, terminals, customers });
      }
      for (const merchant of merchants) await pullUntilSeen(merchant.terminals[1]!, '');
      return null;
    }
    case 'streams': {
      const all = merchants.flatMap((merchant) => merchant.terminals);
      for (const terminal of all) openStream(terminal);
      const deadline = Date.now() + 120_000;
      while (all.some((terminal) => !terminal.connected)) {
        if (Date.now() > deadline) throw new Error('not every stream connected within 2 minutes');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { streams: all.length };
    }
    case 'write': {
      // Every writer at once (one per merchant), `rounds` times; each sample is one write seen elsewhere.
      const samples: number[] = [];
      for (let round = 0; round < Number(message.rounds); round++) {
        samples.push(...(await Promise.all(merchants.slice(0, Number(message.writers)).map((merchant) => writeSeen(merchant, message.viaPoke === true)))));
      }
      return samples;
    }
    case 'stop':
      for (const merchant of merchants) for (const terminal of merchant.terminals) terminal.stop();
      return null;
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
