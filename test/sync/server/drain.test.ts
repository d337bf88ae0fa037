import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { ERRORS } from '../../../src/sync/model/errors.ts';
import { PROTOCOL_VERSION } from '../../../src/sync/model/wire-protocol.ts';
import { createTestDatabase } from '../../helpers/database.ts';
import { testApp } from '../../helpers/sync-server.ts';

it('answers a request that arrives on a busy connection while draining with 503 SHUTTING_DOWN in the documented format', async () => {
  const tdb = await createTestDatabase('postgres');
  const app = await testApp(tdb.db);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Request 1 is in flight (its body half sent) when the close begins, which keeps the socket open.
    const body = '{"code":"AAAA-AAAA","deviceName":"x"}';
    socket.write(`POST /v1/enrol HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nx-patron-protocol: ${PROTOCOL_VERSION}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = app.close();
    // Request 2 follows request 1 on the same connection, after the close began.
    socket.write(`${body.slice(10)}GET /health HTTP/1.1\r\nhost: x\r\n\r\n`);
    await closing;
    socket.end();
    await ended;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 401/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    const json = answers[1]!.slice(answers[1]!.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(json)).toEqual({ error: { code: 'SHUTTING_DOWN', message: ERRORS.SHUTTING_DOWN[0], messageFa: ERRORS.SHUTTING_DOWN[1], requestId: expect.any(String) } });
  } finally {
    await app.close();
    await tdb.drop();
  }
});
