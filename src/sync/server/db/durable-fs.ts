import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

// PGlite on Node does not make a commit durable out of the box (electric-sql/pglite#1107):
// 1. its default start parameters include `-F`, so Postgres runs with fsync=off and never asks;
// 2. even when asked, Emscripten's NODEFS has no `fsync` stream operation, so fsync() returns success
//    without reaching the disk, and its fdatasync() returns success without looking at all.
// DurableNodeFS gives NODEFS the missing operation and DURABLE_START_PARAMS turns fsync on with WAL
// flushes done by fsync(): together a COMMIT returns only after its WAL is on disk, and a checkpoint
// syncs the data files before the WAL that covers them is recycled.

/** PGlite's start parameters with fsync on and the WAL synced through fsync() (the call NODEFS now honours). */
export const DURABLE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
  '-c', 'fsync=on',
  '-c', 'wal_sync_method=fsync',
];

/** The parts of Emscripten's NODEFS this module touches (its typings do not describe them). */
interface NodeFsInternals {
  tryFSOperation<T>(operation: () => T): T;
  realPath(node: unknown): string;
  stream_ops: { fsync?: (stream: { nfd?: number; node: unknown }) => number };
}

/** PGlite's NodeFS whose fsync() reaches the host's disk, for files and directories alike. */
export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, options: Parameters<NodeFS['init']>[1]): ReturnType<NodeFS['init']> {
    const { emscriptenOpts } = await super.init(pg, options);
    const preRun = [...(emscriptenOpts.preRun ?? [])];
    preRun.push((mod: { NODEFS: unknown }) => {
      const nodefs = mod.NODEFS as NodeFsInternals;
      // NODEFS holds a host descriptor only for regular files; a directory (Postgres syncs the folders it
      // creates or renames in) is synced through its host path. tryFSOperation turns a failed sync into the
      // errno Postgres expects, which it answers with a PANIC rather than carrying on.
      nodefs.stream_ops.fsync = (stream) =>
        nodefs.tryFSOperation(() => {
          if (typeof stream.nfd === 'number') fsyncSync(stream.nfd);
          else syncPath(nodefs.realPath(stream.node));
          return 0;
        });
    });
    return { emscriptenOpts: { ...emscriptenOpts, preRun } };
  }
}

/** fsyncs one file or folder by path (a folder: so a rename or a new entry in it is on disk). */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * fsyncs every file and folder below `dir` and `dir` itself (what `initdb --sync-only` does): for files
 * written without fsync, such as the fresh database PGlite unpacks after its initdb.
 */
export function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) syncTree(path);
    else if (entry.isFile()) syncPath(path);
  }
  syncPath(dir);
}
