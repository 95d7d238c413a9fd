/**
 * API call monitor: per API counts, failures, retries, rate-limit answers and waits, latency
 * quantiles from a streaming sketch, and calls per second over the wall time the calls spanned.
 *
 * The error rate divides failed calls by ALL calls (dividing by successes overstates it), and
 * calls/s uses wall time, not the sum of call durations (which under concurrency understates the
 * rate).
 */
import type { ExecutorEventMap } from '../core/events.js';
import type { CallStatus } from '../core/types.js';
import { QuantileSketch } from './sketch.js';

export interface CallStats {
  readonly api: string;
  readonly calls: number;
  readonly ok: number;
  /** Calls that ended in a non-ok status other than rate-limited. */
  readonly failed: number;
  /** Calls that were a retry (attempt > 1). */
  readonly retried: number;
  /** Calls the server answered with "too many calls". */
  readonly rateLimited: number;
  /** Waits after a rate-limit answer, and their total time. */
  readonly rateLimitWaits: number;
  readonly rateLimitWaitMs: number;
  /** Waits for a pacing slot (own quota), and their total time. */
  readonly quotaWaits: number;
  readonly quotaWaitMs: number;
  readonly rows: number;
  readonly totalMs: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly callsPerSecond: number;
  /** failed / calls (0 when there were no calls). */
  readonly errorRate: number;
  readonly byStatus: Readonly<Partial<Record<CallStatus, number>>>;
  /** Upstream codes seen (e.g. "40203"), with counts. */
  readonly byCode: Readonly<Record<string, number>>;
}

class ApiCounter {
  calls = 0;
  ok = 0;
  failed = 0;
  retried = 0;
  rateLimited = 0;
  rateLimitWaits = 0;
  rateLimitWaitMs = 0;
  quotaWaits = 0;
  quotaWaitMs = 0;
  rows = 0;
  firstMs = Infinity;
  lastMs = -Infinity;
  readonly latency: QuantileSketch;
  readonly byStatus: Partial<Record<CallStatus, number>> = {};
  readonly byCode: Record<string, number> = {};

  constructor(relativeError: number) {
    this.latency = new QuantileSketch({ relativeError });
  }

  span(startMs: number, endMs: number): void {
    if (startMs < this.firstMs) this.firstMs = startMs;
    if (endMs > this.lastMs) this.lastMs = endMs;
  }

  mergeInto(t: ApiCounter): void {
    t.calls += this.calls;
    t.ok += this.ok;
    t.failed += this.failed;
    t.retried += this.retried;
    t.rateLimited += this.rateLimited;
    t.rateLimitWaits += this.rateLimitWaits;
    t.rateLimitWaitMs += this.rateLimitWaitMs;
    t.quotaWaits += this.quotaWaits;
    t.quotaWaitMs += this.quotaWaitMs;
    t.rows += this.rows;
    if (this.calls > 0) t.span(this.firstMs, this.lastMs);
    t.latency.merge(this.latency);
    for (const [k, v] of Object.entries(this.byStatus))
      t.byStatus[k as CallStatus] = (t.byStatus[k as CallStatus] ?? 0) + v;
    for (const [k, v] of Object.entries(this.byCode)) t.byCode[k] = (t.byCode[k] ?? 0) + v;
  }

  stats(api: string): CallStats {
    const s = this.latency;
    const wallMs = this.calls > 0 ? this.lastMs - this.firstMs : 0;
    return {
      api,
      calls: this.calls,
      ok: this.ok,
      failed: this.failed,
      retried: this.retried,
      rateLimited: this.rateLimited,
      rateLimitWaits: this.rateLimitWaits,
      rateLimitWaitMs: this.rateLimitWaitMs,
      quotaWaits: this.quotaWaits,
      quotaWaitMs: this.quotaWaitMs,
      rows: this.rows,
      totalMs: s.sum,
      avgMs: s.count > 0 ? s.sum / s.count : 0,
      p50Ms: s.quantile(0.5),
      p95Ms: s.quantile(0.95),
      p99Ms: s.quantile(0.99),
      maxMs: s.max,
      callsPerSecond: wallMs > 0 ? this.calls / (wallMs / 1000) : 0,
      errorRate: this.calls > 0 ? this.failed / this.calls : 0,
      byStatus: { ...this.byStatus },
      byCode: { ...this.byCode },
    };
  }
}

export interface CallMonitorOptions {
  /** Relative error of latency quantiles. @default 0.01 */
  readonly relativeError?: number;
}

export class CallMonitor {
  private readonly apis = new Map<string, ApiCounter>();
  private readonly relativeError: number;

  constructor(options: CallMonitorOptions = {}) {
    this.relativeError = options.relativeError ?? 0.01;
  }

  private counter(api: string): ApiCounter {
    let c = this.apis.get(api);
    if (!c) {
      c = new ApiCounter(this.relativeError);
      this.apis.set(api, c);
    }
    return c;
  }

  /** Records a finished call. `tMs` is its end time; it started `ms` earlier. */
  onCallEnd(e: ExecutorEventMap['call:end']): void {
    const c = this.counter(e.api);
    c.calls += 1;
    c.byStatus[e.status] = (c.byStatus[e.status] ?? 0) + 1;
    if (e.status === 'ok') c.ok += 1;
    else if (e.status === 'rate-limited') c.rateLimited += 1;
    else c.failed += 1;
    if (e.attempt > 1) c.retried += 1;
    if (e.code !== undefined) c.byCode[String(e.code)] = (c.byCode[String(e.code)] ?? 0) + 1;
    if (e.status === 'ok') c.rows += e.rows;
    c.latency.add(e.ms);
    c.span(e.tMs - e.ms, e.tMs);
  }

  onPaceWait(e: ExecutorEventMap['pace:wait']): void {
    const c = this.counter(e.api);
    if (e.reason === 'rate-limited') {
      c.rateLimitWaits += 1;
      c.rateLimitWaitMs += e.waitMs;
    } else {
      c.quotaWaits += 1;
      c.quotaWaitMs += e.waitMs;
    }
  }

  /** Stats per API, in first-seen order. */
  byApi(): CallStats[] {
    return [...this.apis].map(([api, c]) => c.stats(api));
  }

  /** All APIs together (api = "*"). */
  total(): CallStats {
    const t = new ApiCounter(this.relativeError);
    for (const c of this.apis.values()) c.mergeInto(t);
    return t.stats('*');
  }

  /** The merged latency sketch of all APIs (for histograms). */
  latencySketch(): QuantileSketch {
    const s = new QuantileSketch({ relativeError: this.relativeError });
    for (const c of this.apis.values()) s.merge(c.latency);
    return s;
  }
}
