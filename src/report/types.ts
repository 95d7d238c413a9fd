/** Inputs of the report builder. PlanStats from src/plan can be passed as `plan` as it is. */
import type { RunReport } from '../core/report.js';
import type { MonitorSnapshot } from '../monitor/run-monitor.js';
import type { LandedRows } from './lower-bound.js';
import type { TargetOverrides } from './targets.js';

export interface PlanSizeInput {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly variance: number;
  /** Bins with inclusive bounds. */
  readonly histogram?: ReadonlyArray<{ readonly from: number; readonly to: number; readonly count: number }>;
}

/**
 * The plan figures a report needs; a plan's `stats` is one.
 * @example
 * ```ts
 * const planInput: PlanStatsInput = { ...plan.stats, strategy: plan.strategy };
 * ```
 */
export interface PlanStatsInput {
  readonly strategy?: string;
  readonly batchCount: number;
  /** Date windows (batchCount / windowCount = partition values per window, e.g. symbols). */
  readonly windowCount?: number;
  /** Plan generation wall time, ms. */
  readonly generationMs: number;
  /** Percent saved vs one batch per (trading) day. */
  readonly reductionRate: number;
  readonly timeSpanDays: number;
  readonly baselineBatches: number;
  readonly baselineUnit?: 'days' | 'trading-days';
  readonly batchesPerDay: number;
  /** Window size distribution, in `sizeUnit`. */
  readonly batchSizes: PlanSizeInput;
  readonly sizeUnit?: 'days' | 'rows';
  readonly estimatedRows?: number | null;
  readonly estimatedCalls?: number | null;
}

/**
 * What `buildReport` needs.
 * @example
 * ```ts
 * const input: BuildReportInput = {
 *   runId,
 *   job,
 *   status: 'succeeded',
 *   startedAt,
 *   finishedAt,
 *   plan: plan.stats,
 *   monitor: snapshot,
 *   rowsWritten: 0,
 *   batches: { total: 1, done: 1, failed: 0 },
 * };
 * ```
 */
export interface BuildReportInput {
  readonly runId: string;
  readonly job: string;
  readonly status: RunReport['status'];
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly plan: PlanStatsInput;
  readonly monitor: MonitorSnapshot;
  readonly rowsWritten: number;
  /** Leaf batches from the journal; `pending` defaults to those neither done nor failed. */
  readonly batches: {
    readonly total: number;
    readonly done: number;
    readonly failed: number;
    readonly pending?: number;
  };
  /** Rows one call can return (page size): the job's, or the lower cap the server showed during the run. */
  readonly rowCap?: number;
  /**
   * Rows this session landed per `each` value (landedRows over the journal), for the calls' lower
   * bound; without it the rows fetched count as one value.
   */
  readonly landed?: LandedRows;
  /** Whether missed targets fail the run (the job set `targets:` or `--targets` was given). @default false */
  readonly enforceTargets?: boolean;
  /** Configured maximum concurrency (to tell "pinned at max"); the observed max is used without it. */
  readonly concurrencyMax?: number;
  readonly targets?: TargetOverrides;
}
