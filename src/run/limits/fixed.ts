/** A fixed concurrency limit: samples never change it. */
import { usageError } from '../../core/errors.js';
import type { Limit, LimitSample } from '../../core/pacing.js';

/**
 * A concurrency limit that never moves.
 * @example
 * ```ts
 * import { execute, fixedLimit } from 'sluice';
 * execute(batches, { source, concurrency: fixedLimit(8) }); // the same as concurrency: 8
 * ```
 */
export function fixedLimit(n: number): Limit {
  if (!Number.isInteger(n) || n < 1) throw usageError(`Expected concurrency to be an integer >= 1, got ${n}`);
  return {
    current: n,
    onSample(_sample: LimitSample): number {
      return n;
    },
  };
}
