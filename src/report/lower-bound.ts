/**
 * The fewest calls that could have fetched what a run landed, to hold the calls it spent against.
 *
 * One call returns at most a row cap of rows, and rows of two `each` values (two symbols) never
 * share a call, so the rows of one value need at least ceil(rows / cap) calls, and at least one
 * even when the value had no rows (a call is what tells that). The bound is the sum over values;
 * a job without `each` is one value. It holds whatever the paging: without paging (maxOffset 0) a
 * window must fit one page, which can only need more calls, never fewer.
 */
import { usageError } from '../core/errors.js';
import type { BatchRecord } from '../core/store.js';

/**
 * Rows landed per `each` value, or for the whole job: what `callsLowerBound` sums over.
 * @example
 * ```ts
 * const landed: LandedRows = { rowsPerValue: [5200, 0, 12_000], byEach: true };
 * ```
 */
export interface LandedRows {
  /** Rows of each `each` value that had a done batch (one entry for the whole job without `each`). */
  readonly rowsPerValue: readonly number[];
  /** Whether the entries are `each` values (false: one entry, the whole job). */
  readonly byEach: boolean;
}

/**
 * The fewest calls that return these rows: the sum of max(1, ceil(rows / rowCap)) over the values.
 * @example
 * ```ts
 * import { callsLowerBound } from 'sluice';
 * callsLowerBound([5200, 0, 12_000], 6000); // 1 + 1 + 2 = 4
 * ```
 */
export function callsLowerBound(rowsPerValue: Iterable<number>, rowCap: number): number {
  if (!(rowCap >= 1)) throw usageError(`row cap must be at least 1, got ${rowCap}`);
  let calls = 0;
  for (const rows of rowsPerValue) calls += Math.max(1, Math.ceil(Math.max(0, rows) / rowCap));
  return calls;
}

/**
 * Rows of the done batches among `records` (split parents are not leaves and carry no rows), per
 * value of the `each` parameter `param` (a batch's value as its request parameter holds it), or
 * as one value when `param` is undefined. `only` keeps the batches of one session.
 * @example
 * ```ts
 * import { landedRows } from 'sluice';
 * const landed = landedRows(await store.batches(runId), job.plan.each?.param);
 * ```
 */
export function landedRows(
  records: Iterable<BatchRecord>,
  param: string | undefined,
  only: (r: BatchRecord) => boolean = () => true,
): LandedRows {
  const byValue = new Map<string, number>();
  for (const r of records) {
    if (r.status !== 'done' || !only(r)) continue;
    const value = param === undefined ? '' : String(r.batch.params[param] ?? '');
    byValue.set(value, (byValue.get(value) ?? 0) + r.rows);
  }
  return { rowsPerValue: [...byValue.values()], byEach: param !== undefined };
}
