/**
 * Ratings (excellent / good / needs-optimization for each metric) and performance targets
 * (PERFORMANCE_TARGETS, overridable), with one rule: a metric the run did not measure is `null`
 * ("not measured"), never 0.
 *
 * Throughput is rows per second (a plan of a few large windows moves as many rows as one of many
 * small ones, so batches per minute would punish the plan with the fewest calls), and `quota_use`
 * is the run's calls per second over the quota's: how much of what the API allows the run used.
 *
 * How "not measured" counts: it neither passes nor fails. `targets.met` is false only when at
 * least one MEASURED check fails; a run where nothing was measured has `met: true` and every
 * check shows `met: null`.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../core/errors.js';
import { DEFAULTS } from '../core/defaults.js';
import type { Rating, TargetCheck, TargetsReport } from '../core/report.js';

/**
 * The performance targets' names.
 * @example
 * ```ts
 * const key: TargetKey = 'error_rate';
 * ```
 */
export type TargetKey = keyof typeof DEFAULTS.targets;
/**
 * Targets that replace the defaults; a key left out keeps its default.
 * @example
 * ```ts
 * const stricter: TargetOverrides = { error_rate: 0.001, throughput: 5000 };
 * ```
 */
export type TargetOverrides = Partial<Record<TargetKey, number>>;

/**
 * The default targets (DEFAULTS.targets): seconds (max), MB (max), percent (min), rows per second
 * (min), calls/s over the quota's calls/s (min), fraction (max).
 * @example
 * ```ts
 * import { DEFAULT_TARGETS } from 'sluice';
 * DEFAULT_TARGETS.error_rate; // at most this share of calls may fail
 * ```
 */
export const DEFAULT_TARGETS: Readonly<Record<TargetKey, number>> = DEFAULTS.targets;

/** Whether a bigger actual value is better (target is a minimum) or worse (a maximum). */
const AT_LEAST: Readonly<Record<TargetKey, boolean>> = {
  batch_generation_time: false,
  memory_usage_mb: false,
  optimization_rate: true,
  throughput: true,
  quota_use: true,
  error_rate: false,
};

/** The unit each target's value is in (stored with every check, so a reader knows what it compares). */
export const TARGET_UNITS: Readonly<Record<TargetKey, string>> = {
  batch_generation_time: 's',
  memory_usage_mb: 'MB',
  optimization_rate: '%',
  throughput: 'rows/s',
  quota_use: 'x quota',
  error_rate: 'fraction',
};

/** The target names, in report order. */
export const TARGET_KEYS = Object.keys(DEFAULT_TARGETS) as [TargetKey, ...TargetKey[]];

/**
 * The measured values the targets are checked against; null = not measured.
 * @example
 * ```ts
 * const metrics: TargetMetrics = {
 *   batch_generation_time: 0.002,
 *   memory_usage_mb: 40,
 *   optimization_rate: 95,
 *   throughput: 25_000,
 *   quota_use: null,
 *   error_rate: 0.01,
 * };
 * ```
 */
export type TargetMetrics = Readonly<Record<TargetKey, number | null>>;

/**
 * Checks measured values against the targets; a value that was not measured is neither met nor missed.
 * `enforced` says whether a miss fails the run (the job set `targets:` or `--targets` was given);
 * the checks are the same either way.
 * @example
 * ```ts
 * import { checkTargets } from 'sluice';
 * const { met, checks } = checkTargets(metrics, { error_rate: 0.005 });
 * for (const c of checks) console.log(c.metric, c.unit, c.met ?? 'not measured');
 * ```
 */
export function checkTargets(metrics: TargetMetrics, overrides: TargetOverrides = {}, enforced = false): TargetsReport {
  const checks = TARGET_KEYS.map((metric): TargetCheck => {
    const target = overrides[metric] ?? DEFAULT_TARGETS[metric];
    const unit = TARGET_UNITS[metric];
    const actual = metrics[metric];
    if (actual === null || !Number.isFinite(actual)) return { metric, target, unit, actual: null, met: null };
    return { metric, target, unit, actual, met: AT_LEAST[metric] ? actual >= target : actual <= target };
  });
  return { met: checks.every((c) => c.met !== false), enforced, checks };
}

/** Validates a parsed targets document; `source` names it in errors. */
export function parseTargets(doc: unknown, source: string): TargetOverrides {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw usageError(`${source}: expected a mapping of target names to numbers`);
  const out: TargetOverrides = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!(TARGET_KEYS as string[]).includes(key))
      throw usageError(`${source}: unknown target "${key}"; expected one of ${TARGET_KEYS.join(', ')}`);
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
