import { mkdirSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { backupInto } from './backup.ts';
import type { Database } from './db/database.ts';
import type { PgliteDatabase } from './db/pglite.ts';
import { pruneSharedLimits } from './limits.ts';
import { purgeTombstones } from './sync/horizons.ts';

/** Scheduled backups of the embedded database: every `everyMs` into `dir`, keeping the newest `keep`. */
export interface BackupSchedule {
  dir: string;
  keep: number;
  everyMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Starts the server's periodic jobs — backups (embedded database only), the tombstone purge (when a
 * retention is set; also once at start) and the pruning of past rate-limit windows — and returns a function that stops them. A job that fails is
 * logged and tried again at its next turn; a turn is skipped while the previous one still runs.
 */
export function startMaintenance(options: {
  db: Database;
  embedded: PgliteDatabase | undefined;
  backups: BackupSchedule | undefined;
  tombstoneRetentionDays: number | undefined;
  log: FastifyBaseLogger;
}): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  const every = (ms: number, job: () => Promise<void>, now = false) => {
    let busy = false;
    const turn = () => {
      if (busy) return;
      busy = true;
      const done = job().finally(() => {
        busy = false;
        running.delete(done);
      });
      running.add(done);
    };
    if (now) turn();
    const timer = setInterval(turn, ms);
    timer.unref();
    timers.push(timer);
  };
  const { backups, embedded, log } = options;
  if (backups && embedded) {
    mkdirSync(backups.dir, { recursive: true });
    every(backups.everyMs, () =>
      backupInto(embedded, backups.dir, backups.keep).then(
        (file) => log.info({ file }, `backup written: ${file}`),
        (error: unknown) => log.error({ err: error, dir: backups.dir }, `backup failed: ${(error as Error).message}`),
      ),
    );
  }
  const days = options.tombstoneRetentionDays;
  if (days !== undefined && days > 0) {
    every(DAY_MS, () =>
      purgeTombstones(options.db, days).then(
        (purged) => log.info({ purged, days }, 'purged tombstones older than the retention'),
        (error: unknown) => log.error({ err: error }, `tombstone purge failed: ${(error as Error).message}`),
      ), true);
  }
  // Shared rate-limit counters (limits.ts) of windows long past: hourly, so the table stays small.
  every(60 * 60 * 1000, () => pruneSharedLimits(options.db).catch((error: unknown) => log.error({ err: error }, `rate-limit prune failed: ${(error as Error).message}`)));
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all([...running]);
  };
}
