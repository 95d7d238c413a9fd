/**
 * Plan statistics: what the plan costs compared with one batch per (trading) day.
 */
import type { DayRange } from '../core/dates.js';
import type { Calendar } from './calendar.js';
import { callsFor } from './rows.js';

export interface HistogramBin {
  /** Inclusive lower bound. */
  readonly from: number;
  /** Inclusive upper bound. */
  readonly to: number;
  readonly count: number;
}

export interface SizeDistribution {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  /** Population variance. */
  readonly variance: number;
  /** At most 10 equal-width integer bins from floor(min) to ceil(max). */
  readonly histogram: HistogramBin[];
}

/**
 * Statistics of a plan: batch count, reduction against one batch per day, estimates, window sizes.
 * @example
 * ```ts
 * const { stats } = planJob({ start: '20150101', end: '20241231', strategy: 'smart' });
 * console.log(stats.batchCount, stats.baselineBatches, stats.reductionRate, stats.batchSizes.avg);
 * ```
 */
export interface PlanStats {
  /** Batches in the plan (windows x partition values). */
  readonly batchCount: number;
  readonly windowCount: number;
  /** Wall time to build the plan, ms (3 decimals). */
  readonly generationMs: number;
  /** Calendar days in the range, both ends included. */
  readonly timeSpanDays: number;
  /** One batch per day (per trading day when a calendar was given), times the partition values. */
  readonly baselineBatches: number;
  readonly baselineUnit: 'days' | 'trading-days';
  /** (baseline - batches) / baseline * 100, 2 decimals; 0 when the baseline is 0. */
  readonly reductionRate: number;
  /** batchCount / timeSpanDays, 6 decimals. */
  readonly batchesPerDay: number;
  /** Sum of estimated rows (null without a density). */
  readonly estimatedRows: number | null;
  /** Sum of ceil(rows / rowCap), at least one call per batch (null without a density and a row cap). */
  readonly estimatedCalls: number | null;
  /** Windows of one day whose estimated rows alone exceed the row budget. */
  readonly oversizedWindows: number;
  /** What `batchSizes` measures: window length in days, or estimated rows when a density is known. */
  readonly sizeUnit: 'days' | 'rows';
  readonly batchSizes: SizeDistribution;
}

export interface StatsInput {
  readonly range: DayRange;
  readonly windows: readonly DayRange[];
  /**
   * Partition values per window (1 when there is no cross product), or per window in `windows`'
   * order when windows differ (an incremental plan). @default 1
   */
  readonly valuesPerWindow?: number | readonly number[];
  /** Partition values of the job, for the baseline. @default valuesPerWindow when it is a number */
  readonly values?: number;
  readonly calendar?: Calendar;
  /** Estimated rows per window (same order as windows), when a density is known. */
  readonly rows?: readonly number[];
  readonly rowCap?: number;
  readonly oversized?: number;
  readonly generationMs: number;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function sizeDistribution(sizes: ArrayLike<number>): SizeDistribution {
  const n = sizes.length;
  if (n === 0) return { min: 0, max: 0, avg: 0, variance: 0, histogram: [] };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = sizes[i];
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const avg = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (sizes[i] - avg) ** 2;
  const lo = Math.floor(min);
  const hi = Math.ceil(max);
  const width = Math.max(1, Math.ceil((hi - lo + 1) / 10));
  const bins = Math.floor((hi - lo) / width) + 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((Math.floor(sizes[i]) - lo) / width))]++;
  const histogram = counts.map((count, i) => ({ from: lo + i * width, to: lo + (i + 1) * width - 1, count }));
  return { min: round(min, 4), max: round(max, 4), avg: round(avg, 4), variance: round(sq / n, 4), histogram };
}

export function planStats(input: StatsInput): PlanStats {
  const { range, windows, calendar, rows, rowCap } = input;
  const per = input.valuesPerWindow ?? 1;
  const valuesOf = (i: number): number => (typeof per === 'number' ? per : per[i]);
  const values = input.values ?? (typeof per === 'number' ? per : 1);
  const windowCount = windows.length;
  let batchCount = 0;
  for (let i = 0; i < windowCount; i++) batchCount += valuesOf(i);
  const timeSpanDays = range.end - range.start + 1;
  const days = calendar ? calendar.openDaysBetween(range.start, range.end) : timeSpanDays;
  const baselineBatches = days * values;
  let estimatedRows: number | null = null;
  let estimatedCalls: number | null = null;
  let sizes: ArrayLike<number>;
  if (rows) {
    let raw = 0;
    let r = 0;
    let c = 0;
    for (let i = 0; i < rows.length; i++) {
      raw += rows[i];
      r += rows[i] * valuesOf(i);
      if (rowCap) c += callsFor(rows[i], rowCap) * valuesOf(i);
    }
    // one count for every window: multiply once (as plans without `todo` always did)
    estimatedRows = Math.round(typeof per === 'number' ? raw * per : r);
    if (rowCap) estimatedCalls = c;
    sizes = rows;
  } else {
    const lengths = new Float64Array(windowCount);
    for (let i = 0; i < windowCount; i++) lengths[i] = windows[i].end - windows[i].start + 1;
    sizes = lengths;
  }
  return {
    batchCount,
    windowCount,
    generationMs: round(input.generationMs, 3),
    timeSpanDays,
    baselineBatches,
    baselineUnit: calendar ? 'trading-days' : 'days',
    reductionRate: baselineBatches > 0 ? round(((baselineBatches - batchCount) / baselineBatches) * 100, 2) : 0,
    batchesPerDay: round(batchCount / timeSpanDays, 6),
    estimatedRows,
    estimatedCalls,
    oversizedWindows: input.oversized ?? 0,
    sizeUnit: rows ? 'rows' : 'days',
    batchSizes: sizeDistribution(sizes),
  };
}
