// A power cut, simulated: preloaded into a server process (`node --import tsx --import <this file> …`), it
// keeps a second copy of the data folder — the "platter" — that receives a file's written bytes only when
// that file is fsynced, the way a disk holds only what left the page cache. Kill the process with SIGKILL
// and the platter is what a power cut would have left: writes that were never synced are lost.
//
// PATRON_VOLATILE_ROOT names the data folder the server uses; PATRON_VOLATILE_PLATTER a full copy of it made
// while nothing was running (so it starts equal). Creating, renaming, truncating and removing files reach
// the platter at once, as a journaling file system commits its metadata by itself; file contents do not.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(process.env.PATRON_VOLATILE_ROOT ?? '');
const platter = resolve(process.env.PATRON_VOLATILE_PLATTER ?? '');
if (!process.env.PATRON_VOLATILE_ROOT || !process.env.PATRON_VOLATILE_PLATTER) throw new Error('volatile-disk: set PATRON_VOLATILE_ROOT and PATRON_VOLATILE_PLATTER');

const real = { ...fs };
/** Open descriptors of files under the root, by their path relative to it. */
const open = new Map<number, string>();
/** Bytes written but not yet synced, per file. */
const pending = new Map<string, { position: number; bytes: Buffer }[]>();

function inside(path: fs.PathLike): string | null {
  const absolute = resolve(String(path));
  return absolute === root || absolute.startsWith(root + sep) ? relative(root, absolute) : null;
}

function onPlatter(rel: string): string {
  return join(platter, rel);
}

function flush(rel: string): void {
  const writes = pending.get(rel);
  pending.delete(rel);
  if (!writes || writes.length === 0) return;
  const fd = real.openSync(onPlatter(rel), real.existsSync(onPlatter(rel)) ? 'r+' : 'w');
  try {
    for (const { position, bytes } of writes) real.writeSync(fd, bytes, 0, bytes.length, position);
  } finally {
    real.closeSync(fd);
  }
}

type Patch = Record<string, (...args: never[]) => unknown>;
const patch = fs as unknown as Patch;

patch.openSync = ((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
  const fd = real.openSync(path, flags ?? "r", mode);
  const rel = inside(path);
  if (rel !== null) {
    open.set(fd, rel);
    const numeric = typeof flags === 'number' ? flags : 0;
    const creates = (numeric & fs.constants.O_CREAT) !== 0 || (typeof flags === 'string' && /[wa]/.test(flags));
    if (creates && !real.existsSync(onPlatter(rel))) real.writeFileSync(onPlatter(rel), '');
    if ((numeric & fs.constants.O_TRUNC) !== 0 || flags === 'w' || flags === 'w+') {
      pending.delete(rel);
      real.truncateSync(onPlatter(rel), 0);
    }
  }
  return fd;
}) as never;

patch.closeSync = ((fd: number) => {
  open.delete(fd);
  real.closeSync(fd);
}) as never;

patch.writeSync = ((fd: number, data: Uint8Array | string, offset?: number | null, length?: number, position?: number | null) => {
  const rel = open.get(fd);
  if (rel !== undefined) {
    // writeSync(fd, string, position) or writeSync(fd, buffer, offset, length, position)
    const [bytes, at] = typeof data === 'string' ? [Buffer.from(data), offset] : [Buffer.from(data.subarray(offset ?? 0, (offset ?? 0) + (length ?? data.length))), position];
    if (typeof at !== 'number') throw new Error('volatile-disk: only positioned writes are modelled');
    const list = pending.get(rel) ?? [];
    list.push({ position: at, bytes });
    pending.set(rel, list);
  }
  return (real.writeSync as (...args: unknown[]) => number)(fd, data, offset, length, position);
}) as never;

const sync = (original: (fd: number) => void) =>
  ((fd: number) => {
    original(fd);
    const rel = open.get(fd);
    if (rel !== undefined) flush(rel);
  }) as never;
patch.fsyncSync = sync(real.fsyncSync);
patch.fdatasyncSync = sync(real.fdatasyncSync);

patch.ftruncateSync = ((fd: number, length?: number) => {
  real.ftruncateSync(fd, length);
  const rel = open.get(fd);
  if (rel !== undefined) real.truncateSync(onPlatter(rel), length);
}) as never;

patch.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
  real.renameSync(from, to);
  const a = inside(from);
  const b = inside(to);
  if (a === null || b === null) return;
  real.renameSync(onPlatter(a), onPlatter(b));
  const moved = pending.get(a);
  pending.delete(a);
  if (moved) pending.set(b, moved);
  for (const [fd, rel] of open) if (rel === a) open.set(fd, b);
}) as never;

patch.unlinkSync = ((path: fs.PathLike) => {
  real.unlinkSync(path);
  const rel = inside(path);
  if (rel === null) return;
  pending.delete(rel);
  real.rmSync(onPlatter(rel), { force: true });
}) as never;

patch.mkdirSync = ((path: fs.PathLike, options?: fs.MakeDirectoryOptions) => {
  const made = real.mkdirSync(path, options);
  const rel = inside(path);
  if (rel !== null) real.mkdirSync(onPlatter(rel), { recursive: true });
  return made;
}) as never;

patch.rmdirSync = ((path: fs.PathLike) => {
  real.rmdirSync(path);
  const rel = inside(path);
  if (rel !== null) real.rmSync(onPlatter(rel), { recursive: true, force: true });
}) as never;

patch.truncateSync = ((path: fs.PathLike, length?: number) => {
  real.truncateSync(path, length);
  const rel = inside(path);
  if (rel !== null) real.truncateSync(onPlatter(rel), length);
}) as never;

// Named imports of node:fs (`import { fsyncSync } from 'node:fs'`) see the patched functions too.
syncBuiltinESMExports();
