/** What the executor yields for each batch. */
import type { Batch, BatchRows } from '../core/types.js';
import type { SluiceError } from '../core/errors.js';

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

export interface FailedOutcome {
  readonly status: 'failed';
  readonly batch: Batch;
  readonly error: SluiceError;
  readonly attempts: number;
}

export interface SplitOutcome {
  readonly status: 'split';
  readonly batch: Batch;
  /** Batches that replace this one; the executor runs them as new work. */
  readonly children: readonly Batch[];
}

export type BatchOutcome = DoneOutcome | FailedOutcome | SplitOutcome;
