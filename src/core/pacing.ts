/**
 * Pacing and concurrency contracts. A pacer hands out call slots per key (API name) and learns from
 * rate-limit answers; a pace rule is the pure state machine a pacer drives for each key; a limit is
 * a pure rule that turns samples into a concurrency limit. The in-process pacer and the Redis pacer
 * drive the same pace rules: only where the rule's state lives differs.
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
 * pacer.onRateLimited('daily', { retryAfterMs: 1000, quota: { calls: 500, intervalMs: 60_000 } });
 * ```
 */
export interface RateLimitedInfo {
  /** Server's Retry-After hint. */
  readonly retryAfterMs?: number;
  /** Quota the server named (Tushare: "每分钟最多访问该接口N次" is 500 calls per 60,000 ms). */
  readonly quota?: { calls: number; intervalMs: number };
  /**
   * A quota of a longer period is used up (Tushare's per-day quota): wait `retryAfterMs` (until it
   * resets) without changing the pace.
   */
  readonly exhausted?: boolean;
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
  /** The quota the server named for `key` during this pacer's life, if any (stored for the next run). */
  learnedQuota?(key: string): { calls: number; intervalMs: number } | undefined;
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

/** What happens to one key, as its pace rule sees it. */
export type PaceEvent =
  /** A call was granted a slot and starts now. */
  | { readonly type: 'start' }
  /** A call ended without a rate-limit refusal (success, failure, timeout or abort). */
  | { readonly type: 'end' }
  /** A call was refused for rate. */
  | { readonly type: 'refused'; readonly info: RateLimitedInfo };

/**
 * A pace rule: when the next call for one key may start, as a pure state machine
 * (`state + event + now -> state`). The rule holds nothing itself; a pacer keeps one state per key
 * wherever it likes (process memory, or Redis for processes that share a quota), so states are
 * plain JSON data. Times are milliseconds of the clock the pacer shares between its callers.
 */
export interface PaceRule<S> {
  /** The state of a key that has seen no call yet. */
  initial(now: number): S;
  /** Earliest time (>= now) at which one more call may start. */
  nextAt(state: S, now: number): number;
  /** The state after `event` at `now`; may update `state` in place and return it. */
  step(state: S, event: PaceEvent, now: number): S;
  /** The pace `state` stands for, calls per minute (Infinity when unpaced). */
  callsPerMinute(state: S): number;
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
