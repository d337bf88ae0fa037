import { closeSync, constants, ftruncateSync, openSync, readFileSync, realpathSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { lock } from 'os-lock';

/** The lock file beside `pgdata`; never inside it, so Postgres never meets a foreign file in its folder. */
export const LOCK_FILE = 'patron.lock';

/** Thrown when another process (or another open in this one) holds the PGlite data folder. */
export class DataDirBusyError extends Error {
  constructor(dir: string, pid: number | null) {
    const who = pid === null ? 'another process' : `process ${pid}`;
    super(`the data folder ${dir} is in use by ${who} (a running server?); stop it first, or use DATABASE_URL`);
    this.name = 'DataDirBusyError';
  }
}

/** A held data-folder lock. */
export interface FolderLock {
  /** Releases the lock (closing the descriptor is what releases it). Idempotent. */
  release(): void;
}

// fcntl locks belong to the process, so a second open in this process would not conflict with the first:
// this set refuses it. It also keeps this process from opening the lock file a second time, which matters
// because closing any descriptor of a file drops every fcntl lock the process holds on it.
const heldHere = new Set<string>();

const BUSY = new Set(['EACCES', 'EAGAIN', 'EBUSY']);

/**
 * Takes the exclusive OS lock (fcntl on Unix, LockFileEx on Windows, through os-lock) on
 * `<dir>/patron.lock`. The kernel drops it when the holder exits in any way — kill -9, a crash, a reboot —
 * so there is no stale lock to judge: a pid left in the file (our own after a container restart as PID 1,
 * or a reused one) means nothing. The file is never deleted: unlinking a lock file lets a third process
 * lock a new file of the same name while a second still waits on the old one.
 */
export async function lockDataFolder(dir: string): Promise<FolderLock> {
  const key = realpathSync(dir);
  if (heldHere.has(key)) throw new DataDirBusyError(dir, process.pid);
  heldHere.add(key);
  const path = join(dir, LOCK_FILE);
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      await lock(fd, { exclusive: true, immediate: true });
    } catch (error) {
      if (!BUSY.has(String((error as NodeJS.ErrnoException).code))) throw error;
      throw new DataDirBusyError(dir, ownerOf(path));
    }
    // For the message a refused process prints; the lock itself is the kernel's.
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    heldHere.delete(key);
    throw error;
  }
  const held = fd;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      closeSync(held);
      heldHere.delete(key);
    },
  };
}

// Only for the message: the file may still name the previous holder while the new one writes its pid.
function ownerOf(path: string): number | null {
  const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
