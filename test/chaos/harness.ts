import { randomBytes } from 'node:crypto';
import { createEnrolmentCode } from '../../src/sync/server/repositories/admin.ts';
import { installTimestampClock } from '../helpers/broken-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seedMerchant, type SeededMerchant } from '../helpers/sync-server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { diffDumps } from './compare.ts';
import { converge, finalState, serverDump } from './heal.ts';
import { HostileTerminal, prepareHostile } from './hostile.ts';
import { ChaosModel, checkFinalState } from './model.ts';
import { createRng } from './prng.ts';
import { ServerHost } from './server-host.ts';
import { TerminalHost } from './terminal-host.ts';
import { HOUR, WEIGHTS, counterOp, formatSkew, type Action } from './workload.ts';

/*
 * The randomised convergence suite (docs/reliability.md#f10). Design:
 *
 * - Terminals run in worker threads, one RxDB per worker, every collection replicated (7 of RxDB's 13 per
 *   process) — in one process, four terminals could replicate only three collections each. A worker is the
 *   till's process: terminating it is a crash (kill -9), whatever it was doing.
 * - A terminal's "disk" survives the crash: RxDB's memory storage lives in the harness's thread and each
 *   worker reaches it through RxDB's remote storage over a MessagePort (terminal-host.ts). A new worker on
 *   the same database name reopens what the crashed one had written — documents, replication checkpoints,
 *   assumed master states — and its device credential comes from the harness (the keychain).
 * - Offline is the terminal's network (network.ts): new requests fail and requests in flight, the poke
 *   stream included, are aborted. Lost answers (the server committed, the terminal never hears) and
 *   duplicated pushes (at once or in a row) are the same fetch wrapper. Each server instance sits behind a
 *   TCP proxy (reset every connection, blackhole), and each instance reaches Postgres through another (unequal
 *   latencies: transactions of different lengths overlap; a cut of every connection plus refusals stands for
 *   a Postgres restart).
 * - Two server instances are child processes on one Postgres database (pokes cross through LISTEN/NOTIFY);
 *   a restart is kill -9 and a new process on the same port.
 * - Each terminal's clock is off (±48 h, F4): the worker's whole `Date` is skewed, so business times and
 *   RxDB's own write times come from the wrong clock, as on a real till.
 * - One more terminal is hostile (hostile.ts): no replica, just a valid token and plain HTTP, it pushes forged
 *   ledger lines and visits now and then, on its own PRNG stream derived from the seed (so the honest workload
 *   of a seed stays what it was). Each must be quarantined and none may reach a balance.
 * - After healing, replicas are compared with the server document by document including tombstones: the
 *   worker reads its storage's changes feed (RxDB queries never return deleted documents), the harness
 *   reads every row of every table, deleted ones included. Then the model (model.ts) is checked: ledger,
 *   balances, deletes, field edits, merges, quarantine.
 */

/** One run of the randomised convergence suite (docs/reliability.md#f10). */
export interface ChaosOptions {
  seed: number;
  /** Terminals (each in its own worker thread); at least 4 by default. */
  terminals?: number;
  /** Operations before healing. */
  ops?: number;
  /** Run against the deliberately broken server (timestamp cursor, no clock lock) on both instances. */
  broken?: boolean;
  /**
   * One-way latency between each server instance and Postgres, instance A then B. Unequal on purpose: two
   * instances at different distances from the database (zones) run transactions of different lengths, so
   * a short push on one commits while a longer one on the other is still open — the late commit a gapless
   * feed must survive.
   */
  dbLatencyMs?: [number, number];
  /** Upper bound of the healing phase. */
  healTimeoutMs?: number;
  /**
   * On a crash, sometimes restart the terminal with its clock corrected (a till whose clock was days ahead
   * gets set right, e.g. by NTP, and is restarted): business time and RxDB's write times jump backwards.
   */
  clockJumps?: boolean;
  /** Progress lines (the trace is always kept). */
  log?: (line: string) => void;
}

/** The outcome of a run. */
export interface ChaosResult {
  seed: number;
  broken: boolean;
  ok: boolean;
  failures: string[];
  /** Every operation and fault, in order. */
  trace: string[];
  counts: Record<string, number>;
  /**
   * How each replica ended against the server. `healthy`: its last resync completed, it is online and has
   * nothing left to push — so any difference is data the feed never delivered (what a broken feed causes).
   */
  replicas: { name: string; healthy: boolean; missing: number; different: number; onlyLocal: number }[];
  durationMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often, per operation, the hostile terminal pushes a forgery (about seven in a run of 120). */
const FORGERY_RATE = 0.06;

/** Runs one seeded scenario end to end and checks the final state. Never throws for a failed check. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const seed = options.seed >>> 0;
  const broken = options.broken ?? false;
  const rng = createRng(seed);
  const trace: string[] = [];
  const counts: Record<string, number> = {};
  const count = (key: string, n = 1) => (counts[key] = (counts[key] ?? 0) + n);
  const log = options.log ?? (() => {});
  const note = (line: string) => {
    trace.push(`${((Date.now() - started) / 1000).toFixed(2).padStart(7)}s ${line}`);
  };
  const failures: string[] = [];
  const replicaOutcomes: ChaosResult['replicas'] = [];

  let tdb: TestDatabase | null = null;
  const dbProxies: TcpProxy[] = [];
  const servers: ServerHost[] = [];
  const terminals: TerminalHost[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const runId = randomBytes(3).toString('hex');

  try {
    log(`chaos seed=${seed}${broken ? ' (broken server)' : ''}`);
    tdb = await createTestDatabase('postgres');
    if (broken) await installTimestampClock(tdb.db);
    const merchant = await seedMerchant(tdb.db, `Chaos ${seed}`);
    const setupStarted = Date.now();
    const hostileSetup = await prepareHostile(tdb, merchant);
    count('hostileSetupMs', Date.now() - setupStarted);
    note('database ready');
    const pgUrl = new URL(tdb.url!);
    const latencies = options.dbLatencyMs ?? [1, 6];
    for (const [i, name] of ['A', 'B'].entries()) {
      const proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
      proxy.setLatency(latencies[i] ?? 0);
      dbProxies.push(proxy);
      servers.push(new ServerHost(name, proxy.url(tdb.url!), broken));
    }
    await Promise.all(servers.map((s) => s.open()));
    const serversUp = Promise.all(servers.map((s) => s.start())).then(() => note('servers up'));

    const terminalCount = Math.max(1, options.terminals ?? 4);
    // F4: device clocks ahead, behind and right, spread over both instances.
    const skews = [0, 48 * HOUR, -48 * HOUR, rng.int(-48, 48) * HOUR + rng.int(-59, 59) * 60_000];
    for (let i = 0; i < terminalCount; i++) {
      const server = servers[i % servers.length]!;
      terminals.push(await newTerminal(tdb, merchant, server, `T${i}`, skews[i % skews.length]!, `chaos-${runId}-${i}`));
    }
    // Workers load their modules while the instances start (both are CPU-bound; this overlaps them).
    await Promise.all([serversUp, ...terminals.map((t) => t.start(serversUp))]);
    for (const t of terminals) note(`${t.options.name} = terminal ${t.terminalId.slice(-8)} on server ${serverOf(t)} clock ${formatSkew(t.skewMs)}`);
    const enrolStarted = Date.now();
    const hostileCode = await createEnrolmentCode(tdb.db, merchant.merchantId, merchant.storeId, 60, 'chaos');
    const hostile = await HostileTerminal.enrol(servers[0]!.url, hostileCode.code, merchant, hostileSetup);
    count('hostileSetupMs', Date.now() - enrolStarted);
    const hostileRng = createRng(seed ^ 0x5eed_f00d);
    note(`HOSTILE = terminal ${hostile.terminalId.slice(-8)} (forgeries on PRNG stream ${seed} ^ 0x5eedf00d)`);
    // To an instance that is up and reachable, when there is one; a forgery lost to a fault is only counted.
    const forge = (kind?: Parameters<HostileTerminal['forge']>[3]) =>
      hostile.forge((servers.find((s) => s.running && s.proxy.mode === 'pass') ?? servers[0]!).url, hostileRng, { customerIds: [...model.customers.keys()], terminalIds: terminals.map((t) => t.terminalId) }, kind);
    // The hostile terminal acts alongside the counters, not in turn with them (its PRNG is used synchronously).
    const forging: Promise<void>[] = [];

    const model = new ChaosModel();
    const offlineUntil = new Map<TerminalHost, number>();
    const opCount = options.ops ?? 160;
    let phoneCounter = rng.int(1_000_000, 8_000_000);

    for (let step = 1; step <= opCount; step++) {
      for (const [t, until] of offlineUntil) {
        if (until > step) continue;
        offlineUntil.delete(t);
        if (t.alive) await t.net({ online: true });
        else t.online = true;
        note(`#${step} ${t.options.name} back online`);
      }
      const action = rng.weighted(WEIGHTS);
      const t = rng.pick(terminals);
      count(action);
      const op = counterOp(action, step, rng, model, t, () => `0912${String(phoneCounter++).padStart(7, '0')}`);
      try {
        if (op) {
          const result = await t.op(op);
          if (result.skipped) count(`${action}:skipped`);
          else model.record(result, step, t.options.name);
          note(`#${step} ${t.options.name} ${result.summary}`);
        } else {
          await fault(action, step, t);
        }
      } catch (error) {
        failures.push(`operation #${step} (${action} on ${t.options.name}) failed: ${String(error)}`);
        note(`#${step} ${t.options.name} ${action} FAILED: ${String(error)}`);
        break;
      }
      if (hostileRng.chance(FORGERY_RATE)) forging.push(forge().then((line) => note(`#${step} ${line}`)));
      await sleep(rng.int(0, 20));
    }

    async function fault(action: Action, step: number, t: TerminalHost): Promise<void> {
      switch (action) {
        case 'offline': {
          // Mostly short outages; sometimes a till stays offline for most of the run and piles up work
          // while others edit and delete the same customers (F6, scaled down).
          const back = step + (rng.chance(0.15) ? rng.int(50, 150) : rng.int(5, 40));
          offlineUntil.set(t, back);
          await t.net({ online: false });
          note(`#${step} ${t.options.name} offline until #${back}`);
          return;
        }
        case 'loseResponses': {
          const n = rng.int(1, 3);
          const routes: ('push' | 'pull' | 'token')[] = rng.chance(0.7) ? ['push'] : ['push', 'pull', 'token'];
          await t.net({ lose: { count: n, routes } });
          note(`#${step} ${t.options.name} will lose the next ${n} answers of ${routes.join('/')}`);
          return;
        }
        case 'duplicatePush': {
          const n = rng.int(1, 3);
          const copies = rng.int(2, 3);
          const parallel = rng.chance(0.5);
          await t.net({ duplicate: { count: n, copies, parallel } });
          note(`#${step} ${t.options.name} will send the next ${n} pushes ${copies}× ${parallel ? 'at once' : 'in a row'}`);
          return;
        }
        case 'crash': {
          await t.crash();
          note(`#${step} ${t.options.name} CRASHED (worker terminated)`);
          await sleep(rng.int(0, 300));
          if (options.clockJumps && rng.chance(0.5)) {
            const before = t.skewMs;
            t.skewMs = rng.pick([0, 48 * HOUR, -48 * HOUR].filter((skew) => skew !== before));
            note(`#${step} ${t.options.name} clock set from ${formatSkew(before)} to ${formatSkew(t.skewMs)}`);
          }
          await t.start();
          note(`#${step} ${t.options.name} reopened its database`);
          return;
        }
        case 'serverRestart': {
          const server = rng.pick(servers);
          if (!server.running) return;
          const down = rng.int(100, 1_500);
          server.restartLater(down);
          note(`#${step} server ${server.name} KILLED (-9), back in ${down} ms`);
          return;
        }
        case 'cutConnections': {
          const server = rng.pick(servers);
          server.proxy.cutAll();
          note(`#${step} server ${server.name}: every connection reset (SSE included)`);
          return;
        }
        case 'blackhole': {
          const server = rng.pick(servers);
          const ms = rng.int(200, 1_500);
          server.proxy.setMode('blackhole');
          const timer = setTimeout(() => {
            timers.delete(timer);
            server.proxy.setMode('pass');
          }, ms);
          timers.add(timer);
          note(`#${step} server ${server.name}: network blackholed for ${ms} ms`);
          return;
        }
        case 'databaseRestart': {
          // F2 as the servers see it: every connection to Postgres drops (in-flight transactions roll
          // back, the LISTEN connections too) and new ones are refused for a while.
          const ms = rng.int(200, 1_500);
          for (const proxy of dbProxies) {
            proxy.setMode('refuse');
            proxy.cutAll();
          }
          const timer = setTimeout(() => {
            timers.delete(timer);
            for (const proxy of dbProxies) proxy.setMode('pass');
          }, ms);
          timers.add(timer);
          note(`#${step} Postgres restart: connections cut, refused for ${ms} ms`);
          return;
        }
        case 'rush': {
          // A busy moment: several tills record one to four visits each at the same instant, so pushes of
          // different sizes (a longer tail of ledger checks after the write) overlap on both instances.
          const jobs = terminals.filter(() => rng.chance(0.75)).flatMap((till) => Array.from({ length: rng.int(1, 4) }, () => ({ till, op: counterOp('recordVisit', step, rng, model, till, () => '')! })));
          const results = await Promise.all(jobs.map(({ till, op }) => till.op(op)));
          results.forEach((result, i) => {
            if (result.skipped) count('rush:skipped');
            else model.record(result, step, jobs[i]!.till.options.name);
          });
          note(`#${step} rush: ${results.map((r, i) => `${jobs[i]!.till.options.name} ${r.summary}`).join(' | ')}`);
          return;
        }
        case 'pause': {
          const ms = rng.int(50, 400);
          await sleep(ms);
          note(`#${step} pause ${ms} ms`);
          return;
        }
        default:
          return;
      }
    }

    function serverOf(t: TerminalHost): string {
      return servers.find((s) => s.url === t.options.serverUrl)?.name ?? '?';
    }

    if (failures.length === 0) {
      // Heal: the network comes back everywhere, both instances run, every terminal is up and online.
      note('HEAL');
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const s of servers) s.proxy.setMode('pass');
      for (const proxy of dbProxies) proxy.setMode('pass');
      await Promise.all(servers.map((s) => s.settled()));
      // Every kind of forgery answered at least once (faults may have lost some answers).
      await Promise.all(forging);
      for (let tries = 0; tries < 3 && hostile.missing().length > 0; tries++) for (const kind of hostile.missing()) note(await forge(kind));
      for (const t of terminals) if (!t.alive) await t.start();
      const converged = await converge(tdb, merchant, terminals, options.healTimeoutMs ?? 45_000, note);
      if (!converged.ok) note(`did not converge: ${converged.reason}`);

      // F8: a replica pulled from zero equals the long-lived ones (and the server).
      const fresh = await newTerminal(tdb, merchant, servers[0]!, 'FRESH', 0, `chaos-${runId}-fresh`);
      terminals.push(fresh);
      await fresh.start();
      await fresh.sync(20_000).catch((error: unknown) => failures.push(`fresh replica did not sync: ${String(error)}`));
      {
        const first = diffDumps(await serverDump(tdb, merchant.merchantId), await fresh.dump());
        if (first.length > 0) {
          note(`FRESH differs right after its initial sync: ${first.map((d) => `${d.collection}/${d.id} ${d.kind}`).join('; ')}`);
          await sleep(2_000);
          await fresh.sync(10_000).catch(() => undefined);
          const second = diffDumps(await serverDump(tdb, merchant.merchantId), await fresh.dump());
          note(`FRESH after another resync: ${second.length} differences`);
        }
      }

      note('FRESH replica synced');
      const state = await finalState(tdb, merchant, terminals);
      for (const t of terminals) {
        const report = await t.report();
        const diffs = diffDumps(state.server, state.replicas.find((r) => r.name === t.options.name)!.dump);
        replicaOutcomes.push({
          name: t.options.name,
          healthy: (t === fresh || converged.synced.has(t)) && report.status.connection === 'online' && report.status.pending === 0,
          missing: diffs.filter((d) => d.kind === 'missing on replica').length,
          different: diffs.filter((d) => d.kind === 'different').length,
          onlyLocal: diffs.filter((d) => d.kind === 'only on replica').length,
        });
        count('lostAnswers', report.net.lost);
        count('duplicatedPushes', report.net.duplicated);
        count('requests', report.net.requests);
        for (const [status, n] of Object.entries(report.net.byStatus)) if (Number(status) >= 500) count(`http${status}`, n);
        if (report.status.connection !== 'online') failures.push(`${t.options.name} ends ${report.status.connection} (${report.status.lastError ?? 'no error'})`);
        if (report.status.pending !== 0) failures.push(`${t.options.name} ends with ${report.status.pending} unacknowledged local writes`);
      }
      const checked = checkFinalState(model, state, { terminalId: hostile.terminalId, forged: hostile.answered });
      note('checked');
      failures.push(...checked.failures);
      for (const [k, v] of Object.entries(checked.facts)) counts[k] = v;
      counts.forgeryAttempts = hostile.attempts;
      counts.forgeryMs = hostile.spentMs;
      for (const kind of hostile.missing()) failures.push(`the hostile terminal's ${kind} forgery never got an answer`);
      counts.customers = Object.keys(state.server.customers).length;
      counts.crashes = terminals.reduce((n, t) => n + t.crashes, 0);
      counts.serverRestarts = servers.reduce((n, s) => n + s.restarts, 0);
      if (!converged.ok && failures.length === 0) failures.push(`replicas did not converge: ${converged.reason}`);
    }
  } catch (error) {
    failures.push(`harness error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(terminals.map((t) => t.stop().catch(() => undefined)));
    for (const t of terminals) t.forgetDisk();
    note('terminals stopped');
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    note('servers stopped');
    await Promise.all(dbProxies.map((proxy) => proxy.close().catch(() => undefined)));
    if (process.env.CHAOS_KEEP_DATABASE === '1' && tdb) log(`kept database ${tdb.url} (merchant seeded as "Chaos ${seed}")`);
    else await tdb?.drop().catch(() => undefined);
  }
  const result: ChaosResult = { seed, broken, ok: failures.length === 0, failures, trace, counts, replicas: replicaOutcomes, durationMs: Date.now() - started };
  log(`chaos seed=${seed}: ${result.ok ? 'ok' : `${failures.length} failures`} in ${(result.durationMs / 1000).toFixed(1)} s; hostile: ${counts.forgeries ?? 0} forgeries answered, ${counts.forgeriesQuarantined ?? 0} quarantined, setup ${counts.hostileSetupMs ?? 0} ms, forging ${counts.forgeryMs ?? 0} ms alongside the counters`);
  return result;
}

async function newTerminal(tdb: TestDatabase, merchant: SeededMerchant, server: ServerHost, name: string, skewMs: number, dbName: string): Promise<TerminalHost> {
  const { code } = await createEnrolmentCode(tdb.db, merchant.merchantId, merchant.storeId, 60, 'chaos');
  return new TerminalHost({
    name,
    serverUrl: server.url,
    code,
    merchantId: merchant.merchantId,
    storeId: merchant.storeId,
    cashierId: merchant.cashier.id,
    managerId: merchant.manager.id,
    skewMs,
    dbName,
  });
}

/** The report of a failed run: seed, failures, and the last operations. */
export function formatFailure(result: ChaosResult, lastOps = 200): string {
  return [
    `chaos run FAILED — seed ${result.seed}${result.broken ? ' (broken server)' : ''}; rerun: npm run chaos -- --seed ${result.seed}${result.broken ? ' --broken' : ''}`,
    ...result.failures.slice(0, 60).map((f) => `  ✗ ${f}`),
    result.failures.length > 60 ? `  … ${result.failures.length - 60} more` : '',
    `counts: ${JSON.stringify(result.counts)}`,
    `last ${Math.min(lastOps, result.trace.length)} of ${result.trace.length} trace lines:`,
    ...result.trace.slice(-lastOps).map((line) => `  ${line}`),
  ]
    .filter(Boolean)
    .join('\n');
}
