/**
 * Metrics about the run as a whole, next to the call metrics of prometheus.ts: which run and job,
 * how many of its batches are done, the quota learned per API, and the upstream's answer codes.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Emitter, ExecutorEventMap } from '../core/events.js';
import type { RunMetricsInfo } from './prometheus.js';

/** Registers the run metrics on `registry` and feeds them; returns the function that stops listening. */
export function addRunMetrics(registry: Registry, events: Emitter<ExecutorEventMap>, info: RunMetricsInfo): () => void {
  if (info.runId !== undefined || info.job !== undefined) {
    new Gauge({
      name: 'sluice_run_info',
      help: 'The run (always 1; its id and job are labels)',
      labelNames: ['run_id', 'job'],
      registers: [registry],
    }).set({ run_id: info.runId ?? '', job: info.job ?? '' }, 1);
  }
  const batches = new Gauge({
    name: 'sluice_run_batches',
    help: 'Batches of this session: planned (splits included), done and failed so far',
    labelNames: ['state'],
    registers: [registry],
  });
  const count = { planned: info.plannedBatches ?? 0, done: 0, failed: 0 };
  const show = (): void => {
    for (const [state, n] of Object.entries(count)) batches.set({ state }, n);
  };
  show();
  const quota = new Gauge({
    name: 'sluice_quota_calls_per_minute',
    help: 'Quota learned or set per API (calls per minute)',
    labelNames: ['api'],
    registers: [registry],
  });
  const answers = new Counter({
    name: 'sluice_upstream_answers_total',
    help: 'Answers of the upstream by code (HTTP status or API code; ok for a good answer)',
    labelNames: ['api', 'code'],
    registers: [registry],
  });
  const offs = [
    events.on('batch:done', () => {
      count.done += 1;
      show();
    }),
    events.on('batch:fail', () => {
      count.failed += 1;
      show();
    }),
    events.on('batch:split', (e) => {
      count.planned += e.children.length - 1;
      show();
    }),
    events.on('pace:rate', (e) => quota.set({ api: e.api }, e.callsPerMinute)),
    events.on('call:end', (e) => {
      if (e.status === 'aborted') return;
      answers.inc({ api: e.api, code: e.code === undefined ? (e.status === 'ok' ? 'ok' : e.status) : String(e.code) });
    }),
  ];
  return () => offs.forEach((off) => off());
}
