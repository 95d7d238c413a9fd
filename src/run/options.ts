/**
 * Executor options, their defaults (in one place) and the per-run context built from them.
 */
import { setMaxListeners } from 'node:events';
import type { Batch } from '../core/types.js';
import type { Source } from '../core/source.js';
import type { Limit, Pacer, RateLimit } from '../core/pacing.js';
import type { ExecutorEvents } from '../core/events.js';
import { DEFAULTS } from '../core/defaults.js';
import { ErrorCodes, SluiceError } from '../core/errors.js';
import type { BackoffOptions } from './backoff.js';
import { realClock, type Clock } from './clock.js';
import { CallRegistry } from './deadline.js';
import type { RunContext } from './call.js';
import { fixedLimit } from './limits/fixed.js';
import { createPacer } from './pacer/pacer.js';
import { RowBudget } from './budget.js';
import { CircuitBreaker, type BreakerOptions } from './breaker.js';

/**
 * Options of `execute` and `runBatch`: the source, concurrency, pacing, retries and timeouts.
 * @example
 * ```ts
 * const options: ExecutorOptions = {
 *   source,
 *   concurrency: gradientLimit({ max: 16 }),
 *   pacer: { calls: 500, intervalMs: 60_000 },
 *   retries: 5,
 *   timeoutMs: 30_000,
 *   backoff: { baseMs: 250, maxMs: 30_000 },
 * };
 * ```
 */
export interface ExecutorOptions {
  readonly source: Source;
  /**
   * Batches in flight at once: a number, or a Limit rule fed with call samples.
   * @default 4
   */
  readonly concurrency?: number | Limit;
  /**
   * Most fetched rows the run holds in memory at once (0 = no limit): rows of pages fetched by
   * batches in flight, of finished outcomes not yet taken, and of the outcome the consumer took
   * last (released when it asks for the next one). A call that would go past it waits before its
   * pacing slot; the oldest batch in flight may always go on, so batches larger than the budget
   * still complete. See budget.ts for the exact rule and bound.
   * @default 50000
   */
  readonly maxRowsHeld?: number;
  /**
   * Call pacing: a Pacer (shared between runs), or a spec the executor builds one from.
   * @default undefined (unpaced; a refusal still waits as told)
   */
  readonly pacer?: Pacer | RateLimit | 'adaptive';
  /**
   * Retries of one call after retryable failures (a call runs at most retries + 1 times).
   * @default 5
   */
  readonly retries?: number;
  /**
   * Rate-limit refusals one call may get before its batch fails (refusals are not failures, but a
   * misconfigured quota must not loop forever).
   * @default 50
   */
  readonly maxRateLimitRetries?: number;
  /**
   * When a daily quota is used up (SLUICE_QUOTA_EXHAUSTED), wait for it to reset (the pacer blocks
   * the API until then) instead of stopping the run.
   * @default false
   */
  readonly waitForQuotaReset?: boolean;
  /** @default { baseMs: 250, maxMs: 30000 } */
  readonly backoff?: BackoffOptions;
  /**
   * Per-call timeout; 0 disables it.
   * @default 30000
   */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * The circuit breaker (breaker.ts): stop the run when every call to the API has failed for
   * `afterMs` and `afterCalls`; `false` turns it off; a CircuitBreaker instance is shared as is.
   * @default { afterMs: 30000, afterCalls: 20 }
   */
  readonly breaker?: BreakerOptions | CircuitBreaker | false;
  /** Split a batch whose window overflowed; return undefined or [] when it cannot be split. */
  readonly split?: (batch: Batch) => readonly Batch[] | undefined;
  readonly events?: ExecutorEvents;
  /** @default performance.now() and ordinary timers */
  readonly clock?: Clock;
  /**
   * Random numbers in [0, 1) for backoff jitter.
   * @default Math.random
   */
  readonly random?: () => number;
}

/**
 * The executor's defaults (concurrency, row budget, retries, timeout), read from the library's one
 * table of defaults (core/defaults.ts).
 * @example
 * ```ts
 * import { EXECUTOR_DEFAULTS } from 'sluice';
 * EXECUTOR_DEFAULTS.concurrency; // 4
 * ```
 */
export const EXECUTOR_DEFAULTS = DEFAULTS.executor;

export interface RunSetup {
  readonly run: RunContext;
  readonly controller: AbortController;
  readonly limit: Limit;
  /** Batches in flight, kept current by the executor (limit samples read it). */
  readonly counter: { inflight: number };
  /** The row budget; undefined when unlimited. */
  readonly budget: RowBudget | undefined;
  dispose(): void;
}

function isPacer(p: ExecutorOptions['pacer']): p is Pacer {
  return typeof p === 'object' && typeof (p as Pacer).acquire === 'function';
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new SluiceError(ErrorCodes.USAGE, `Expected ${name} to be an integer >= 0, got ${value}`);
  }
  return value;
}

/**
 * Build a run from its options. `onAbort` runs when the run is aborted, after `run.aborted` is
 * set (the executor wakes a waiting consumer with it).
 */
export function openRun(options: ExecutorOptions, onAbort?: () => void): RunSetup {
  const clock = options.clock ?? realClock;
  const events = options.events;
  const concurrency = options.concurrency ?? EXECUTOR_DEFAULTS.concurrency;
  if (typeof concurrency === 'number' && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new SluiceError(ErrorCodes.USAGE, `Expected concurrency to be an integer >= 1, got ${concurrency}`);
  }
  const limit = typeof concurrency === 'number' ? fixedLimit(concurrency) : concurrency;
  // Without a quota calls start unpaced, but through a pacer all the same: the first refusal must
  // slow every call to that API (and teach it the quota), not only the refused one.
  const pacer = isPacer(options.pacer) ? options.pacer : createPacer(options.pacer, { clock, events });
  const timeoutMs = nonNegativeInteger('timeoutMs', options.timeoutMs ?? EXECUTOR_DEFAULTS.timeoutMs);
  const maxRowsHeld = nonNegativeInteger('maxRowsHeld', options.maxRowsHeld ?? EXECUTOR_DEFAULTS.maxRowsHeld);
  // a call reserves room for a full page; a source without a usable row cap reserves nothing
  const cap = options.source.rowCap;
  const budget =
    maxRowsHeld > 0 ? new RowBudget(maxRowsHeld, Number.isSafeInteger(cap) && cap > 0 ? cap : 0) : undefined;
  const controller = new AbortController();
  // every waiting call listens on the run signal; hundreds of them are normal, not a leak
  setMaxListeners(0, controller.signal);
  // The first listener, so every other one (and all code after abort()) sees run.aborted set.
  // `run` is assigned below, before anything can abort the controller.
  controller.signal.addEventListener(
    'abort',
    () => {
      run.aborted = true;
      budget?.abort(controller.signal.reason);
      onAbort?.();
    },
    { once: true },
  );

  const counter = { inflight: 0 };
  const adaptive = typeof concurrency !== 'number';
  const onSample = adaptive
    ? (rttMs: number, dropped: boolean): void => {
        const before = limit.current;
        const after = limit.onSample({ nowMs: clock.now(), rttMs, inflight: counter.inflight, dropped });
        if (after !== before && events?.has('concurrency')) {
          events.emit('concurrency', { tMs: Date.now(), limit: after, inflight: counter.inflight });
        }
      }
    : (): void => {};
  const run: RunContext = {
    api: options.source.api,
    pacer,
    retries: nonNegativeInteger('retries', options.retries ?? EXECUTOR_DEFAULTS.retries),
    maxRateLimitRetries: nonNegativeInteger(
      'maxRateLimitRetries',
      options.maxRateLimitRetries ?? EXECUTOR_DEFAULTS.maxRateLimitRetries,
    ),
    waitForQuotaReset: options.waitForQuotaReset ?? EXECUTOR_DEFAULTS.waitForQuotaReset,
    backoff: options.backoff ?? {},
    timeoutMs,
    clock,
    random: options.random ?? Math.random,
    events,
    signal: controller.signal,
    aborted: false,
    calls: new CallRegistry(clock, timeoutMs, controller.signal),
    breaker:
      options.breaker === false
        ? undefined
        : options.breaker instanceof CircuitBreaker
          ? options.breaker
          : new CircuitBreaker(options.breaker),
    onSample,
  };
  const outer = options.signal;
  const onOuterAbort = (): void =>
    controller.abort(new SluiceError(ErrorCodes.ABORTED, 'run cancelled', {}, { cause: outer?.reason }));
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return { run, controller, limit, counter, budget, dispose: () => outer?.removeEventListener('abort', onOuterAbort) };
}
