/**
 * Adaptive pace: discover an unknown quota.
 *
 * Design (AIMD with a slow start and a CUBIC-like plateau, on a *rate* rather than a window):
 * - Calls are spaced evenly, `1000 / rate` ms apart, so the server never sees a burst; a start
 *   delayed by a late timer may be made up (at most one call early), so lateness does not eat
 *   into the rate.
 * - Slow start: until the first refusal the rate doubles every `doublingMs` (only while the
 *   caller actually uses the rate; an idle or concurrency-bound caller does not inflate it).
 * - On a refusal the quota is estimated from what the server accepted: the calls that succeeded in
 *   the last second (but not below 97 % of the previous estimate, so one stall cannot halve it). The rate drops at once to `backoffShare` (95 %) of min(rate, estimate), and
 *   the estimate becomes the ceiling. Refusals during the next `settleMs` belong to calls already
 *   in flight and do not lower the rate again.
 * - Holding: below 97 % of the ceiling the rate climbs back quickly (5 % of the ceiling per second);
 *   near the ceiling it probes slowly, CUBIC-like: 0.5 % of the ceiling per second at first, the
 *   step growing by that much every four seconds, so a good estimate holds for several seconds while
 *   an underestimate is left behind within seconds. A refusal then happens every few seconds and
 *   costs one or two calls — well under 1 % of a run.
 * The estimate assumes the server's window is about a second or longer and counts arrivals; a
 * server that names its quota (Tushare) is handled exactly by the pacer instead.
 */
import type { RateLimitedInfo } from '../../core/pacing.js';
import type { PaceRule } from './rule.js';

export interface AdaptiveOptions {
  /**
   * Starting rate, calls per second.
   * @default 2
   */
  readonly initialPerSecond?: number;
  /**
   * Slow start: the rate doubles every this many ms until the first refusal.
   * @default 1000
   */
  readonly doublingMs?: number;
  /** @default 0.2 */
  readonly minPerSecond?: number;
  /** @default 5000 */
  readonly maxPerSecond?: number;
  /**
   * Share of the estimated quota to pace at after a refusal.
   * @default 0.95
   */
  readonly backoffShare?: number;
  /**
   * Refusals within this many ms of a decrease do not decrease again.
   * @default 500
   */
  readonly settleMs?: number;
}

const BUCKET_MS = 100;
const BUCKETS = 10;

export class AdaptiveRule implements PaceRule {
  private rate: number;
  private ceiling: number | undefined;
  private lastStart = -Infinity;
  /** Virtual schedule: when the next call is due (may lag `now` by one spacing, never more). */
  private due = -Infinity;
  private lastGrow: number;
  private settleUntil = -Infinity;
  /** When the rate last came within 3 % of the ceiling (start of the slow probe). */
  private probeSince = NaN;
  private readonly counts = new Int32Array(BUCKETS);
  private bucket = -1;
  private readonly doublingMs: number;
  private readonly minRate: number;
  private readonly maxRate: number;
  private readonly share: number;
  private readonly settleMs: number;

  constructor(options: AdaptiveOptions = {}, now = 0, start?: { perSecond: number; ceiling?: number }) {
    this.doublingMs = options.doublingMs ?? 1000;
    this.minRate = options.minPerSecond ?? 0.2;
    this.maxRate = options.maxPerSecond ?? 5000;
    this.share = options.backoffShare ?? 0.95;
    this.settleMs = options.settleMs ?? 500;
    this.rate = this.clamp(start?.perSecond ?? options.initialPerSecond ?? 2);
    this.ceiling = start?.ceiling;
    this.lastGrow = now;
  }

  /** Current rate, calls per second. */
  perSecond(): number {
    return this.rate;
  }

  nextAt(now: number): number {
    return this.due > now ? this.due : now;
  }

  record(now: number): void {
    const spacing = 1000 / this.rate;
    const dt = now - this.lastGrow;
    // grow only while the caller keeps up with the pace (not app- or concurrency-limited)
    if (now - this.lastStart <= 2 * spacing + 1 && dt > 0) this.grow(dt);
    this.lastGrow = now;
    this.lastStart = now;
    // a late timer is made up for (at most one call early), so lateness does not lower the rate
    const spacingNow = 1000 / this.rate;
    this.due = Math.max(this.due, now - spacingNow) + spacingNow;
  }

  onSuccess(now: number): void {
    this.advance(now);
    this.counts[this.bucket % BUCKETS]++;
  }

  onRateLimited(now: number, _info: RateLimitedInfo): boolean {
    if (now < this.settleUntil) return false;
    const accepted = this.acceptedLastSecond(now);
    // a stall can push completions out of the last second: do not fall far below a known ceiling
    const floor = this.ceiling === undefined ? 0 : 0.97 * this.ceiling;
    const estimate = accepted >= 1 || floor > 0 ? Math.min(this.rate, Math.max(accepted, floor)) : this.rate * 0.5;
    this.ceiling = estimate;
    this.rate = this.clamp(estimate * this.share);
    this.settleUntil = now + this.settleMs;
    this.lastGrow = now;
    this.probeSince = NaN;
    return true;
  }

  callsPerMinute(): number {
    return this.rate * 60;
  }

  private grow(dt: number): void {
    if (this.ceiling === undefined) {
      this.rate = this.clamp(this.rate * 2 ** (dt / this.doublingMs));
      return;
    }
    let step = 0.05;
    if (this.rate >= 0.97 * this.ceiling) {
      if (Number.isNaN(this.probeSince)) this.probeSince = this.lastGrow;
      step = 0.005 * (1 + (this.lastGrow - this.probeSince) / 4000);
    }
    this.rate = this.clamp(this.rate + (step * this.ceiling * dt) / 1000);
  }

  private clamp(rate: number): number {
    return Math.min(this.maxRate, Math.max(this.minRate, rate));
  }

  private advance(now: number): void {
    const b = Math.floor(now / BUCKET_MS);
    if (this.bucket < 0 || b - this.bucket >= BUCKETS) {
      this.counts.fill(0);
    } else {
      for (let i = this.bucket + 1; i <= b; i++) this.counts[i % BUCKETS] = 0;
    }
    if (b > this.bucket) this.bucket = b;
  }

  private acceptedLastSecond(now: number): number {
    this.advance(now);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) sum += this.counts[i];
    return sum;
  }
}
