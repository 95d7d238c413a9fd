/** Builds realistic monitor snapshots and reports by emitting executor events on a fake clock. */
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { createRunMonitor, type MonitorSnapshot } from '../../src/monitor/run-monitor.js';
import { buildReport } from '../../src/report/build.js';
import type { BuildReportInput, PlanStatsInput } from '../../src/report/types.js';
import type { RunReport } from '../../src/core/report.js';
import { mulberry32 } from './prng.js';

const MB = 1024 * 1024;

export interface FixtureOptions {
  readonly batches?: number;
  readonly rowsPerBatch?: number;
  readonly rowCap?: number;
  readonly failEvery?: number;
  readonly rateLimitEvery?: number;
  readonly seed?: number;
}

/** A run of `batches` batches, one call each, 4 running at a time, on a fake clock. */
export function simulateRun(o: FixtureOptions = {}): MonitorSnapshot {
  const rnd = mulberry32(o.seed ?? 1);
  const events = new Emitter<ExecutorEventMap>();
  const clock = { t: 0 };
  let rss = 80;
  const mon = createRunMonitor(events, {
    now: () => clock.t,
    rowCap: o.rowCap ?? 6000,
    readMemory: () => ({ rss: rss * MB, heapUsed: (rss / 3) * MB }),
  });
  const n = o.batches ?? 40;
  for (let i = 0; i < n; i++) {
    clock.t += 250;
    rss = 80 + 20 * Math.sin(i / 5) + i * 0.5;
    const key = `b${i}`;
    const ms = 40 + rnd() * 400;
    events.emit('batch:start', { key, tMs: clock.t - ms });
    events.emit('concurrency', {
      tMs: clock.t,
      limit: Math.min(8, 2 + Math.floor(i / 5)),
      inflight: Math.min(8, 1 + (i % 4)),
    });
    if (o.rateLimitEvery && i % o.rateLimitEvery === 0) {
      events.emit('call:end', {
        api: 'daily',
        key,
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms: 30,
        rows: 0,
        status: 'rate-limited',
        code: 40203,
      });
      events.emit('pace:wait', { api: 'daily', key, tMs: clock.t - ms / 2, waitMs: ms / 3, reason: 'rate-limited' });
    }
    if (o.failEvery && i % o.failEvery === 0) {
      events.emit('call:end', {
        api: 'daily',
        key,
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms,
        rows: 0,
        status: 'retryable',
        code: 500,
      });
      events.emit('batch:fail', { key, tMs: clock.t, error: 'HTTP 500', code: 'SLUICE_RETRYABLE' });
      continue;
    }
    const rows = Math.round((o.rowsPerBatch ?? 2500) * (0.5 + rnd()));
    events.emit('call:end', { api: 'daily', key, tMs: clock.t, page: 0, attempt: 1, ms, rows, status: 'ok' });
    events.emit('batch:done', { key, tMs: clock.t, rows, calls: 1, ms });
    events.emit('batch:commit', { key, tMs: clock.t + 6, ms: 6, rows });
  }
  const snap = mon.snapshot();
  mon.stop();
  return snap;
}

export const PLAN: PlanStatsInput = {
  strategy: 'smart',
  batchCount: 40,
  generationMs: 0.42,
  reductionRate: 98.5,
  timeSpanDays: 2700,
  baselineBatches: 2700,
  batchesPerDay: 0.0148,
  batchSizes: {
    min: 28,
    max: 92,
    avg: 67.5,
    variance: 210.3,
    histogram: [
      { from: 28, to: 59, count: 12 },
      { from: 60, to: 92, count: 28 },
    ],
  },
};

export function sampleInput(over: Partial<BuildReportInput> = {}, o: FixtureOptions = {}): BuildReportInput {
  const monitor = simulateRun(o);
  return {
    runId: 'run-1',
    job: 'daily-prices',
    status: 'succeeded',
    startedAt: '2026-11-26T10:00:00.000Z',
    finishedAt: new Date(Date.parse('2026-11-26T10:00:00.000Z') + (o.batches ?? 40) * 250).toISOString(),
    plan: PLAN,
    monitor,
    rowsWritten: monitor.rows.committed,
    batches: { total: o.batches ?? 40, done: monitor.batches.done, failed: monitor.batches.failed },
    rowCap: o.rowCap ?? 6000,
    ...over,
  };
}

export function sampleReport(over: Partial<BuildReportInput> = {}, o: FixtureOptions = {}): RunReport {
  return buildReport(sampleInput(over, o));
}
