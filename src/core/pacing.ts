/**
 * Pacing and concurrency contracts. A pacer hands out call slots per key (API name) and learns from
 * rate-limit answers; a limit is a pure rule that turns samples into a concurrency limit. The local
 * executor and the distributed (Redis) engine implement the same interfaces.
 */

/**
 * A fixed quota: at most `calls` call starts in any `intervalMs`.
 * @example
 * ```ts
 * const quota: RateLimit = { calls: 500, intervalMs: 60_000 }; // 500 calls per minute, any minute
 * execute(batches, { source, pacer: quota });
 * ```
 */
export interface RateLimit {
  readonly calls: number;
  readonly intervalMs: number;
  /**
   * `sliding`: never more than `calls` starts in ANY interval of `intervalMs` (safe against both
   * sliding and fixed-window servers). `fixed`: per aligned window of `intervalMs`.
   * @default 'sliding'
   */
  readonly window?: 'sliding' | 'fixed';
}

/**
 * What the server told us when it refused a call for rate.
 * @example
 * ```ts
 * pacer.onRateLimited('daily', { retryAfterMs: 1000, quotaPerMinute: 500 });
 * ```
 */
export interface RateLimitedInfo {
  /** Server's Retry-After hint. */
  readonly retryAfterMs?: number;
  /** Quota the server named (Tushare: "每分钟最多访问该接口N次"), in calls per minute. */
  readonly quotaPerMinute?: number;
}

/**
 * Hands out call slots per key (API name) and learns from rate-limit answers.
 * @example
 * ```ts
 * const pacer: Pacer = createPacer('adaptive');
 * await pacer.acquire('daily');
 * ```
 */
export interface Pacer {
  /** Resolves when one call for `key` may start; rejects with the signal's reason when aborted. */
  acquire(key: string, signal?: AbortSignal): Promise<void>;
  /**
   * Optional fast path: take a slot for `key` now if one is free and nobody waits for one, and
   * return true; return false (taking nothing) otherwise, and the caller falls back to acquire().
   * Saves a promise per call when no wait is needed.
   */
  tryAcquire?(key: string): boolean;
  /** The call that got the last slot was refused for rate: slow down at once. */
  onRateLimited(key: string, info: RateLimitedInfo): void;
  /** A call completed without a rate-limit refusal. */
  onSuccess(key: string): void;
  /** Current pace in calls per minute (Infinity when unpaced). */
  rate(key: string): number;
}

/**
 * One completed (or dropped) unit of work, as a concurrency limit sees it.
 * @example
 * ```ts
 * limit.onSample({ nowMs: performance.now(), rttMs: 120, inflight: 4, dropped: false });
 * ```
 */
export interface LimitSample {
  /** Completion time (ms, monotonic). */
  readonly nowMs: number;
  /** Round-trip time of the unit. */
  readonly rttMs: number;
  /** Units in flight when it completed. */
  readonly inflight: number;
  /** True when it failed for overload (timeout, rate limit, 5xx). */
  readonly dropped: boolean;
}

/**
 * A concurrency rule: pure state update from samples to a limit.
 * @example
 * ```ts
 * const limit: Limit = gradientLimit();
 * execute(batches, { source, concurrency: limit });
 * ```
 */
export interface Limit {
  /** The current limit (>= 1). */
  readonly current: number;
  /** Feed one sample; returns the (possibly new) limit. */
  onSample(sample: LimitSample): number;
}
