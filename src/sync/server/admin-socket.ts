import { existsSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { dumpDatabase } from './backup.ts';
import type { PgliteDatabase } from './db/pglite.ts';
import { AdminError } from './repositories/admin.ts';
import { AdminRequestError, runAdminOperation } from './repositories/admin-operations.ts';

// How `patron-sync` reaches a running server on the embedded database, whose folder only one process may
// open: a Unix socket inside the data folder. `POST /backup` answers the archive; `POST /admin` runs one
// administrative operation (repositories/admin-operations.ts) in the server, as the CLI would have run it
// itself. Whoever may read the data folder may do both — and nobody else, unlike a port on loopback that
// every local user can reach (a backup holds PIN hashes and the token-signing secret).

/** The largest `POST /admin` body: an operation's input is a few names and options. */
const MAX_ADMIN_BODY = 64 * 1024;
/** Who the audit log names for an operation run through the socket: the CLI, as when it opens the folder. */
const SOCKET_ACTOR = 'cli';

/** The socket's name inside the data folder. */
export const ADMIN_SOCKET = 'patron.sock';

/** Serves `POST /backup` and `POST /admin` on `<dir>/patron.sock` until closed. */
export async function startAdminSocket(dir: string, db: PgliteDatabase, onError: (error: unknown) => void): Promise<() => Promise<void>> {
  const path = join(dir, ADMIN_SOCKET);
  // Left by a process that was killed: we hold the folder lock, so no live server owns it.
  if (existsSync(path)) rmSync(path, { force: true });
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/backup') return serveBackup(db, res, onError);
    if (req.method === 'POST' && req.url === '/admin') return serveAdmin(db, req, res, onError);
    res.writeHead(404).end();
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

function serveBackup(db: PgliteDatabase, res: ServerResponse, onError: (error: unknown) => void): void {
  dumpDatabase(db).then(
    (bytes) => res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': bytes.length }).end(bytes),
    (error: unknown) => {
      onError(error);
      res.writeHead(500, { 'content-type': 'text/plain' }).end((error as Error).message);
    },
  );
}

// 200 with the operation's answer; 400 for a request naming no operation or bad input; 422 for an
// AdminError (an unknown or ambiguous name, a store of another merchant) — the CLI prints its message.
function serveAdmin(db: PgliteDatabase, req: IncomingMessage, res: ServerResponse, onError: (error: unknown) => void): void {
  const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  readBody(req, MAX_ADMIN_BODY)
    .then((text) => {
      const request = JSON.parse(text) as { operation?: unknown; input?: unknown };
      if (typeof request.operation !== 'string') throw new AdminRequestError('the request names no operation');
      return runAdminOperation(db, request.operation, request.input, SOCKET_ACTOR);
    })
    .then(
      (result) => answer(200, { result }),
      (error: unknown) => {
        if (error instanceof AdminError) return answer(422, { error: error.message });
        if (error instanceof AdminRequestError || error instanceof SyntaxError) return answer(400, { error: error.message });
        onError(error);
        answer(500, { error: (error as Error).message });
      },
    );
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new AdminRequestError(`the request is larger than ${limit} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
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

/**
 * Asks the server running on data folder `dir` to run an administrative operation; resolves to its answer.
 * `busy` is why the CLI could not open the folder itself, quoted when no server answers either.
 */
export function requestAdminOperation(dir: string, operation: string, input: unknown, busy: Error): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ operation, input });
    const req = request({ socketPath: join(dir, ADMIN_SOCKET), method: 'POST', path: '/admin', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        let answer: { result?: unknown; error?: string };
        try {
          answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof answer;
        } catch {
          return reject(new Error(`the running server answered ${res.statusCode ?? '?'} without a readable body`));
        }
        if (res.statusCode === 200) resolve(answer.result);
        else if (res.statusCode === 422) reject(new AdminError(answer.error ?? 'refused'));
        else reject(new Error(`the running server could not run ${operation}: ${answer.error ?? res.statusCode}`));
      });
      res.on('error', reject);
    });
    req.on('error', (error) => reject(new Error(`${busy.message} — and no server answers on ${join(dir, ADMIN_SOCKET)} (${error.message})`)));
    req.end(body);
  });
}
