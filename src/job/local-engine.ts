/**
 * The in-process engine: the executor fetches, this loop commits each outcome to the store (rows
 * and done mark in one transaction; splits and failures recorded in the journal).
 */
import type { Engine, EngineOutcome, EngineRunOptions } from '../core/engine.js';
import type { Store } from '../core/store.js';
import type { Batch } from '../core/types.js';
import { type ExecutorOptions, execute } from '../run/index.js';

export type LocalExecutorOptions = Omit<ExecutorOptions, 'signal' | 'events'>;

export function createLocalEngine(store: Store, executor: LocalExecutorOptions): Engine {
  return {
    async *run({ runId, batches, signal, events }: EngineRunOptions): AsyncIterable<EngineOutcome> {
      // Batches are pulled lazily by the executor; each is marked running as it is taken.
      async function* taken(): AsyncIterable<Batch> {
        for (const batch of batches) {
          if (signal.aborted) return;
          await store.markRunning(runId, batch.key);
          yield batch;
        }
      }
      for await (const outcome of execute(taken(), { ...executor, signal, events })) {
        if (outcome.status === 'done') {
          const rows = await store.commit(runId, outcome.batch, outcome.rows, outcome.attempts);
          yield { status: 'done', batch: outcome.batch, rows, attempts: outcome.attempts };
        } else if (outcome.status === 'split') {
          await store.split(runId, outcome.batch.key, outcome.children);
          yield { status: 'split', batch: outcome.batch, children: outcome.children };
        } else {
          await store.markFailed(runId, outcome.batch.key, outcome.error.message, outcome.attempts);
          yield { status: 'failed', batch: outcome.batch, error: outcome.error.message, code: outcome.error.code, attempts: outcome.attempts };
        }
      }
    },
    async close() {},
  };
}
