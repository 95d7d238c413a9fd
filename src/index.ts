/**
 * Sluice as a library: the public API of the `sluice` package.
 *
 * Plan a range into windows and batches, run batches through the paced executor, run a whole job
 * file from code, and build, check and render run reports. Everything exported here is documented
 * with an example; anything not exported here is internal and may change.
 *
 * @example
 * ```ts
 * import { planJob } from 'sluice';
 * const plan = planJob({ start: '20200101', end: '20241231', strategy: 'smart' });
 * console.log(plan.batches.length, plan.stats.reductionRate);
 * ```
 * @packageDocumentation
 */

// Planning: windows, batches, stats, partitions, batch sizes.
export { planJob, type Plan, type PlanSpec } from './plan/job.js';
export { STRATEGY_NAMES } from './plan/strategy.js';
export { AutoPlanner, simulateAuto, type AutoSettings, type AutoStream, type AutoWindow } from './plan/auto.js';
export type { PlanStats } from './plan/stats.js';
export { type Part, type Partitioner, byField, bySize, composite } from './plan/partition.js';
export { type BatchPerformance, type BatchSizeOptions, recommendBatchSize } from './plan/adaptive.js';
export { type Calendar, weekdayCalendar } from './plan/calendar.js';
export { loadCalendar } from './plan/calendar-file.js';
export { type Density, constantDensity, loadDensity } from './plan/density.js';

// Running batches: the executor, pacing and concurrency limits, events.
export { execute } from './run/executor.js';
export { runBatch } from './run/batch.js';
export type { BatchOutcome, DoneOutcome, FailedOutcome, SplitOutcome } from './run/outcome.js';
export { EXECUTOR_DEFAULTS, type ExecutorOptions } from './run/options.js';
export { CircuitBreaker, BREAKER_DEFAULTS, type BreakerOptions } from './run/breaker.js';
export type { Clock } from './run/clock.js';
export { createPacer, type PacerOptions } from './run/pacer/pacer.js';
export { fixedLimit } from './run/limits/fixed.js';
export { gradientLimit, type GradientLimitOptions } from './run/limits/gradient.js';
export { throughputLimit, type ThroughputLimitOptions } from './run/limits/throughput.js';
export { Emitter, type ExecutorEventMap } from './core/events.js';

// Jobs: load and run a job file (or a job object) from code.
export { runJobFile, type RunJobFileOptions } from './job/file.js';
export { runJob, type RunJobOptions, type RunJobResult } from './job/run.js';
export { loadJobFile, parseJob, type LoadedJob } from './job/load.js';
export { loadSyncFile, parseSync, type LoadedSync } from './sync/load.js';
export { runSync, type RunSyncOptions, type RunSyncResult } from './sync/run.js';
export { readColumns } from './sinks/read.js';
export type { JobConfig } from './job/schema.js';
export { resolveRun, planRun, type PlanRunOptions, type PlannedRun } from './job/resolve.js';
export { jobFingerprint } from './job/fingerprint.js';
export { DEFAULTS } from './core/defaults.js';

// Sources and stores.
export { createTushareSource, type TushareSourceOptions } from './sources/tushare.js';
export { type TushareApi, tushareApi, tushareApis } from './sources/tushare-catalogue.js';
export { createHttpSource, type HttpSourceOptions } from './sources/http.js';
export { createFileSource, type FileSourceOptions } from './sources/file.js';
export { openStore, openStoreAt, type StoreConfig } from './sinks/open.js';

// Reports: monitor a run, build its report, check targets, advise, render.
export {
  createRunMonitor,
  type RunMonitor,
  type RunMonitorOptions,
  type MonitorSnapshot,
} from './monitor/run-monitor.js';
export { buildReport } from './report/build.js';
export type { BuildReportInput, PlanStatsInput } from './report/types.js';
export { analyzeBatches } from './report/analyze.js';
export { callsLowerBound, landedRows, type LandedRows } from './report/lower-bound.js';
export {
  checkTargets,
  DEFAULT_TARGETS,
  type TargetKey,
  type TargetMetrics,
  type TargetOverrides,
} from './report/targets.js';
export { renderHtml, type HtmlOptions } from './report/html.js';
export { startLiveServer, type LiveServer, type LiveOptions } from './ui/live.js';
export { formatRunLine, formatSummary, formatSyncSummary } from './report/text.js';
export {
  readReport,
  type RunReport,
  type PlanReport,
  type CallsReport,
  type ApiCallsReport,
  type RowsReport,
  type MemoryReport,
  type ConcurrencyReport,
  type BatchesReport,
  type Ratings,
  type Rating,
  type TargetsReport,
  type TargetCheck,
  type BatchAnalysis,
  type TimelineSample,
  type LatencyBin,
  type ApiErrorsReport,
  type SizeStats,
  type SizeBin,
  type SlotState,
  type SlotsReport,
  type LaneBatch,
  type LatestErrorReport,
  type CoverageReport,
  type SyncReport,
  type SyncDatasetReport,
} from './core/report.js';
export type { ErrorKindCount } from './core/error-kinds.js';

// The emulator: a local Tushare-protocol server for tests and demos.
export { startEmulator, DEMO_TOKEN, type Emulator, type EmulatorOptions } from './emulator/server.js';

// Errors and the core contracts.
export { SluiceError, ErrorCodes, isSluiceError, type ErrorCode, type SluiceErrorContext } from './core/errors.js';
export type { Batch, Window, Page, BatchRows, CallStatus } from './core/types.js';
export type { Source, CallContext, CallInfo } from './core/source.js';
export type { Store, TableSpec, RunRecord, BatchRecord, RunStatus, BatchStatus, NewRun } from './core/store.js';
export type { Pacer, RateLimit, RateLimitedInfo, Limit, LimitSample } from './core/pacing.js';
