/** Reports: analysis, ratings, targets, recommendations, trends, text, HTML and alerts. */
export { buildReport } from './build.js';
export type { BuildReportInput, PlanStatsInput, PlanSizeInput } from './types.js';
export { analyzeBatches, type BatchAnalysis } from './analyze.js';
export {
  recommend,
  RULES,
  RULE_LIMITS,
  slowGeneration,
  highMemory,
  poorOptimization,
  useRowsStrategy,
  lowerRate,
  serverBottleneck,
  upstreamFaults,
  overflowedWindows,
  callsOverLowerBound,
  type Rule,
  type RecommendInput,
} from './recommend.js';
export {
  DEFAULT_TARGETS,
  TARGET_KEYS,
  TARGET_UNITS,
  checkTargets,
  loadTargets,
  parseTargets,
  rateGenerationTime,
  rateMemory,
  rateOptimization,
  rateCallRate,
  rateErrorRate,
  type TargetKey,
  type TargetOverrides,
  type TargetMetrics,
} from './targets.js';
export { callsLowerBound, landedRows, type LandedRows } from './lower-bound.js';
export { trendTable, formatTrendTable, type TrendRow, type TrendValues } from './trend.js';
export { formatRunLine, formatSummary, formatCheck } from './text.js';
export { renderHtml, type HtmlOptions } from './html.js';
export { escapeHtml } from './page/assets.js';
export { reportCharts, type ChartSpec, type ChartSeries } from './page/charts.js';
export { compareRows, type CompareRow } from './page/compare.js';
export {
  AlertRuleSchema,
  AlertRulesSchema,
  parseCondition,
  evaluate,
  runAlerts,
  type AlertRule,
  type AlertResult,
  type ActionResult,
  type AlertOptions,
  type Condition,
  type Op,
} from './alerts.js';
export { openReadStore, findReport, jobTrend, recheckTargets, type CommandDeps } from './query.js';
