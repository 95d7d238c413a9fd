/**
 * Builds the run report (RunReport, the JSON `sluice report --json` prints) from plan stats, the
 * monitor snapshot and the journal's counts, then adds ratings, targets, recommendations and
 * bounded chart data.
 *
 * Memory figure that is rated and checked against `memory_usage_mb`: the run's peak RSS minus its
 * RSS at start (`memory.growthMb`): the memory the work itself added, which is what the target is
 * about; absolute RSS would mostly rate Node's own baseline.
 */
import type { RunReport } from '../core/report.js';
import { analyzeBatches } from './analyze.js';
import { callsLowerBound } from './lower-bound.js';
import { recommend } from './recommend.js';
import {
  checkTargets,
  rateCallRate,
  rateErrorRate,
  rateGenerationTime,
  rateMemory,
  rateOptimization,
  type TargetMetrics,
} from './targets.js';
import type { BuildReportInput } from './types.js';

const round = (x: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function roundStates<T extends Record<string, number>>(states: T, digits = 3): T {
  return Object.fromEntries(Object.entries(states).map(([k, v]) => [k, round(v, digits)])) as T;
}

/** The quota line of the calls chart: the one given, or else the pace learned from the server (calls/s). */
function quotaOf(mon: BuildReportInput['monitor']): number | null {
  if (typeof mon.quotaPerSecond === 'number') return round(mon.quotaPerSecond);
  const learned = Object.values(mon.paceRates ?? {}).filter((r) => Number.isFinite(r) && r > 0);
  return learned.length > 0 ? round(Math.min(...learned) / 60) : null;
}

/**
 * The fewest calls for what this session landed (lower-bound.ts), with the row cap the run used;
 * null without a cap or a done batch. Without the journal's rows per `each` value, the rows the
 * monitor saw fetched count as one value.
 */
function lowerBoundOf(input: BuildReportInput, mon: BuildReportInput['monitor']): number | null {
  const cap = input.rowCap;
  if (cap === undefined || !(cap >= 1)) return null;
  const rows = input.landed?.rowsPerValue ?? (mon.batches.done > 0 ? [mon.rows.fetched] : []);
  return rows.length > 0 ? callsLowerBound(rows, cap) : null;
}

/**
 * Builds the run report from the plan's stats, a monitor snapshot and the batch counts: figures, ratings, targets,
 * recommendations and chart data.
 * @example
 * ```ts
 * import { buildReport, renderHtml } from 'sluice';
 * const report = buildReport({
 *   runId: 'r1',
 *   job: 'daily',
 *   status: 'succeeded',
 *   startedAt,
 *   finishedAt: new Date().toISOString(),
 *   plan: plan.stats,
 *   monitor: snapshot,
 *   rowsWritten,
 *   batches: { total: plan.batches.length, done, failed },
 *   rowCap: 6000,
 * });
 * writeFileSync('report.html', renderHtml(report));
 * ```
 */
export function buildReport(input: BuildReportInput): RunReport {
  const mon = input.monitor;
  const plan = input.plan;
  const batches = input.batches;
  const total = mon.calls.total;
  const parsedWall = Date.parse(input.finishedAt) - Date.parse(input.startedAt);
  const wallMs = Number.isFinite(parsedWall) && parsedWall >= 0 ? parsedWall : mon.elapsedMs;

  const memoryMeasured = mon.memory.samples > 0;
  const growthMb = memoryMeasured ? round(mon.memory.rssGrowthMb, 2) : null;
  const callsMeasured = total.calls > 0;
  const errorRate = callsMeasured ? total.errorRate : null;
  const callsPerSecond = callsMeasured ? total.callsPerSecond : null;
  // Batches this session finished (the monitor's count): a resumed run's earlier sessions took other time.
  const perMinute = batches.total > 0 && wallMs > 0 ? mon.batches.done / (wallMs / 60_000) : null;
  const seconds = wallMs / 1000;
  const spent = Math.max(0, total.calls - total.rateLimited);
  const quotaPerSecond = quotaOf(mon);
  const bound = lowerBoundOf(input, mon);

  const analysis = analyzeBatches(plan, mon, input.rowCap, input.landed);
  const metrics: TargetMetrics = {
    batch_generation_time: round(plan.generationMs / 1000, 6),
    memory_usage_mb: growthMb,
    optimization_rate: plan.reductionRate,
    // rows this session fetched per second of its wall time
    throughput: mon.batches.done > 0 && seconds > 0 ? round(mon.rows.fetched / seconds, 3) : null,
    quota_use: spent > 0 && seconds > 0 && quotaPerSecond ? round(spent / seconds / quotaPerSecond, 3) : null,
    error_rate: errorRate === null ? null : round(errorRate, 6),
  };
  const concurrencyMax = input.concurrencyMax ?? mon.concurrency.max;
  const sizes = plan.batchSizes;

  return {
    runId: input.runId,
    job: input.job,
    status: input.status,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    wallMs,
    plan: {
      strategy: plan.strategy ?? null,
      batchCount: plan.batchCount,
      generationMs: plan.generationMs,
      reductionRate: plan.reductionRate,
      batchSizes: { min: sizes.min, max: sizes.max, avg: sizes.avg, variance: sizes.variance },
      sizeUnit: plan.sizeUnit ?? 'days',
      timeSpanDays: plan.timeSpanDays,
      baselineBatches: plan.baselineBatches,
      batchesPerDay: plan.batchesPerDay,
      estimatedRows: plan.estimatedRows ?? null,
      estimatedCalls: plan.estimatedCalls ?? null,
    },
    calls: {
      total: total.calls,
      failed: total.failed,
      retried: total.retried,
      rateLimited: total.rateLimited,
      errorRate: round(total.errorRate, 6),
      avgMs: round(total.avgMs),
      p50Ms: round(total.p50Ms),
      p95Ms: round(total.p95Ms),
      p99Ms: round(total.p99Ms),
      maxMs: round(total.maxMs),
      callsPerSecond: round(total.callsPerSecond),
      quotaPerSecond,
      spent,
      lowerBound: bound,
      overLowerBound: bound === null ? null : round(spent / bound, 3),
      rateLimitWaits: total.rateLimitWaits,
      rateLimitWaitMs: round(total.rateLimitWaitMs),
      quotaWaits: total.quotaWaits,
      quotaWaitMs: round(total.quotaWaitMs),
      byCode: total.byCode,
      byApi: mon.calls.byApi.map((a) => ({
        api: a.api,
        calls: a.calls,
        failed: a.failed,
        retried: a.retried,
        rateLimited: a.rateLimited,
        errorRate: round(a.errorRate, 6),
        avgMs: round(a.avgMs),
        p50Ms: round(a.p50Ms),
        p95Ms: round(a.p95Ms),
        p99Ms: round(a.p99Ms),
        callsPerSecond: round(a.callsPerSecond),
        rows: a.rows,
      })),
    },
    rows: { fetched: mon.rows.fetched, written: input.rowsWritten },
    memory: {
      startRssMb: round(mon.memory.startRssMb, 2),
      peakRssMb: round(mon.memory.peakRssMb, 2),
      growthMb,
      peakHeapMb: round(mon.memory.peakHeapMb, 2),
      rowBudgetWaits: mon.rowBudget.waits,
      rowBudgetWaitMs: round(mon.rowBudget.waitMs),
      maxRowsHeld: mon.rowBudget.maxRowsHeld,
      heapGrowthMb: mon.heapGrowth ? round(mon.heapGrowth.growthMb, 2) : null,
      heapSpaces: mon.heapGrowth
        ? mon.heapGrowth.spaces.slice(0, 5).map((sp) => ({ space: sp.space, growthMb: round(sp.growthMb, 2) }))
        : [],
      samples: mon.memory.samples,
    },
    concurrency: {
      min: mon.concurrency.min,
      max: mon.concurrency.max,
      final: mon.concurrency.final,
      maxInflight: mon.concurrency.maxInflight,
      observed: mon.concurrency.observed,
    },
    batches: {
      total: batches.total,
      done: batches.done,
      failed: batches.failed,
      pending: batches.pending ?? Math.max(0, batches.total - batches.done - batches.failed),
      split: mon.batches.split,
      perMinute: perMinute === null ? null : round(perMinute, 3),
    },
    ratings: {
      generationTime: rateGenerationTime(plan.generationMs / 1000),
      memory: rateMemory(growthMb),
      optimizationRate: rateOptimization(plan.reductionRate),
      callRate: rateCallRate(callsPerSecond),
      errorRate: rateErrorRate(errorRate),
    },
    targets: checkTargets(metrics, input.targets, input.enforceTargets ?? false),
    recommendations: recommend({
      generationMs: plan.generationMs,
      memoryGrowthMb: growthMb,
      reductionRate: plan.reductionRate,
      analysis,
      doneBatches: mon.batches.done,
      calls: total,
      timeline: mon.timeline,
      concurrencyMax,
      paceRates: mon.paceRates,
      wallMs,
      rowBudget: mon.rowBudget,
      spent,
      lowerBound: bound,
    }),
    analysis,
    bucketMs: mon.bucketMs,
    timeline: mon.timeline.map((p) => ({
      tMs: p.tMs,
      callsPerSecond: round(p.callsPerSecond),
      rowsPerSecond: round(p.rowsPerSecond),
      avgMs: round(p.avgMs),
      inflight: p.inflight,
      limit: p.limit,
      rssMb: round(p.rssMb, 2),
      ...(p.slots ? { slots: roundStates(p.slots) } : {}),
    })),
    latestErrors: mon.latestErrors ?? [],
    slots: mon.slots
      ? {
          lanes: mon.slots.lanes,
          totalMs: roundStates(mon.slots.totalMs, 0),
          dropped: mon.slots.dropped,
          batches: mon.slots.batches,
        }
      : null,
    latencyHistogram: mon.latencyHistogram,
    batchSizeHistogram: mon.batches.rows.histogram.map((b) => ({ from: b.lo, to: b.hi, count: b.count })),
    windowSizeHistogram: sizes.histogram ?? [],
  };
}
