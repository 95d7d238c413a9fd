/**
 * Exponential backoff with full jitter: the wait before retry `attempt` (1-based) is uniform in
 * [0, min(maxMs, baseMs * 2^(attempt-1))). Full jitter spreads retries of many callers that failed
 * together, so they do not hit the server again in lockstep.
 */
import { DEFAULTS } from '../core/defaults.js';

export interface BackoffOptions {
  /**
   * Cap of the first retry's wait.
   * @default 250
   */
  readonly baseMs?: number;
  /**
   * Upper bound of any wait.
   * @default 30000
   */
  readonly maxMs?: number;
}

export const BACKOFF_DEFAULTS = DEFAULTS.backoff;

/** The capped exponential ceiling for `attempt` (no jitter). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const maxMs = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  const exponent = Math.max(0, Math.min(attempt - 1, 60));
  return Math.max(0, Math.min(maxMs, baseMs * 2 ** exponent));
}

/** Full-jitter wait before retry `attempt`; `random` returns a number in [0, 1). */
export function backoffMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.floor(unit * backoffCeilingMs(attempt, options));
}
