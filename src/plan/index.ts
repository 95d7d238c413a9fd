/**
 * The planning room's public API. Other rooms import from here only.
 */
export { type Calendar, calendarFromDays, everyDayCalendar, weekdayCalendar } from './calendar.js';
export { loadCalendar } from './calendar-file.js';
export {
  type Density,
  type HistoryRecord,
  constantDensity,
  densityFromDays,
  densityFromHistory,
  loadDensity,
} from './density.js';
export { type Period, PERIODS, fixedDayWindows, periodWindows } from './periods.js';
export { type RowBudget, type RowWindows, callsFor, greedyTiling, rowBudget, rowWindows } from './rows.js';
export {
  type Frequency,
  type Strategy,
  type StrategyOptions,
  type StrategyResult,
  STRATEGY_NAMES,
  guidePeriod,
  parseFrequency,
  parseStrategy,
  smartPeriod,
  windowsFor,
} from './strategy.js';
export { type Part, type Partitioner, byField, bySize, chunk, composite, distinct } from './partition.js';
export { type BatchPerformance, type BatchSizeOptions, adaptiveBatches, recommendBatchSize } from './adaptive.js';
export {
  type HistogramBin,
  type PlanStats,
  type SizeDistribution,
  type StatsInput,
  planStats,
  sizeDistribution,
} from './stats.js';
export { batchKey, batchKeyPrefix, windowKey } from './keys.js';
export {
  type AutoSettings,
  type AutoStream,
  type AutoWindow,
  AutoPlanner,
  EFFICIENT_PAGES,
  GROWTH,
  OFFSET_SHARE,
  PAGE_SHARE,
  SAMPLE_ROWS,
  simulateAuto,
} from './auto.js';
export { type BatchFeedback, type OnlineSpec, OnlineBatches, autoBatch, restOfRun, uncovered } from './auto-batches.js';
export { type Plan, type PlanSpec, type SpecLabels, planJob, plannedRanges, splitBatch } from './job.js';
export {
  type CoverageOptions,
  type CoverageStats,
  type DoneWindow,
  type RunCoverage,
  type ValueCoverage,
  clipRanges,
  coverageOf,
  daysIn,
  lookbackRange,
  mergeRanges,
  runCoverage,
  subtractRanges,
  tradingDaysIn,
} from './coverage.js';
