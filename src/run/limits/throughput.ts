/**
 * The throughput-window concurrency rule.
 * Samples are grouped into consecutive windows of `windowSize` completions. A window's throughput
 * is its completions divided by the time from the end of the previous window to its last
 * completion (the first window starts when its first unit started). When a window's throughput
 * is more than `threshold` above the previous window's, the limit grows by one; more than
 * `threshold` below, it shrinks by one; clamped to [min, max]. A window of zero duration is not
 * closed until time has passed, so there is never a division by zero.
 */
import { usageError } from '../../core/errors.js';
import type { Limit, LimitSample } from '../../core/pacing.js';

/**
 * Options of `throughputLimit`.
 * @example
 * ```ts
 * throughputLimit({ initial: 3, min: 1, max: 10, windowSize: 5, threshold: 0.1 });
 * ```
 */
export interface ThroughputLimitOptions {
  /** @default 3 */
  readonly initial?: number;
  /** @default 1 */
  readonly min?: number;
  /** @default 10 */
  readonly max?: number;
  /**
   * Completions per window.
   * @default 5
   */
  readonly windowSize?: number;
  /**
   * Relative change that moves the limit.
   * @default 0.1
   */
  readonly threshold?: number;
}

export interface ThroughputState {
  readonly limit: number;
  /** Completions in the open window. */
  readonly count: number;
  /** Start of the open window (ms), NaN before the first sample. */
  readonly windowStartMs: number;
  /** Throughput of the last closed window (units per second), NaN if none. */
  readonly previous: number;
}

/** Pure step of the rule. */
export function throughputStep(
  state: ThroughputState,
  sample: LimitSample,
  o: Required<ThroughputLimitOptions>,
): ThroughputState {
  const windowStartMs = Number.isNaN(state.windowStartMs) ? sample.nowMs - sample.rttMs : state.windowStartMs;
  const count = state.count + 1;
  const spanMs = sample.nowMs - windowStartMs;
  if (count < o.windowSize || spanMs <= 0) return { ...state, count, windowStartMs };
  const throughput = (count * 1000) / spanMs;
  let limit = state.limit;
  if (!Number.isNaN(state.previous)) {
    if (throughput > state.previous * (1 + o.threshold)) limit = Math.min(o.max, limit + 1);
    else if (throughput < state.previous * (1 - o.threshold)) limit = Math.max(o.min, limit - 1);
  }
  return { limit, count: 0, windowStartMs: sample.nowMs, previous: throughput };
}

/**
 * The throughput-window rule as a concurrency limit: +1 or -1 when throughput moves by more than
 * `threshold` between windows of `windowSize` completions, within [min, max].
 * @example
 * ```ts
 * import { execute, throughputLimit } from 'sluice';
 * execute(batches, { source, concurrency: throughputLimit({ max: 10 }) });
 * ```
 */
export function throughputLimit(options: ThroughputLimitOptions = {}): Limit {
  const o: Required<ThroughputLimitOptions> = {
    initial: options.initial ?? 3,
    min: options.min ?? 1,
    max: options.max ?? 10,
    windowSize: options.windowSize ?? 5,
    threshold: options.threshold ?? 0.1,
  };
  if (o.min < 1 || o.max < o.min) throw usageError(`Expected 1 <= min <= max, got min ${o.min}, max ${o.max}`);
  let state: ThroughputState = {
    limit: Math.min(o.max, Math.max(o.min, o.initial)),
    count: 0,
    windowStartMs: NaN,
    previous: NaN,
  };
  return {
    get current() {
      return state.limit;
    },
    onSample(sample: LimitSample): number {
      state = throughputStep(state, sample, o);
      return state.limit;
    },
  };
}
