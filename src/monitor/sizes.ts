/**
 * Streaming size statistics (count, min, max, mean, variance by Welford's method) plus a
 * power-of-two histogram: bin 0 holds 0, bin k holds [2^(k-1), 2^k - 1]. Constant memory.
 */

export interface HistogramBin {
  /** Inclusive bounds. */
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

export interface SizeSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  /** Population variance. */
  readonly variance: number;
  readonly histogram: readonly HistogramBin[];
}

export class SizeAccumulator {
  private n = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private mean = 0;
  private m2 = 0;
  private readonly bins: number[] = [];

  add(x: number): void {
    if (!Number.isFinite(x) || x < 0) return;
    this.n += 1;
    this.lo = Math.min(this.lo, x);
    this.hi = Math.max(this.hi, x);
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
    const k = x < 1 ? 0 : Math.floor(Math.log2(x)) + 1;
    while (this.bins.length <= k) this.bins.push(0);
    this.bins[k] += 1;
  }

  summary(): SizeSummary {
    if (this.n === 0) return { count: 0, min: 0, max: 0, avg: 0, variance: 0, histogram: [] };
    return {
      count: this.n,
      min: this.lo,
      max: this.hi,
      avg: this.mean,
      variance: this.m2 / this.n,
      histogram: this.bins.map((count, k) => ({ lo: k === 0 ? 0 : 2 ** (k - 1), hi: k === 0 ? 0 : 2 ** k - 1, count })),
    };
  }
}
