/**
 * Ratings (excellent / good / needs-optimization for each metric) and performance targets
 * (PERFORMANCE_TARGETS, overridable), with one rule: a metric the run did not measure is `null`
 * ("not measured"), never 0.
 *
 * How "not measured" counts: it neither passes nor fails. `targets.met` is false only when at
 * least one MEASURED check fails; a run where nothing was measured has `met: true` and every
 * check shows `met: null`.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../core/errors.js';
import type { Rating, TargetCheck } from '../core/report.js';

/**
 * The performance targets' names.
 * @example
 * ```ts
 * const key: TargetKey = 'error_rate';
 * ```
 */
export type TargetKey = 'batch_generation_time' | 'memory_usage_mb' | 'optimization_rate' | 'throughput' | 'error_rate';
/**
 * Targets that replace the defaults; a key left out keeps its default.
 * @example
 * ```ts
 * const stricter: TargetOverrides = { error_rate: 0.001, throughput: 600 };
 * ```
 */
export type TargetOverrides = Partial<Record<TargetKey, number>>;

/**
 * The default targets: seconds (max), MB (max), percent (min), batches per minute (min), fraction (max).
 * @example
 * ```ts
 * import { DEFAULT_TARGETS } from 'sluice';
 * DEFAULT_TARGETS.error_rate; // at most this share of calls may fail
 * ```
 */
export const DEFAULT_TARGETS: Readonly<Record<TargetKey, number>> = {
  batch_generation_time: 0.5,
  memory_usage_mb: 75,
  optimization_rate: 70,
  throughput: 100,
  error_rate: 0.02,
};

/** Whether a bigger actual value is better (target is a minimum) or worse (a maximum). */
const AT_LEAST: Readonly<Record<TargetKey, boolean>> = {
  batch_generation_time: false,
  memory_usage_mb: false,
  optimization_rate: true,
  throughput: true,
  error_rate: false,
};

const KEYS = Object.keys(DEFAULT_TARGETS) as TargetKey[];

/**
 * The measured values the targets are checked against; null = not measured.
 * @example
 * ```ts
 * const metrics: TargetMetrics = {
 *   batch_generation_time: 0.002,
 *   memory_usage_mb: 40,
 *   optimization_rate: 95,
 *   throughput: null,
 *   error_rate: 0.01,
 * };
 * ```
 */
export type TargetMetrics = Readonly<Record<TargetKey, number | null>>;

/**
 * Checks measured values against the targets; a value that was not measured is neither met nor missed.
 * @example
 * ```ts
 * import { checkTargets } from 'sluice';
 * const { met, checks } = checkTargets(metrics, { error_rate: 0.005 });
 * for (const c of checks) console.log(c.metric, c.met ?? 'not measured');
 * ```
 */
export function checkTargets(
  metrics: TargetMetrics,
  overrides: TargetOverrides = {},
): { met: boolean; checks: TargetCheck[] } {
  const checks = KEYS.map((metric): TargetCheck => {
    const target = overrides[metric] ?? DEFAULT_TARGETS[metric];
    const actual = metrics[metric];
    if (actual === null || !Number.isFinite(actual)) return { metric, target, actual: null, met: null };
    return { metric, target, actual, met: AT_LEAST[metric] ? actual >= target : actual <= target };
  });
  return { met: checks.every((c) => c.met !== false), checks };
}

/** Validates a parsed targets document; `source` names it in errors. */
export function parseTargets(doc: unknown, source: string): TargetOverrides {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw usageError(`${source}: expected a mapping of target names to numbers`);
  const out: TargetOverrides = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!(KEYS as string[]).includes(key))
      throw usageError(`${source}: unknown target "${key}"; expected one of ${KEYS.join(', ')}`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw usageError(`${source}: target "${key}" must be a number >= 0, got ${JSON.stringify(value)}`);
    }
    out[key as TargetKey] = value;
  }
  return out;
}

/** Reads targets from a JSON or YAML file; a key left out keeps its default. */
export async function loadTargets(file: string): Promise<TargetOverrides> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw usageError(`--targets: cannot read ${file}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    throw usageError(`--targets: ${file} is not valid JSON or YAML`);
  }
  return parseTargets(doc, `--targets ${file}`);
}

/** Rating where lower is better: below `excellent` -> excellent, below `good` -> good. */
function lowerIsBetter(v: number | null, excellent: number, good: number): Rating | null {
  if (v === null || !Number.isFinite(v)) return null;
  return v < excellent ? 'excellent' : v < good ? 'good' : 'needs-optimization';
}

/** Rating where higher is better: above `excellent` -> excellent, above `good` -> good. */
function higherIsBetter(v: number | null, excellent: number, good: number): Rating | null {
  if (v === null || !Number.isFinite(v)) return null;
  return v > excellent ? 'excellent' : v > good ? 'good' : 'needs-optimization';
}

/** Generation time in seconds: < 0.1 excellent, < 1 good. */
export const rateGenerationTime = (seconds: number | null) => lowerIsBetter(seconds, 0.1, 1);
/** Memory in MB (the run's peak RSS growth over its start): < 50 excellent, < 100 good. */
export const rateMemory = (mb: number | null) => lowerIsBetter(mb, 50, 100);
/** Reduction rate in percent: > 80 excellent, > 50 good. */
export const rateOptimization = (percent: number | null) => higherIsBetter(percent, 80, 50);
/** API calls per second: > 10 excellent, > 5 good. */
export const rateCallRate = (perSecond: number | null) => higherIsBetter(perSecond, 10, 5);
/** Error rate as a fraction: < 0.01 excellent, < 0.05 good. */
export const rateErrorRate = (fraction: number | null) => lowerIsBetter(fraction, 0.01, 0.05);
