// Child process of the server benchmark: the terminals. They enrol through the real HTTP API, hold real
// access tokens, push batches of new customers concurrently and pull the feed from zero — on their own event
// loop, so the server process only does server work.
import { createSyncApi, type SyncApi } from '../../src/sync/client/api.ts';
import { createTokenSource, enrol, memoryCredentialStore, type TokenSource } from '../../src/sync/client/auth.ts';
import { createStatusStore } from '../../src/sync/client/status.ts';
import type { Customer } from '../../src/sync/model/customer.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, type PullResponse } from '../../src/sync/model/wire-protocol.ts';
import { signInTestStaff } from '../helpers/terminal.ts';
import { serveRequests } from './lib/child.ts';
import { buildCustomers, type DataOrigin } from './lib/dataset.ts';

interface Terminal {
  terminalId: string;
  tokens: TokenSource;
  api: SyncApi;
}

/** Push results: rows written, wall time and per-request latencies. */
export interface PushResult {
  rows: number;
  ms: number;
  p50: number;
  p95: number;
}

/** Pull results: documents received, wall time, pages. */
export interface PullResult {
  docs: number;
  /** Distinct document ids received (a correct feed sends each row once). */
  distinct: number;
  ms: number;
  pages: number;
}

let serverUrl = '';
let terminals: Terminal[] = [];
let reader: Terminal | null = null;
const batches = new Map<string, Customer[][][]>();

async function enrolOne(code: string, name: string): Promise<Terminal> {
  const store = memoryCredentialStore();
  const credential = await enrol({ serverUrl, code, deviceName: name, store });
  const tokens = createTokenSource({ store });
  await tokens.get();
  const status = createStatusStore();
  const api = createSyncApi({ serverUrl, tokens, status });
  // Pushes are accepted only inside signed staff sessions (docs/security.md#staff-proof).
  await signInTestStaff(api, credential);
  return { terminalId: credential.terminalId, tokens, api };
}

/** Splits customers into per-terminal lists of batches: terminal t pushes batches t, t+n, t+2n, … */
function split(customers: Customer[], terminalCount: number, batch: number): Customer[][][] {
  const perTerminal: Customer[][][] = Array.from({ length: terminalCount }, () => []);
  for (let i = 0, b = 0; i < customers.length; i += batch, b++) perTerminal[b % terminalCount]?.push(customers.slice(i, i + batch));
  return perTerminal;
}

async function push(name: string): Promise<PushResult> {
  const lists = batches.get(name);
  if (!lists) throw new Error(`no batches named ${name}`);
  const latencies: number[] = [];
  let rows = 0;
  const started = performance.now();
  await Promise.all(
    terminals.map(async (terminal, t) => {
      for (const batch of lists[t] ?? []) {
        const sent = performance.now();
        const answer = await terminal.api.push('customers', batch.map((doc) => ({ newDocumentState: doc })));
        latencies.push(performance.now() - sent);
        if (answer.conflicts.length > 0) throw new Error(`push answered ${answer.conflicts.length} conflicts (${JSON.stringify(answer.rejected.slice(0, 3))})`);
        rows += batch.length;
      }
    }),
  );
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rows, ms, p50: at(0.5), p95: at(0.95) };
}

// The pull reads the feed the way a fresh terminal does (GET /v1/pull in keyset pages), with fetch and
// JSON parsing but without the client's zod check, so it measures the server and HTTP, not the client.
async function pull(pageSize: number): Promise<PullResult> {
  if (!reader) throw new Error('not prepared');
  const token = await reader.tokens.get();
  let checkpoint: string | undefined;
  let docs = 0;
  let pages = 0;
  const ids = new Set<unknown>();
  const started = performance.now();
  for (;;) {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (checkpoint !== undefined) query.set('checkpoint', checkpoint);
    const response = await fetch(`${serverUrl}/v1/pull/customers?${query}`, {
      headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) },
    });
    if (!response.ok) throw new Error(`pull → ${response.status} ${await response.text()}`);
    const page = (await response.json()) as PullResponse;
    pages += 1;
    docs += page.documents.length;
    for (const doc of page.documents) ids.add(doc.id);
    if (page.documents.length < pageSize || !page.checkpoint) break;
    checkpoint = page.checkpoint.v;
  }
  return { docs, distinct: ids.size, ms: performance.now() - started, pages };
}

serveRequests(async (message) => {
  switch (message.cmd) {
    case 'prepare': {
      const input = message as unknown as { url: string; codes: string[]; origin: DataOrigin; terminals: number; batch: number; sets: { name: string; count: number; phoneBase: number }[] };
      serverUrl = input.url;
      for (const set of input.sets) {
        const customers = buildCustomers(set.count, input.origin, { seed: set.phoneBase + 1, phoneBase: set.phoneBase, spanMs: 60 * 60_000 });
        batches.set(set.name, split(customers, input.terminals, input.batch));
      }
      const codes = [...input.codes];
      const readerCode = codes.pop();
      if (!readerCode) throw new Error('no enrolment codes');
      terminals = [];
      for (const [i, code] of codes.entries()) terminals.push(await enrolOne(code, `bench till ${i + 1}`));
      reader = await enrolOne(readerCode, 'bench reader');
      return { terminalIds: terminals.map((t) => t.terminalId) };
    }
    case 'push':
      return push(String(message.name));
    case 'pull':
      return pull(Number(message.pageSize));
    default:
      throw new Error(`unknown command ${String(message.cmd)}`);
  }
});
