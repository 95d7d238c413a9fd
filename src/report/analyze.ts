/**
 * Batch analyzer: how well the plan's windows fit the API. Pure functions of the plan stats and
 * the monitor snapshot.
 */
import type { BatchAnalysis } from '../core/report.js';
import type { MonitorSnapshot } from '../monitor/run-monitor.js';
import { callsLowerBound, type LandedRows } from './lower-bound.js';
import type { PlanStatsInput } from './types.js';

export type { BatchAnalysis };

/**
 * How well the plan's windows fit the API: rows per call, fill ratio against the row cap, under-filled and overflowed
 * windows, the calls a `rows` plan would need.
 * @example
 * ```ts
 * import { analyzeBatches } from 'sluice';
 * const a = analyzeBatches(plan.stats, monitor.snapshot(), 6000);
 * if (a.fillRatio !== null && a.fillRatio < 0.25) console.log(`a rows plan needs about ${a.rowsStrategyCalls} calls`);
 * ```
 */
export function analyzeBatches(
  plan: PlanStatsInput,
  mon: MonitorSnapshot,
  rowCap?: number,
  landed?: LandedRows,
): BatchAnalysis {
  const sizes = plan.batchSizes;
  const ok = mon.calls.total.ok;
  const fetched = mon.rows.fetched;
  const rowsPerCall = ok > 0 ? fetched / ok : null;
  const cap = rowCap !== undefined && rowCap > 0 ? rowCap : null;
  const r = mon.batches.rows;
  const partitions =
    plan.windowCount && plan.windowCount > 0 ? Math.max(1, Math.round(plan.batchCount / plan.windowCount)) : 1;
  let underfilled = mon.batches.underQuarterCap;
  if (underfilled === null && cap !== null) {
    // fall back to the power-of-two histogram: count only bins lying wholly under cap / 4
    underfilled = r.histogram.filter((b) => b.hi < cap / 4).reduce((a, b) => a + b.count, 0);
  }
  return {
    strategy: plan.strategy ?? null,
    batchCount: plan.batchCount,
    timeSpanDays: plan.timeSpanDays,
    baselineBatches: plan.baselineBatches,
    baselineUnit: plan.baselineUnit ?? 'days',
    reductionRate: plan.reductionRate,
    batchesPerDay: plan.batchesPerDay,
    sizeUnit: plan.sizeUnit ?? 'days',
    windowSizes: { min: sizes.min, max: sizes.max, avg: sizes.avg, variance: sizes.variance },
    rowsPerBatch: { min: r.min, max: r.max, avg: r.avg, variance: r.variance },
    rowsPerCall,
    rowCap: cap,
    fillRatio: cap !== null && rowsPerCall !== null ? rowsPerCall / cap : null,
    underfilledBatches: underfilled,
    overflowedWindows: mon.batches.split,
    // no plan beats one call per `each` value that had rows: the landed lower bound is a floor
    rowsStrategyCalls:
      cap !== null
        ? Math.max(Math.ceil(fetched / cap), partitions, landed ? callsLowerBound(landed.rowsPerValue, cap) : 0)
        : null,
    pageCalls: ok,
    eachValues: landed?.byEach ? landed.rowsPerValue.length : null,
  };
}
