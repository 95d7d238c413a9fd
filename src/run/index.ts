/** The executor room's public API. */
export { execute } from './executor.js';
export { runBatch } from './batch.js';
export { CircuitBreaker, BREAKER_DEFAULTS, type BreakerOptions } from './breaker.js';
export type { BatchOutcome, DoneOutcome, FailedOutcome, SplitOutcome } from './outcome.js';
export { EXECUTOR_DEFAULTS, type ExecutorOptions } from './options.js';
export { backoffMs, backoffCeilingMs, BACKOFF_DEFAULTS, type BackoffOptions } from './backoff.js';
export { realClock, sleep, type Clock, type TimerHandle } from './clock.js';
export { createPacer, type PacerOptions, type PaceSpecs } from './pacer/pacer.js';
export { paceRule, learnedWindow, type KeyState, type PaceRuleOptions, type PaceSpec } from './pacer/rule.js';
export { defaultGuardMs } from './pacer/window.js';
export type { AdaptiveOptions } from './pacer/adaptive.js';
export { fixedLimit } from './limits/fixed.js';
export {
  throughputLimit,
  throughputStep,
  type ThroughputLimitOptions,
  type ThroughputState,
} from './limits/throughput.js';
export { gradientLimit, gradientStep, type GradientLimitOptions, type GradientState } from './limits/gradient.js';
