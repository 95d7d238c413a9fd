/**
 * Per-API rate limits of the emulator: a fixed window (aligned to multiples of `intervalMs` since
 * the epoch, as a per-minute quota usually is) or a sliding window (never more than `calls`
 * admissions in any `intervalMs`). Refused calls do not use up quota.
 */
import { usageError } from '../core/errors.js';

export interface RateSpec {
  /** Calls admitted per interval (>= 1). */
  readonly calls: number;
  /** Interval length in ms (>= 1). @default 60000 */
  readonly intervalMs?: number;
  /** @default 'fixed' */
  readonly window?: 'fixed' | 'sliding';
}

/** Check a spec; throws SLUICE_USAGE naming the bad value. */
export function validateRate(spec: RateSpec, label = 'rate'): void {
  if (!Number.isSafeInteger(spec.calls) || spec.calls < 1) {
    throw usageError(`${label}.calls: expected a whole number >= 1, got ${spec.calls}`);
  }
  const interval = spec.intervalMs ?? 60_000;
  if (!Number.isSafeInteger(interval) || interval < 1) {
    throw usageError(`${label}.intervalMs: expected a whole number >= 1, got ${interval}`);
  }
  if (spec.window !== undefined && spec.window !== 'fixed' && spec.window !== 'sliding') {
    throw usageError(`${label}.window: expected fixed or sliding, got ${JSON.stringify(spec.window)}`);
  }
}

/** The quota expressed per minute, as the server's refusal message states it (at least 1). */
export function perMinute(spec: RateSpec): number {
  return Math.max(1, Math.round((spec.calls * 60_000) / (spec.intervalMs ?? 60_000)));
}

/** Tushare-style refusal text naming the per-minute quota. */
export function quotaMessage(perMinuteCalls: number): string {
  return `抱歉，您每分钟最多访问该接口${perMinuteCalls}次，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。`;
}

export class RateWindow {
  private readonly calls: number;
  private readonly intervalMs: number;
  private readonly sliding: boolean;
  // fixed window state
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;
  // sliding window state: admission times in a ring
  private readonly stamps: Float64Array;
  private head = 0;
  private filled = 0;

  constructor(
    spec: RateSpec,
    private readonly now: () => number = Date.now,
  ) {
    validateRate(spec);
    this.calls = spec.calls;
    this.intervalMs = spec.intervalMs ?? 60_000;
    this.sliding = spec.window === 'sliding';
    this.stamps = new Float64Array(this.sliding ? this.calls : 0);
  }

  /** Admit one call now (true) or refuse it (false). */
  tryAcquire(): boolean {
    const t = this.now();
    if (!this.sliding) {
      const start = Math.floor(t / this.intervalMs) * this.intervalMs;
      if (start !== this.windowStart) {
        this.windowStart = start;
        this.used = 0;
      }
      if (this.used >= this.calls) return false;
      this.used++;
      return true;
    }
    if (this.filled < this.calls) {
      this.stamps[(this.head + this.filled) % this.calls] = t;
      this.filled++;
      return true;
    }
    // Ring is full: the oldest admission sits at head.
    if (t - this.stamps[this.head] < this.intervalMs) return false;
    this.stamps[this.head] = t;
    this.head = (this.head + 1) % this.calls;
    return true;
  }
}
