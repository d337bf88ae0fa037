import '../../../src/renderer/lib/zod-jitless.ts';
import { parentPort } from 'node:worker_threads';
import { createAnalyticsHandler } from '../../../src/renderer/workers/analytics-handler.ts';

// The analytics Web Worker's twin for Node (a worker thread): the same first import and the same handler as
// src/renderer/workers/analytics.worker.ts, bound to the parent port. It says `booted` once loaded, so the
// benchmark's clock starts after the module load, as a dashboard's does once its worker is up.

const port = parentPort!;
const handler = createAnalyticsHandler((message) => port.postMessage(message));
port.on('message', (message: unknown) => handler.handle(message));
port.postMessage('booted');
