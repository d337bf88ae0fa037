import '../lib/zod-jitless.ts';
import { createAnalyticsHandler } from './analytics-handler.ts';

// The analytics Web Worker: the page loads it with
//   new Worker(new URL('../../workers/analytics.worker.ts', import.meta.url), { type: 'module' })
// (Vite bundles it; the CSP's worker-src 'self' admits it). Everything is in the handler.

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;
const handler = createAnalyticsHandler((message) => scope.postMessage(message));
scope.onmessage = (event) => handler.handle(event.data);
