/**
 * The run report: what `sluice run` stores in `sluice_runs` and `sluice report --json` prints.
 * The fields below are the contract's minimum; rooms may add more.
 */

export type Rating = 'excellent' | 'good' | 'needs-optimization';

export interface SizeStats {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly variance: number;
}

export interface TargetCheck {
  readonly metric: string;
  readonly target: number;
  /** null when the run did not measure it. */
  readonly actual: number | null;
  /** null when not measured. */
  readonly met: boolean | null;
}

export interface RunReport {
  readonly runId: string;
  readonly job: string;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallMs: number;
  readonly plan: {
    readonly strategy?: string;
    readonly batchCount: number;
    readonly generationMs: number;
    readonly reductionRate: number;
    readonly batchSizes: SizeStats;
    readonly [extra: string]: unknown;
  };
  readonly calls: {
    readonly total: number;
    readonly failed: number;
    readonly retried: number;
    readonly rateLimited: number;
    readonly errorRate: number;
    readonly avgMs: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly p99Ms: number;
    readonly callsPerSecond: number;
    readonly [extra: string]: unknown;
  };
  readonly rows: { readonly fetched: number; readonly written: number; readonly [extra: string]: unknown };
  readonly memory: { readonly peakRssMb: number; readonly startRssMb: number; readonly [extra: string]: unknown };
  readonly concurrency: {
    readonly min: number;
    readonly max: number;
    readonly final: number;
    readonly [extra: string]: unknown;
  };
  readonly batches: {
    readonly total: number;
    readonly done: number;
    readonly failed: number;
    readonly [extra: string]: unknown;
  };
  readonly ratings: Readonly<
    Record<'generationTime' | 'memory' | 'optimizationRate' | 'callRate' | 'errorRate', Rating | null>
  >;
  readonly targets: { readonly met: boolean; readonly checks: readonly TargetCheck[] };
  readonly recommendations: readonly string[];
  readonly [extra: string]: unknown;
}
