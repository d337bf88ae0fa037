import '../lib/zod-jitless.ts';
import { createImportHandler } from './import-handler.ts';

// The import Web Worker: the import page loads it with
//   new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module' })
// Everything is in the handler.

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;
const handler = createImportHandler((message) => scope.postMessage(message));
scope.onmessage = (event) => void handler.handle(event.data);
