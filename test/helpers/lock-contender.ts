// A process that tries to take a data folder's lock when told to: `node --import tsx lock-contender.ts <dir>`.
// Prints `ready`, waits for a line on stdin, tries once and prints `won` or `busy <message>`; then holds
// whatever it has until it is killed or its stdin closes.
import { createInterface } from 'node:readline';
import { lockDataFolder } from '../../src/sync/server/db/folder-lock.ts';

const dir = process.argv[2] ?? '';
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
lines.once('line', () => {
  lockDataFolder(dir).then(
    () => process.stdout.write('won\n'),
    (error: unknown) => process.stdout.write(`busy ${(error as Error).message}\n`),
  );
});
lines.once('close', () => process.exit(0));
