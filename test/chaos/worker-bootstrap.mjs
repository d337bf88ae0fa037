// Worker threads on Node 20 do not inherit `--import tsx` for their entry module: register tsx here, then
// load the TypeScript entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
