/**
 * Recommendations: three basic rules (slow generation, high memory growth, poor optimization) plus
 * rules a user can act on. Each rule is a small pure
 * function returning advice or null, so each can be tested firing and not firing.
 */
import type { CallStats } from '../monitor/calls.js';
import type { TimelinePoint } from '../monitor/timeline.js';
import type { BatchAnalysis } from './analyze.js';

export interface RecommendInput {
  readonly generationMs: number;
  /** Peak RSS growth over the start, MB (null when not measured). */
  readonly memoryGrowthMb: number | null;
  readonly reductionRate: number;
  readonly analysis: BatchAnalysis;
  readonly doneBatches: number;
  readonly calls: CallStats;
  readonly timeline: readonly TimelinePoint[];
  /** Configured (or else observed) maximum concurrency. */
  readonly concurrencyMax: number;
  /** Last learned pace per API, calls per minute. */
  readonly paceRates: Readonly<Record<string, number>>;
  readonly wallMs: number;
  /** Waits for the row budget (rows held in memory); maxRowsHeld null when it never bound. */
  readonly rowBudget: { readonly waits: number; readonly waitMs: number; readonly maxRowsHeld: number | null };
  /** Calls spent (all but rate-limit refusals) and the fewest that could have landed the same rows (null: unknown). */
  readonly spent?: number;
  readonly lowerBound?: number | null;
}

export type Rule = (r: RecommendInput) => string | null;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Thresholds, in one place. */
export const RULE_LIMITS = {
  slowGenerationMs: 1000,
  highMemoryMb: 100,
  poorReductionPercent: 50,
  underfilledShare: 0.5,
  rateLimitedShare: 0.05,
  retryShare: 0.1,
  /** The highest error rate still rated "good" (see rateErrorRate). */
  errorShare: 0.05,
  pinnedShare: 0.8,
  latencyRise: 1.5,
  minActiveBuckets: 6,
  /** Row-budget waits (summed over batches) as a share of the wall time. */
  rowBudgetShare: 0.25,
  /** Calls spent over their lower bound above which the run is told what would have helped. */
  overLowerBound: 1.2,
  /** Average page fill (rows per call / row cap) under which windows were smaller than the cap allows. */
  lowFill: 0.8,
} as const;

export const slowGeneration: Rule = (r) =>
  r.generationMs > RULE_LIMITS.slowGenerationMs
    ? `Batch generation took ${(r.generationMs / 1000).toFixed(2)} s: choose a coarser strategy or fewer partition values.`
    : null;

export const highMemory: Rule = (r) =>
  r.memoryGrowthMb !== null && r.memoryGrowthMb > RULE_LIMITS.highMemoryMb
    ? `Memory grew by ${r.memoryGrowthMb.toFixed(1)} MB during the run: lower execution.maxRowsHeld (rows held in memory at once) or plan smaller windows.`
    : null;

export const poorOptimization: Rule = (r) =>
  r.reductionRate < RULE_LIMITS.poorReductionPercent
    ? `The plan saves only ${r.reductionRate.toFixed(1)}% of calls against one batch per day: check the time span and use a coarser strategy (smart, month, quarter) or rows.`
    : null;

export const useRowsStrategy: Rule = (r) => {
  const a = r.analysis;
  if (
    a.strategy?.startsWith('rows') ||
    a.rowCap === null ||
    a.underfilledBatches === null ||
    a.rowsStrategyCalls === null
  )
    return null;
  if (r.doneBatches < 2 || a.underfilledBatches / r.doneBatches < RULE_LIMITS.underfilledShare) return null;
  const saved = a.pageCalls - a.rowsStrategyCalls;
  // a few calls over the fewest is what any plan pays for its last, part-filled pages
  if (saved <= 0 || a.pageCalls <= a.rowsStrategyCalls * RULE_LIMITS.overLowerBound) return null;
  return `${a.underfilledBatches} of ${r.doneBatches} windows held under a quarter of the row cap (${a.rowCap} rows): the \`rows\` strategy would need about ${a.rowsStrategyCalls} calls instead of ${a.pageCalls} (saving ${saved}).`;
};

export const lowerRate: Rule = (r) => {
  const c = r.calls;
  if (c.calls === 0 || c.rateLimited / c.calls < RULE_LIMITS.rateLimitedShare) return null;
  const learned = Object.values(r.paceRates);
  const hint = learned.length > 0 ? ` (the server allowed about ${Math.min(...learned)} calls/min)` : '';
  return `${c.rateLimited} of ${c.calls} calls (${pct(c.rateLimited / c.calls)}) were refused as rate-limited (40203/429): lower rateLimit.calls${hint} or set \`rateLimit: adaptive\`.`;
};

/** Weighted average latency of a run of buckets. */
function avgLatency(points: readonly TimelinePoint[]): number {
  const calls = points.reduce((s, p) => s + p.calls, 0);
  return calls === 0 ? 0 : points.reduce((s, p) => s + p.avgMs * p.calls, 0) / calls;
}

export const serverBottleneck: Rule = (r) => {
  const active = r.timeline.filter((p) => p.calls > 0);
  if (active.length < RULE_LIMITS.minActiveBuckets || r.concurrencyMax <= 0) return null;
  const pinned = active.filter((p) => p.limit >= r.concurrencyMax && p.inflight >= p.limit).length;
  if (pinned / active.length < RULE_LIMITS.pinnedShare) return null;
  const third = Math.floor(active.length / 3);
  const early = avgLatency(active.slice(0, third));
  const late = avgLatency(active.slice(-third));
  if (early <= 0 || late < early * RULE_LIMITS.latencyRise) return null;
  return `Concurrency stayed at its maximum (${r.concurrencyMax}) while latency rose from ${early.toFixed(0)} ms to ${late.toFixed(0)} ms: the server is the bottleneck; more concurrency will not help.`;
};

export const upstreamFaults: Rule = (r) => {
  const c = r.calls;
  if (c.calls === 0) return null;
  const retryShare = c.retried / c.calls;
  if (retryShare < RULE_LIMITS.retryShare && c.errorRate < RULE_LIMITS.errorShare) return null;
  return (
    `${pct(retryShare)} of calls were retries and ${pct(c.errorRate)} failed: the upstream is faulty or overloaded; ` +
    'check its status and consider a longer timeout, more retries or a lower rate.'
  );
};

export const overflowedWindows: Rule = (r) =>
  r.analysis.overflowedWindows > 0
    ? `${r.analysis.overflowedWindows} window(s) overflowed the row cap and were split: plan smaller windows or use the \`rows\` strategy with a density.`
    : null;

export const rowBudgetBound: Rule = (r) => {
  const b = r.rowBudget;
  if (b.maxRowsHeld === null || r.wallMs <= 0 || b.waitMs / r.wallMs < RULE_LIMITS.rowBudgetShare) return null;
  return (
    `Calls waited ${(b.waitMs / 1000).toFixed(1)} s in all (${pct(b.waitMs / r.wallMs)} of the run's wall time) for fetched rows to be written ` +
    `(execution.maxRowsHeld ${b.maxRowsHeld}): raise it if memory allows, or plan windows smaller than it.`
  );
};

/**
 * The run spent more than 1.2x the fewest calls for its rows: says by how much, and which of the
 * measured causes were there (each one names its remedy).
 */
export const callsOverLowerBound: Rule = (r) => {
  const { spent, lowerBound } = r;
  if (spent === undefined || !lowerBound || spent / lowerBound <= RULE_LIMITS.overLowerBound) return null;
  const causes = overspendCauses(r, spent);
  const head = `The run spent ${spent} calls where ${lowerBound} could have fetched its rows (${(spent / lowerBound).toFixed(2)}x)`;
  return causes.length > 0 ? `${head}: ${causes.join('; ')}.` : `${head}.`;
};

/** What the report measured that made the calls exceed their lower bound, each with its remedy. */
function overspendCauses(r: RecommendInput, spent: number): string[] {
  const a = r.analysis;
  const c = r.calls;
  const causes: string[] = [];
  if (a.overflowedWindows > 0)
    causes.push(
      `${a.overflowedWindows} window(s) held more rows than one query can page through (the offset limit) and were split, ` +
        'their pages fetched again: plan windows under the limit (`strategy: auto`, or `rows` with a density)',
    );
  const values = a.eachValues;
  if (values !== null && values > 1 && spent / values > 1.2 && a.rowCap !== null && a.rowsPerCall !== null) {
    const rowsPerValue = (a.rowsPerCall * a.pageCalls) / values;
    if (rowsPerValue < a.rowCap) {
      const wholeMarket = Math.max(1, Math.ceil((rowsPerValue * values) / a.rowCap));
      causes.push(
        `the ${values} \`each\` values landed ${rowsPerValue.toFixed(0)} rows on average, under one page of ${a.rowCap}, ` +
          `yet took ${(spent / values).toFixed(1)} calls each: one window per value (\`strategy: auto\` or \`rows\`) needs one call each` +
          (wholeMarket < values ? `, and dropping \`each\` to query by date about ${wholeMarket} in all` : ''),
      );
    }
  } else if (a.fillRatio !== null && a.rowCap !== null && a.fillRatio < RULE_LIMITS.lowFill) {
    causes.push(
      `calls returned ${(a.rowsPerCall ?? 0).toFixed(0)} rows on average of a possible ${a.rowCap} (${pct(a.fillRatio)} full): ` +
        'windows were smaller than the row cap allows; `strategy: auto`, or `rows` (it learns the density from this run), plans fuller ones',
    );
  }
  if (c.calls > 0 && c.retried / c.calls >= RULE_LIMITS.retryShare / 2)
    causes.push(`${c.retried} calls were retries of failed ones: see the errors above`);
  return causes;
}

export const RULES: readonly Rule[] = [
  callsOverLowerBound,
  slowGeneration,
  highMemory,
  poorOptimization,
  useRowsStrategy,
  lowerRate,
  serverBottleneck,
  upstreamFaults,
  overflowedWindows,
  rowBudgetBound,
];

export function recommend(input: RecommendInput): string[] {
  return RULES.map((rule) => rule(input)).filter((s): s is string => s !== null);
}
