/**
 * Prometheus metrics for a live run, on prom-client with its own Registry (never the global one,
 * so two runs or tests in one process do not collide). Serves GET /metrics.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import { addRunMetrics } from './run-metrics.js';

/** Latency buckets in seconds. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface RunMetrics {
  readonly registry: Registry;
  /** Stops listening to events. */
  detach(): void;
}

/** What the metrics know about the run from the start (all optional). */
export interface RunMetricsInfo {
  readonly runId?: string;
  readonly job?: string;
  /** APIs the run calls: their call outcome series start at 0. */
  readonly apis?: readonly string[];
  /** Batches this session plans to run (splits add to it). */
  readonly plannedBatches?: number;
}

/** Every outcome a call can have (core/types CallStatus), and a batch. */
const CALL_OUTCOMES = ['ok', 'retryable', 'rate-limited', 'overflow', 'rejected', 'fatal', 'aborted'] as const;
const BATCH_OUTCOMES = ['done', 'failed', 'split'] as const;

/** Creates the metrics on a fresh registry and feeds them from executor events. */
export function createRunMetrics(events: Emitter<ExecutorEventMap>, info: RunMetricsInfo = {}): RunMetrics {
  const registry = new Registry();
  const calls = new Counter({
    name: 'sluice_calls_total',
    help: 'API calls by api and outcome',
    labelNames: ['api', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'sluice_call_duration_seconds',
    help: 'API call latency',
    labelNames: ['api'],
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const rows = new Counter({
    name: 'sluice_rows_fetched_total',
    help: 'Rows returned by successful calls',
    labelNames: ['api'],
    registers: [registry],
  });
  const inflight = new Gauge({ name: 'sluice_inflight', help: 'Calls in flight', registers: [registry] });
  const limit = new Gauge({
    name: 'sluice_concurrency_limit',
    help: 'Current concurrency limit',
    registers: [registry],
  });
  const waits = new Counter({
    name: 'sluice_rate_limit_waits_total',
    help: 'Pacing waits by reason',
    labelNames: ['api', 'reason'],
    registers: [registry],
  });
  const waitSeconds = new Counter({
    name: 'sluice_rate_limit_wait_seconds_total',
    help: 'Time spent waiting for pacing, by reason',
    labelNames: ['api', 'reason'],
    registers: [registry],
  });
  const rowWaits = new Counter({
    name: 'sluice_row_budget_waits_total',
    help: 'Calls that waited for room in the row budget (maxRowsHeld)',
    registers: [registry],
  });
  const rowWaitSeconds = new Counter({
    name: 'sluice_row_budget_wait_seconds_total',
    help: 'Time calls spent waiting for room in the row budget',
    registers: [registry],
  });
  const batches = new Counter({
    name: 'sluice_batches_total',
    help: 'Batches by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'sluice_process_rss_bytes',
    help: 'Resident set size of the process',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });

  const added = addRunMetrics(registry, events, info);
  // outcome series exist from the start at 0, so a rate() over them works from the first scrape
  for (const api of info.apis ?? []) for (const outcome of CALL_OUTCOMES) calls.inc({ api, outcome }, 0);
  for (const outcome of BATCH_OUTCOMES) batches.inc({ outcome }, 0);

  const offs = [
    added,
    events.on('call:end', (e) => {
      calls.inc({ api: e.api, outcome: e.status });
      latency.observe({ api: e.api }, e.ms / 1000);
      if (e.status === 'ok' && e.rows > 0) rows.inc({ api: e.api }, e.rows);
    }),
    events.on('concurrency', (e) => {
      inflight.set(e.inflight);
      limit.set(e.limit);
    }),
    events.on('pace:wait', (e) => {
      waits.inc({ api: e.api, reason: e.reason });
      waitSeconds.inc({ api: e.api, reason: e.reason }, e.waitMs / 1000);
    }),
    events.on('rows:wait', (e) => {
      rowWaits.inc();
      rowWaitSeconds.inc(e.waitMs / 1000);
    }),
    events.on('batch:done', () => batches.inc({ outcome: 'done' })),
    events.on('batch:fail', () => batches.inc({ outcome: 'failed' })),
    events.on('batch:split', () => batches.inc({ outcome: 'split' })),
  ];
  return { registry, detach: () => offs.forEach((off) => off()) };
}

export interface MetricsServerOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly events: Emitter<ExecutorEventMap>;
  /** Serve these metrics (made by createRunMetrics) instead of making new ones from `events`. */
  readonly metrics?: RunMetrics;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly registry: Registry;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = options.metrics ?? createRunMetrics(options.events);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/metrics`,
    registry: metrics.registry,
    close: () =>
      new Promise<void>((resolve) => {
        metrics.detach();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
