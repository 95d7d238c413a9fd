/**
 * The circuit breaker: when every call to an API has failed for a while — at least `afterMs` since
 * the first failure after the last success AND at least `afterCalls` failed calls — the run stops
 * with a fatal SLUICE_UNAVAILABLE naming the cause, instead of burning retries on every batch.
 * Batches in flight are left unfinished in the journal, so `--resume` picks them up once the
 * server answers again. Only failed calls count: a rate-limit refusal is an answer of a live server
 * and neither trips nor resets the breaker; any successful call resets it.
 */
import { ErrorCodes, SluiceError } from '../core/errors.js';
import { KindCounter } from '../core/error-kinds.js';
import { scrub } from '../core/secrets.js';
import { DEFAULTS } from '../core/defaults.js';

/**
 * When the circuit breaker trips (a job's `execution.breaker`; `false` turns it off).
 * @example
 * ```ts
 * execute(batches, { source, breaker: { afterMs: 10_000, afterCalls: 10 } });
 * ```
 */
export interface BreakerOptions {
  /**
   * Time every call has been failing before the breaker trips.
   * @default 30000
   */
  readonly afterMs?: number;
  /**
   * Failed calls (retries included) in a row before the breaker trips.
   * @default 20
   */
  readonly afterCalls?: number;
}

/**
 * The breaker's defaults: 30 s and 20 failed calls.
 * @example
 * ```ts
 * const lenient = { afterMs: BREAKER_DEFAULTS.afterMs * 4, afterCalls: BREAKER_DEFAULTS.afterCalls };
 * ```
 */
export const BREAKER_DEFAULTS = DEFAULTS.executor.breaker;

interface Streak {
  readonly sinceMs: number;
  readonly kinds: KindCounter;
}

/**
 * Counts each API's streak of failed calls and says when to stop. One instance may be shared by
 * several runs (as a pacer is), so that they stop together.
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ afterMs: 5000, afterCalls: 10 });
 * for await (const outcome of execute(batches, { source, breaker })) console.log(outcome.status);
 * ```
 */
export class CircuitBreaker {
  private readonly afterMs: number;
  private readonly afterCalls: number;
  private readonly streaks = new Map<string, Streak>();

  constructor(options: BreakerOptions = {}) {
    this.afterMs = options.afterMs ?? BREAKER_DEFAULTS.afterMs;
    this.afterCalls = options.afterCalls ?? BREAKER_DEFAULTS.afterCalls;
    for (const [name, v] of [
      ['execution.breaker.afterMs', this.afterMs],
      ['execution.breaker.afterCalls', this.afterCalls],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new SluiceError(ErrorCodes.USAGE, `${name}: expected a whole number >= 0, got ${v}`);
    }
  }

  /** A call to `api` succeeded: the streak of failures ends. */
  onSuccess(api: string): void {
    if (this.streaks.size > 0) this.streaks.delete(api);
  }

  /** A call to `api` failed; returns the error that stops the run when the breaker trips. */
  onFailure(api: string, nowMs: number, code: string | number | undefined, message: string): SluiceError | undefined {
    let streak = this.streaks.get(api);
    if (!streak) {
      streak = { sinceMs: nowMs, kinds: new KindCounter() };
      this.streaks.set(api, streak);
    }
    streak.kinds.add(code, message);
    const forMs = nowMs - streak.sinceMs;
    if (streak.kinds.total < this.afterCalls || forMs < this.afterMs) return undefined;
    const calls = streak.kinds.total;
    const top = streak.kinds.top(1)[0];
    return new SluiceError(
      ErrorCodes.UNAVAILABLE,
      scrub(
        `${api}: every call failed for ${(forMs / 1000).toFixed(1)} s (${calls} calls), most often: ${top.example} ` +
          `(${top.count} of ${calls}); the circuit breaker stopped the run (execution.breaker). ` +
          'Finished batches are saved: run again with --resume once the server answers',
      ),
      { upstreamCode: top.code },
    );
  }
}
