#!/usr/bin/env node
// patron-sync: the Patron sync server's command line (see `patron-sync --help`). The server is TypeScript
// run through tsx, so there is no build step; `serve` and `start` keep running until SIGTERM/SIGINT.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/sync/server/cli.ts');
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exit(code);
