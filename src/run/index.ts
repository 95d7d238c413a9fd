/** The executor room's public API. */
export { execute } from './executor.js';
export { runBatch } from './batch.js';
export { CircuitBreaker, BREAKER_DEFAULTS, type BreakerOptions } from './breaker.js';
export type { BatchOutcome, DoneOutcome, FailedOutcome, SplitOutcome } from './outcome.js';
export { EXECUTOR_DEFAULTS, type ExecutorOptions } from './options.js';
export { backoffMs, backoffCeilingMs, BACKOFF_DEFAULTS, type BackoffOptions } from './backoff.js';
export { realClock, sleep, type Clock, type TimerHandle } from './clock.js';
export { createPacer, type PacerOptions } from './pacer/pacer.js';
export { SlidingWindowRule, FixedWindowRule, defaultGuardMs } from './pacer/sliding.js';
export { AdaptiveRule, type AdaptiveOptions } from './pacer/adaptive.js';
export type { PaceRule } from './pacer/rule.js';
export { fixedLimit } from './limits/fixed.js';
export {
  throughputLimit,
  throughputStep,
  type ThroughputLimitOptions,
  type ThroughputState,
} from './limits/throughput.js';
export { gradientLimit, gradientStep, type GradientLimitOptions, type GradientState } from './limits/gradient.js';
