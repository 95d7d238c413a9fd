/**
 * Batch analyzer: how well the plan's windows fit the API. Pure functions of the plan stats and
 * the monitor snapshot.
 */
import type { MonitorSnapshot } from '../monitor/run-monitor.js';
import type { PlanStatsInput } from './types.js';

export interface BatchAnalysis {
  readonly strategy: string | null;
  readonly batchCount: number;
  readonly timeSpanDays: number;
  readonly baselineBatches: number;
  readonly baselineUnit: 'days' | 'trading-days';
  /** Percent fewer batches than the baseline. */
  readonly reductionRate: number;
  readonly batchesPerDay: number;
  readonly sizeUnit: 'days' | 'rows';
  readonly windowSizes: { readonly min: number; readonly max: number; readonly avg: number; readonly variance: number };
  /** Rows per done batch. */
  readonly rowsPerBatch: {
    readonly min: number;
    readonly max: number;
    readonly avg: number;
    readonly variance: number;
  };
  /** Rows fetched per successful call (null without calls). */
  readonly rowsPerCall: number | null;
  readonly rowCap: number | null;
  /** rowsPerCall / rowCap: how full the average page was (null without a cap or calls). */
  readonly fillRatio: number | null;
  /** Done batches holding under a quarter of the row cap (null when unknown). */
  readonly underfilledBatches: number | null;
  /** Windows that overflowed the row cap and were split. */
  readonly overflowedWindows: number;
  /**
   * Calls a row-budget plan would need at least for the rows fetched: ceil(rows / rowCap), and at
   * least one per partition value (rows of different symbols cannot share a call). Null without a cap.
   */
  readonly rowsStrategyCalls: number | null;
  /** Successful calls this run made for its pages. */
  readonly pageCalls: number;
}

export function analyzeBatches(plan: PlanStatsInput, mon: MonitorSnapshot, rowCap?: number): BatchAnalysis {
  const sizes = plan.batchSizes ?? plan.sizes ?? { min: 0, max: 0, avg: 0, variance: 0 };
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
    rowsStrategyCalls: cap !== null ? Math.max(Math.ceil(fetched / cap), partitions) : null,
    pageCalls: ok,
  };
}
