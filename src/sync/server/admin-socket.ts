import { existsSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { dumpDatabase } from './backup.ts';
import type { PgliteDatabase } from './db/pglite.ts';

// How `patron-sync backup` reaches a running server: a Unix socket inside the data folder. Whoever may read
// the data folder may take a backup — and nobody else, unlike a port on loopback that every local user can
// reach (a backup holds PIN hashes and the token-signing secret).

/** The socket's name inside the data folder. */
export const ADMIN_SOCKET = 'patron.sock';

/** Serves `POST /backup` (the archive as the body) on `<dir>/patron.sock` until closed. */
export async function startAdminSocket(dir: string, db: PgliteDatabase, onError: (error: unknown) => void): Promise<() => Promise<void>> {
  const path = join(dir, ADMIN_SOCKET);
  // Left by a process that was killed: we hold the folder lock, so no live server owns it.
  if (existsSync(path)) rmSync(path, { force: true });
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/backup') {
      res.writeHead(404).end();
      return;
    }
    dumpDatabase(db).then(
      (bytes) => res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': bytes.length }).end(bytes),
      (error: unknown) => {
        onError(error);
        res.writeHead(500, { 'content-type': 'text/plain' }).end((error as Error).message);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path }, () => resolve());
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      rmSync(path, { force: true });
    });
}

/** Asks the server running on data folder `dir` for a backup; resolves to the archive. */
export function requestBackup(dir: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(dir, ADMIN_SOCKET), method: 'POST', path: '/backup' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(new Uint8Array(body));
        else reject(new Error(`the running server could not take the backup: ${body.toString('utf8')}`));
      });
      res.on('error', reject);
    });
    req.on('error', (error) => reject(new Error(`the data folder ${dir} is in use but its server does not answer on ${ADMIN_SOCKET} (${error.message})`)));
    req.end();
  });
}
