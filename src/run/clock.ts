/**
 * Time as the executor sees it. Injectable so tests can drive pacers and backoff with a fake clock;
 * the real clock is `performance.now()` plus ordinary timers.
 */

export type TimerHandle = unknown;

/**
 * Time as the executor sees it: monotonic milliseconds and timers. Pass your own to drive a run
 * in tests without waiting.
 * @example
 * ```ts
 * // a clock that tests advance by hand
 * const timers: Array<{ at: number; fn: () => void }> = [];
 * let now = 0;
 * const clock: Clock = {
 *   now: () => now,
 *   setTimer: (fn, ms) => {
 *     const t = { at: now + ms, fn };
 *     timers.push(t);
 *     return t;
 *   },
 *   clearTimer: (t) => void timers.splice(timers.indexOf(t as (typeof timers)[number]), 1),
 * };
 * execute(batches, { source, clock });
 * ```
 */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Run `fn` after `ms` milliseconds. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

// Read the global once: on Node 20 every `performance` lookup goes through a lazy getter, and
// the executor reads the clock several times per batch.
const perf = performance;

export const realClock: Clock = {
  now: () => perf.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/** Sleep on `clock`; rejects with the signal's reason when aborted. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimer(handle);
      reject(abortReason(signal as AbortSignal));
    };
    const handle = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
