/**
 * Engine contract: how a run's batches get fetched AND committed. The local engine runs the
 * in-process executor and commits through the store; the BullMQ engine enqueues batches and
 * follows workers that do the same work in other processes. The job runner sees only this.
 */
import type { ExecutorEvents } from './events.js';
import type { Batch } from './types.js';

export type EngineOutcome =
  | { readonly status: 'done'; readonly batch: Batch; readonly rows: number; readonly attempts: number }
  | {
      readonly status: 'failed';
      readonly batch: Batch;
      readonly error: string;
      readonly code: string;
      readonly attempts: number;
    }
  | { readonly status: 'split'; readonly batch: Batch; readonly children: readonly Batch[] };

export interface EngineRunOptions {
  readonly runId: string;
  /**
   * Pending batches in plan order; an iterable is read lazily (a plan made online yields batches
   * as outcomes come in, so an engine must not wait for the end of it before running batches).
   */
  readonly batches: Iterable<Batch> | AsyncIterable<Batch>;
  /** Cancels the run: no new batches; in-flight work stops; finished work is kept. */
  readonly signal: AbortSignal;
  /** Executor events (call and batch samples) for the monitor, local or relayed from workers. */
  readonly events: ExecutorEvents;
}

export interface Engine {
  /**
   * Runs the batches; yields one outcome per finished batch (children of a split are run too and
   * yield their own outcomes). The journal is already updated when an outcome is yielded.
   * Throws a fatal SluiceError (bad token, permission, bad field) after stopping all work.
   */
  run(options: EngineRunOptions): AsyncIterable<EngineOutcome>;
  close(): Promise<void>;
}
