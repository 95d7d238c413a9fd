/**
 * A pace rule decides when the next call for one key may start. Rules are plain state machines
 * driven by the caller's clock readings, so they can be tested without timers.
 */
import type { RateLimitedInfo } from '../../core/pacing.js';

export interface PaceRule {
  /** Earliest time (>= now) at which one more call may start. */
  nextAt(now: number): number;
  /** A call started at `now` (the caller checked `nextAt(now) <= now`). */
  record(now: number): void;
  /** Current pace, calls per minute. */
  callsPerMinute(): number;
  /** A call finished without a rate-limit refusal. */
  onSuccess?(now: number): void;
  /** A call was refused for rate; returns true when the pace changed. */
  onRateLimited?(now: number, info: RateLimitedInfo): boolean;
}
