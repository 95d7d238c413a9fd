/**
 * Adaptive batch size from a history of batch sizes and throughput, with no division by zero, no
 * zero or negative sizes, and a target batch count that really gives at most that many batches.
 */
import { usageError } from '../core/errors.js';
import { chunk } from './partition.js';

/**
 * One earlier run: how big its batches were, how much data it had, how fast it went.
 * @example
 * ```ts
 * const history: BatchPerformance[] = [{ batchSize: 500, dataSize: 10_000, throughput: 1200 }];
 * ```
 */
export interface BatchPerformance {
  readonly batchSize: number;
  readonly dataSize: number;
  /** Any consistent unit (items/s, rows/s); only the ordering matters. */
  readonly throughput: number;
}

/**
 * Bounds of `recommendBatchSize`.
 * @example
 * ```ts
 * recommendBatchSize(40_000, history, { minSize: 200, maxSize: 2000 });
 * ```
 */
export interface BatchSizeOptions {
  /** Smallest size the history rule may recommend. @default 100 */
  readonly minSize?: number;
  /** Largest size the history rule may recommend. @default 5000 */
  readonly maxSize?: number;
  /** Cap of the no-history default, min(defaultSize, dataSize / 10). @default 1000 */
  readonly defaultSize?: number;
  /** When set, size the batches so that there are at most this many (ceil(dataSize / target)). */
  readonly targetBatchCount?: number;
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isFinite(v) || v < min) throw usageError(`${name}: expected a number >= ${min}, got ${v}`);
}

/**
 * Recommend a batch size for `dataSize` items. Always a whole number from 1 to max(1, dataSize).
 * - `targetBatchCount`: ceil(dataSize / target), so the batch count is at most the target.
 * - no usable history: min(defaultSize, floor(dataSize / 10)), at least 1.
 * - history: the best-throughput entry's size scaled by sqrt(dataSize / its dataSize), clamped to
 *   [minSize, maxSize]. Entries with a non-positive or non-finite field are ignored.
 * @example
 * ```ts
 * import { recommendBatchSize } from 'sluice';
 * recommendBatchSize(10_000); // 1000: no history, min(1000, 10000 / 10)
 * recommendBatchSize(40_000, [{ batchSize: 500, dataSize: 10_000, throughput: 1200 }]); // 1000
 * recommendBatchSize(5000, [], { targetBatchCount: 3 }); // 1667
 * ```
 */
export function recommendBatchSize(
  dataSize: number,
  history: readonly BatchPerformance[] = [],
  options: BatchSizeOptions = {},
): number {
  const { minSize = 100, maxSize = 5000, defaultSize = 1000, targetBatchCount } = options;
  checkCount('dataSize', dataSize, 0);
  checkCount('minSize', minSize, 1);
  checkCount('maxSize', maxSize, minSize);
  checkCount('defaultSize', defaultSize, 1);
  const ceiling = Math.max(1, Math.floor(dataSize));
  const fit = (size: number): number => Math.min(ceiling, Math.max(1, Math.floor(size)));
  if (targetBatchCount !== undefined) {
    checkCount('targetBatchCount', targetBatchCount, 1);
    return fit(Math.ceil(dataSize / Math.floor(targetBatchCount)));
  }
  let best: BatchPerformance | undefined;
  for (const h of history) {
    const ok = [h.batchSize, h.dataSize, h.throughput].every((x) => Number.isFinite(x) && x > 0);
    if (ok && (!best || h.throughput > best.throughput)) best = h;
  }
  if (!best) return fit(Math.min(defaultSize, Math.floor(dataSize / 10)));
  const scaled = Math.round(best.batchSize * Math.sqrt(dataSize / best.dataSize));
  return fit(Math.max(minSize, Math.min(maxSize, scaled)));
}

/** Chunk `items` with the recommended size. */
export function adaptiveBatches<T>(
  items: readonly T[],
  history: readonly BatchPerformance[] = [],
  options: BatchSizeOptions = {},
): T[][] {
  return chunk(items, recommendBatchSize(items.length, history, options));
}
