/** What the executor yields for each batch. */
import type { Batch, BatchRows } from '../core/types.js';
import type { SluiceError } from '../core/errors.js';

/**
 * A batch that finished: its rows, as the pages they came in.
 * @example
 * ```ts
 * if (outcome.status === 'done') console.log(outcome.rows.rowCount, outcome.calls, outcome.attempts);
 * ```
 */
export interface DoneOutcome {
  readonly status: 'done';
  readonly batch: Batch;
  readonly rows: BatchRows;
  /** Highest attempt number any call of the batch needed (1 = no retry). */
  readonly attempts: number;
  /** Upstream calls made, retries and refusals included. */
  readonly calls: number;
  /** Wall time of the batch. */
  readonly ms: number;
}

/**
 * A batch that failed after its retries; the run goes on with the others.
 * @example
 * ```ts
 * if (outcome.status === 'failed') console.error(outcome.batch.key, outcome.error.message);
 * ```
 */
export interface FailedOutcome {
  readonly status: 'failed';
  readonly batch: Batch;
  readonly error: SluiceError;
  readonly attempts: number;
}

/**
 * A batch whose window held too many rows: the executor runs its children instead.
 * @example
 * ```ts
 * if (outcome.status === 'split') console.log(`${outcome.batch.key} -> ${outcome.children.length} batches`);
 * ```
 */
export interface SplitOutcome {
  readonly status: 'split';
  readonly batch: Batch;
  /** Batches that replace this one; the executor runs them as new work. */
  readonly children: readonly Batch[];
}

/**
 * What the executor yields for each batch: done, failed or split.
 * @example
 * ```ts
 * for await (const o of execute(batches, { source })) {
 *   switch (o.status) {
 *     case 'done':
 *       store(o.rows);
 *       break;
 *     case 'failed':
 *       console.error(o.error.message);
 *       break;
 *     case 'split':
 *       break; // its children follow
 *   }
 * }
 * ```
 */
export type BatchOutcome = DoneOutcome | FailedOutcome | SplitOutcome;
