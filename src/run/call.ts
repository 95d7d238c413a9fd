/**
 * The CallContext the executor hands to `source.fetch`: one upstream call = pacing slot, deadline,
 * timing, events and retries. Retryable failures back off with full jitter and count against
 * `retries`; rate-limited answers wait as told and do not count (bounded separately); overflow
 * and fatal failures are re-thrown at once.
 */
import type { CallContext, CallInfo } from '../core/source.js';
import type { Batch, CallStatus, Page } from '../core/types.js';
import type { ExecutorEvents } from '../core/events.js';
import type { Pacer } from '../core/pacing.js';
import { ErrorCodes, SluiceError, isSluiceError, messageOf } from '../core/errors.js';
import { backoffMs, type BackoffOptions } from './backoff.js';
import { scrub } from '../core/secrets.js';
import { sleep, type Clock } from './clock.js';
import type { CallRegistry } from './deadline.js';
import type { Ticket } from './budget.js';
import type { CircuitBreaker } from './breaker.js';
import { malformedPageError, pageShapeProblem } from './page-check.js';

/** What every call of a run shares. */
export interface RunContext {
  readonly api: string;
  readonly pacer: Pacer | undefined;
  readonly retries: number;
  readonly maxRateLimitRetries: number;
  /** A used-up daily quota (SLUICE_QUOTA_EXHAUSTED) waits for its reset instead of stopping the run. */
  readonly waitForQuotaReset: boolean;
  readonly backoff: BackoffOptions;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly events: ExecutorEvents | undefined;
  /** Aborted when the run is cancelled or hits a fatal error. */
  readonly signal: AbortSignal;
  /**
   * signal.aborted, mirrored by the signal's first abort listener. Hot paths read this instead:
   * on Node 20 every AbortSignal gets a hidden class of its own, so code reading `.aborted` of a
   * new run's signal deoptimizes, run after run.
   */
  aborted: boolean;
  readonly calls: CallRegistry;
  /** Stops the run when every call to the API has failed for a while; undefined when off. */
  readonly breaker: CircuitBreaker | undefined;
  /** Feed one call sample to the concurrency limit. */
  readonly onSample: (rttMs: number, dropped: boolean) => void;
}

/** The run was cancelled: the error the run's signal carries, as a SluiceError. */
export function abortedError(signal: AbortSignal): SluiceError {
  const r = signal.reason;
  if (isSluiceError(r)) return r;
  return new SluiceError(ErrorCodes.ABORTED, 'run cancelled', {}, { cause: r });
}

function statusOf(e: SluiceError): CallStatus {
  return e.kind ?? 'fatal';
}

export class BatchCalls implements CallContext {
  /** Upstream calls made, retries included. */
  calls = 0;
  /** Highest attempt number any call of the batch needed. */
  attempts = 0;

  constructor(
    private readonly batch: Batch,
    private readonly run: RunContext,
    /** The batch's place in the row budget; undefined when the run has none. */
    private readonly ticket?: Ticket,
  ) {}

  get signal(): AbortSignal {
    return this.run.signal;
  }

  async call(fn: (signal: AbortSignal) => Promise<Page>, info: CallInfo): Promise<Page> {
    const run = this.run;
    const ev = run.events;
    let failures = 0;
    let refusals = 0;
    let lastRefused = false;
    for (;;) {
      if (run.aborted) throw abortedError(run.signal);
      // room in the row budget first: a call waiting for rows must not hold (or spend) quota
      const ticket = this.ticket;
      if (ticket !== undefined && !ticket.budget.tryAdmit(ticket)) {
        await this.waitForRows(ticket);
        if (run.aborted) {
          ticket.budget.settle(ticket, 0);
          throw abortedError(run.signal);
        }
      }
      // the synchronous fast path when a slot is free: no promise, no timing of a wait
      if (run.pacer && !run.pacer.tryAcquire?.(run.api)) {
        const t0 = run.clock.now();
        try {
          await run.pacer.acquire(run.api, run.signal);
        } catch {
          ticket?.budget.settle(ticket, 0);
          throw abortedError(run.signal);
        }
        const waitMs = run.clock.now() - t0;
        if (waitMs >= 1 && ev?.has('pace:wait')) {
          ev.emit('pace:wait', {
            api: run.api,
            key: this.batch.key,
            tMs: Date.now(),
            waitMs,
            reason: lastRefused ? 'rate-limited' : 'quota',
          });
        }
      }
      const attempt = failures + refusals + 1;
      if (attempt > this.attempts) this.attempts = attempt;
      this.calls++;
      if (ev?.has('call:start'))
        ev.emit('call:start', { api: run.api, key: this.batch.key, tMs: Date.now(), page: info.page, attempt });
      const t = run.clock.now();
      const active = run.calls.open(t);
      let page: Page | undefined;
      let thrown: unknown;
      try {
        page = await fn(active.signal);
      } catch (e) {
        thrown = e;
      } finally {
        run.calls.close(active);
      }
      if (page !== undefined && thrown === undefined) {
        // one check for every source: a row that does not match `fields` must never reach a table
        const problem = pageShapeProblem(page);
        if (problem !== undefined) {
          thrown = malformedPageError(problem, this.batch.key, info, attempt);
          page = undefined;
        }
      }
      ticket?.budget.settle(ticket, page !== undefined && thrown === undefined ? page.items.length : 0);
      const ms = run.clock.now() - t;
      if (page !== undefined && thrown === undefined) {
        run.pacer?.onSuccess(run.api);
        run.breaker?.onSuccess(run.api);
        run.onSample(ms, false);
        this.end(info, attempt, ms, page.items.length, 'ok');
        return page;
      }
      if (run.aborted) {
        // the call has ended: its pacing slot settles (hold mode frees it)
        run.pacer?.onSuccess(run.api);
        this.end(info, attempt, ms, 0, 'aborted');
        throw abortedError(run.signal);
      }
      const error = active.timedOut
        ? new SluiceError(
            ErrorCodes.RETRYABLE,
            `call timed out after ${run.timeoutMs} ms`,
            { batchKey: this.batch.key, attempt },
            { cause: thrown },
          )
        : isSluiceError(thrown)
          ? thrown
          : new SluiceError(
              ErrorCodes.RETRYABLE,
              `call failed: ${describeThrown(thrown)}`,
              { batchKey: this.batch.key, attempt },
              { cause: thrown },
            );
      // a used-up daily quota, when the job waits for its reset: a refusal like any other
      const exhausted = run.waitForQuotaReset && error.code === ErrorCodes.QUOTA_EXHAUSTED;
      const status = exhausted ? 'rate-limited' : statusOf(error);
      // the call completed without a refusal (the pacer counts completions, not only successes)
      if (status !== 'rate-limited') run.pacer?.onSuccess(run.api);
      const code = error.context.upstreamCode ?? error.code;
      this.end(info, attempt, ms, 0, status, code, error.message);
      if (status === 'rate-limited') {
        run.onSample(ms, true);
        if (!exhausted) refusals++;
        lastRefused = true;
        if (refusals > run.maxRateLimitRetries) throw error;
        const retryAfterMs = error.context.retryAfterMs;
        if (run.pacer) {
          run.pacer.onRateLimited(run.api, { retryAfterMs, quota: error.context.quota, exhausted });
        } else {
          const waitMs = retryAfterMs ?? backoffMs(refusals, run.backoff, run.random);
          await this.pause(waitMs);
          ev?.emit('pace:wait', { api: run.api, key: this.batch.key, tMs: Date.now(), waitMs, reason: 'rate-limited' });
        }
        continue;
      }
      // a refused query or an overflow is an answer of a live server: the streak of failures ends
      if (status === 'rejected' || status === 'overflow') run.breaker?.onSuccess(run.api);
      if (status !== 'retryable') throw error;
      const tripped = run.breaker?.onFailure(run.api, run.clock.now(), code, error.message);
      if (tripped) throw tripped;
      run.onSample(ms, true);
      failures++;
      lastRefused = false;
      if (failures > run.retries) throw error;
      await this.pause(backoffMs(failures, run.backoff, run.random));
    }
  }

  private async waitForRows(ticket: Ticket): Promise<void> {
    const run = this.run;
    const t0 = run.clock.now();
    try {
      await ticket.budget.admit(ticket);
    } catch {
      throw abortedError(run.signal);
    }
    const ev = run.events;
    if (ev?.has('rows:wait')) {
      const b = ticket.budget;
      ev.emit('rows:wait', {
        key: this.batch.key,
        tMs: Date.now(),
        waitMs: run.clock.now() - t0,
        heldRows: b.held,
        maxRowsHeld: b.limit,
      });
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(this.run.clock, ms, this.run.signal);
    } catch {
      throw abortedError(this.run.signal);
    }
  }

  private end(
    info: CallInfo,
    attempt: number,
    ms: number,
    rows: number,
    status: CallStatus,
    code?: string | number,
    error?: string,
  ): void {
    const ev = this.run.events;
    if (!ev?.has('call:end')) return;
    ev.emit('call:end', {
      api: this.run.api,
      key: this.batch.key,
      tMs: Date.now(),
      page: info.page,
      attempt,
      ms,
      rows,
      status,
      code,
      ...(error === undefined ? {} : { error }),
    });
  }
}

/** A thrown value as a call failure's text: the system error code (ECONNRESET ...) first, scrubbed. */
function describeThrown(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  return scrub(typeof code === 'string' ? `${code} ${messageOf(e)}` : messageOf(e));
}
