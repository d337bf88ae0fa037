import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's Prometheus metrics, one registry per app instance (tests build many apps). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'patron_' });
  return {
    registry,
    requests: new Counter({ name: 'patron_http_requests_total', help: 'HTTP requests', labelNames: ['route', 'method', 'status'], registers: [registry] }),
    latency: new Histogram({
      name: 'patron_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pushRows: new Counter({ name: 'patron_push_rows_total', help: 'Pushed rows by result', labelNames: ['collection', 'result'], registers: [registry] }),
    pullRows: new Counter({ name: 'patron_pull_rows_total', help: 'Pulled rows', labelNames: ['collection'], registers: [registry] }),
    conflicts: new Counter({ name: 'patron_conflicts_total', help: 'Push rows answered as conflicts', labelNames: ['collection'], registers: [registry] }),
    rejections: new Counter({ name: 'patron_rejected_writes_total', help: 'Quarantined rows', labelNames: ['collection', 'code'], registers: [registry] }),
    openStreams: new Gauge({ name: 'patron_open_streams', help: 'Open SSE poke streams', registers: [registry] }),
    pokes: new Counter({ name: 'patron_pokes_total', help: 'Pokes sent to streams', registers: [registry] }),
  };
}

/** The metrics of one app. */
export type Metrics = ReturnType<typeof createMetrics>;
