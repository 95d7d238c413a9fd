/**
 * A streaming quantile sketch over positive values (latencies, row counts) with a bounded
 * relative error: every quantile it returns is within `relativeError` of a value whose rank is
 * the requested one. Values fall into logarithmic buckets `(gamma^(i-1), gamma^i]` with
 * `gamma = (1 + a) / (1 - a)`; the bucket's representative `2 gamma^i / (gamma + 1)` is then at
 * most `a` away (relatively) from any value in it. Memory is one counter per non-empty bucket,
 * capped by `maxBuckets` (the lowest buckets are merged when the cap is reached, which only
 * loosens the error of the very smallest quantiles).
 */
import { usageError } from '../core/errors.js';

export interface SketchOptions {
  /** Relative error bound of returned quantiles. @default 0.01 */
  readonly relativeError?: number;
  /** Most buckets kept. @default 2048 */
  readonly maxBuckets?: number;
}

/** Values at or below this count as zero (they have no logarithm). */
const MIN_POSITIVE = 1e-9;

export class QuantileSketch {
  readonly relativeError: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly maxBuckets: number;
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  private n = 0;
  private total = 0;
  private lo = Infinity;
  private hi = -Infinity;

  constructor(options: SketchOptions = {}) {
    const a = options.relativeError ?? 0.01;
    if (!(a > 0 && a < 1)) throw usageError(`relativeError: expected a number in (0, 1), got ${a}`);
    this.relativeError = a;
    this.gamma = (1 + a) / (1 - a);
    this.logGamma = Math.log(this.gamma);
    this.maxBuckets = options.maxBuckets ?? 2048;
  }

  get count(): number {
    return this.n;
  }

  get sum(): number {
    return this.total;
  }

  get min(): number {
    return this.n === 0 ? 0 : this.lo;
  }

  get max(): number {
    return this.n === 0 ? 0 : this.hi;
  }

  /** Adds one value (negative and non-finite values are ignored). */
  add(value: number, times = 1): void {
    if (!Number.isFinite(value) || value < 0 || times <= 0) return;
    this.n += times;
    this.total += value * times;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
    if (value <= MIN_POSITIVE) {
      this.zeros += times;
      return;
    }
    const i = Math.ceil(Math.log(value) / this.logGamma);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + times);
    if (this.buckets.size > this.maxBuckets) this.collapseLowest();
  }

  /** Adds every value of another sketch with the same relative error. */
  merge(other: QuantileSketch): void {
    if (other.relativeError !== this.relativeError)
      throw usageError('cannot merge sketches with different relative errors');
    if (other.n === 0) return;
    this.n += other.n;
    this.total += other.total;
    this.zeros += other.zeros;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    for (const [i, c] of other.buckets) this.buckets.set(i, (this.buckets.get(i) ?? 0) + c);
    while (this.buckets.size > this.maxBuckets) this.collapseLowest();
  }

  /** The q-quantile (0 <= q <= 1); 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    if (q <= 0) return this.lo;
    if (q >= 1) return this.hi;
    // rank of the wanted value, 0-based, nearest-rank definition
    const rank = Math.ceil(q * this.n) - 1;
    let seen = this.zeros;
    if (rank < seen) return 0;
    for (const i of this.sortedKeys()) {
      seen += this.buckets.get(i)!;
      if (rank < seen) return this.clamp((2 * this.gamma ** i) / (this.gamma + 1));
    }
    return this.hi;
  }

  /** Approximate number of values <= x (exact up to one bucket's width). */
  rank(x: number): number {
    if (this.n === 0 || x < 0) return 0;
    let seen = this.zeros;
    if (x <= MIN_POSITIVE) return seen;
    const limit = Math.ceil(Math.log(x) / this.logGamma);
    for (const i of this.sortedKeys()) {
      if (i > limit) break;
      seen += this.buckets.get(i)!;
    }
    return seen;
  }

  /** Non-empty buckets as `[upperBound, count]`, ascending (zeros first as bound 0). */
  bins(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (this.zeros > 0) out.push([0, this.zeros]);
    for (const i of this.sortedKeys()) out.push([this.gamma ** i, this.buckets.get(i)!]);
    return out;
  }

  private sortedKeys(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  private clamp(v: number): number {
    return Math.min(this.hi, Math.max(this.lo, v));
  }

  private collapseLowest(): void {
    const keys = this.sortedKeys();
    const [a, b] = keys;
    if (b === undefined) return;
    this.buckets.set(b, this.buckets.get(b)! + this.buckets.get(a)!);
    this.buckets.delete(a);
  }
}
