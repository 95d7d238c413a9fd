/**
 * The in-process engine: the executor fetches, this loop commits each outcome to the store (rows
 * and done mark in one transaction; splits and failures recorded in the journal).
 */
import type { Engine, EngineOutcome, EngineRunOptions } from '../core/engine.js';
import type { ExecutorEvents } from '../core/events.js';
import type { Store } from '../core/store.js';
import type { Batch } from '../core/types.js';
import { type BatchOutcome, type ExecutorOptions, execute } from '../run/index.js';

export type LocalExecutorOptions = Omit<ExecutorOptions, 'signal' | 'events'>;

/** Records one outcome in the store; returns what the engine yields (no rows). */
async function record(
  store: Store,
  runId: string,
  outcome: BatchOutcome,
  events: ExecutorEvents,
): Promise<EngineOutcome> {
  if (outcome.status === 'done') {
    const t0 = performance.now();
    const rows = await store.commit(runId, outcome.batch, outcome.rows, outcome.attempts);
    if (events.has('batch:commit'))
      events.emit('batch:commit', { key: outcome.batch.key, tMs: Date.now(), ms: performance.now() - t0, rows });
    return { status: 'done', batch: outcome.batch, rows, attempts: outcome.attempts };
  }
  if (outcome.status === 'split') {
    await store.split(runId, outcome.batch.key, outcome.children);
    return { status: 'split', batch: outcome.batch, children: outcome.children };
  }
  await store.markFailed(runId, outcome.batch.key, outcome.error.message, outcome.attempts);
  return {
    status: 'failed',
    batch: outcome.batch,
    error: outcome.error.message,
    code: outcome.error.code,
    attempts: outcome.attempts,
  };
}

/** Takes the next outcome and records it; undefined at the end. */
async function step(
  outcomes: AsyncIterator<BatchOutcome>,
  store: Store,
  runId: string,
  events: ExecutorEvents,
): Promise<EngineOutcome | undefined> {
  const next = await outcomes.next();
  return next.done ? undefined : record(store, runId, next.value, events);
}

export function createLocalEngine(store: Store, executor: LocalExecutorOptions): Engine {
  return {
    async *run({ runId, batches, signal, events }: EngineRunOptions): AsyncIterable<EngineOutcome> {
      // Batches are pulled lazily by the executor; each is marked running as it is taken.
      async function* taken(): AsyncIterable<Batch> {
        for await (const batch of batches) {
          if (signal.aborted) return;
          await store.markRunning(runId, batch.key);
          yield batch;
        }
      }
      // Outcomes are taken and committed in step(), never held in this generator: a suspended
      // generator keeps its stale locals alive, and here that was the last committed batch's rows
      // (up to a whole window, ~30 MB for 100,000 rows) while the next batch was being fetched.
      const outcomes = execute(taken(), { ...executor, signal, events });
      try {
        const next = () => step(outcomes, store, runId, events);
        for (let out = await next(); out !== undefined; out = await next()) yield out;
        // the last group of commits: a failure here is an error of its batches, and stops the run
        await store.flush?.();
      } finally {
        await outcomes.return?.();
      }
    },
    async close() {},
  };
}
