/**
 * Exact sliding window: never more than `calls` starts in any interval of `intervalMs`. The last
 * `calls` start times live in a ring buffer; start k+calls may happen only `intervalMs + guardMs`
 * after start k.
 * The server counts arrivals, which our clock cannot see, only bound: a call arrived before we saw
 * it complete. So when calls complete (`onSuccess`, in start order) their slot time moves from the
 * start to the completion, and the window then holds even if the server saw two calls closer
 * together than we started them (jitter, a slow first connection). `guardMs` covers the calls
 * still in flight (a completed slot needs none); it widens by 1 % of the interval after each refusal the window did not predict.
 */
import { usageError } from '../../core/errors.js';
import type { PaceRule } from './rule.js';

export class SlidingWindowRule implements PaceRule {
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;
  /** Calls recorded and calls whose completion was reported. */
  private recorded = 0;
  private confirmed = 0;

  constructor(
    private readonly calls: number,
    readonly intervalMs: number,
    private guard = 0,
  ) {
    assertQuota(calls, intervalMs);
    this.ring = new Float64Array(calls);
  }

  get guardMs(): number {
    return this.guard;
  }

  /**
   * Widen the jitter guard by `ms` (at most to 10 % of the interval): used when the server refused
   * a call that our own window allowed, i.e. its clock saw our calls closer together than we did.
   */
  widenGuard(ms: number): boolean {
    const next = Math.min(this.intervalMs * 0.1, this.guard + ms);
    const changed = next > this.guard;
    this.guard = Math.max(this.guard, next);
    return changed;
  }

  get capacity(): number {
    return this.calls;
  }

  nextAt(now: number): number {
    if (this.count < this.calls) return now;
    // head points at the oldest of the last `calls` calls; a completed one needs no jitter guard
    const settled = this.recorded - this.calls < this.confirmed;
    const due = this.ring[this.head] + this.intervalMs + (settled ? 0 : this.guard);
    return due > now ? due : now;
  }

  record(now: number): void {
    this.ring[this.head] = now;
    this.head = this.head + 1 === this.calls ? 0 : this.head + 1;
    if (this.count < this.calls) this.count++;
    this.recorded++;
  }

  /** The oldest call not yet reported complete has completed at `now`. */
  onSuccess(now: number): void {
    if (this.confirmed < this.recorded - this.calls) this.confirmed = this.recorded - this.calls;
    if (this.confirmed >= this.recorded) return;
    // slot of call number `confirmed`: `recorded - confirmed` places behind head
    const back = this.recorded - this.confirmed;
    const pos = (this.head - back + this.calls * 2) % this.calls;
    if (now > this.ring[pos]) this.ring[pos] = now;
    this.confirmed++;
  }

  callsPerMinute(): number {
    return (this.calls * 60_000) / (this.intervalMs + this.guard);
  }
}

/** Fixed (aligned) window: at most `calls` starts per window [k*intervalMs, (k+1)*intervalMs). */
export class FixedWindowRule implements PaceRule {
  private windowIndex = -Infinity;
  private used = 0;

  constructor(
    readonly calls: number,
    readonly intervalMs: number,
    readonly guardMs = 0,
  ) {
    assertQuota(calls, intervalMs);
  }

  nextAt(now: number): number {
    const index = Math.floor(now / this.intervalMs);
    if (index !== this.windowIndex || this.used < this.calls) return now;
    return (index + 1) * this.intervalMs + this.guardMs;
  }

  record(now: number): void {
    const index = Math.floor(now / this.intervalMs);
    if (index !== this.windowIndex) {
      this.windowIndex = index;
      this.used = 0;
    }
    this.used++;
  }

  callsPerMinute(): number {
    return (this.calls * 60_000) / this.intervalMs;
  }
}

function assertQuota(calls: number, intervalMs: number): void {
  if (!Number.isInteger(calls) || calls < 1) throw usageError(`Expected calls to be an integer >= 1, got ${calls}`);
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw usageError(`Expected intervalMs to be a finite number > 0, got ${intervalMs}`);
  }
}

/** Default jitter guard: 0.25 % of the interval, at least 1 ms, at most 250 ms. */
export function defaultGuardMs(intervalMs: number): number {
  return Math.min(250, Math.max(1, intervalMs * 0.0025));
}
