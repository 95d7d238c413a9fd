/**
 * The BullMQ engine: the same Engine contract as the local one, with the work done by
 * `sluice worker` processes. Workers commit each batch (rows + done mark in one transaction) to
 * the shared store before their job finishes, so the journal is current when an outcome is
 * yielded; this side only records batches that were lost without a verdict.
 */
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Engine, EngineOutcome, EngineRunOptions } from '../core/engine.js';
import type { Store } from '../core/store.js';
import { jobPayload, type JobPayload } from './payload.js';
import { runOnQueue } from './producer.js';
import { closeRedis, connectRedis, redisOptions, settleWithin, type RedisConnection } from './redis.js';
import { QUEUE_PREFIX, queueNameFor } from './wire.js';

export interface BullmqEngineOptions {
  /** `redis://...` of the queue (`--queue`). */
  readonly queueUrl: RedisConnection;
  /** The job definition as written, before `${VAR}` interpolation (sent to workers). */
  readonly raw: unknown;
  /** The validated job (its name picks the queue). */
  readonly job: { readonly name: string };
  /** The run's store, opened by the job runner (journal updates for lost batches). */
  readonly store: Store;
  /** Folder relative paths in the job resolve against. @default process.cwd() */
  readonly baseDir?: string;
  /** `--db` override, sent to workers. */
  readonly db?: string;
  /** Look unfinished jobs up directly after this long without an event. @default 2000 */
  readonly reconcileMs?: number;
  /**
   * A plan made online (strategy auto): how many of its batches may be on the queue at once
   * (the job's concurrency). @default 4
   */
  readonly lookahead?: number;
}

export function createBullmqEngine(options: BullmqEngineOptions): Engine {
  const payload: JobPayload = jobPayload(options.raw, resolve(options.baseDir ?? process.cwd()), options.db);
  const connection = redisOptions(options.queueUrl);
  // Our own client, so that closing never waits on a Redis that is not there.
  const client = connectRedis(connection);
  const queue = new Queue(queueNameFor(options.job.name), { connection: client, prefix: QUEUE_PREFIX });
  queue.on('error', () => undefined); // reconnects by itself; the producer notices stalls
  const { store } = options;

  return {
    async *run({ runId, batches, signal, events }: EngineRunOptions): AsyncIterable<EngineOutcome> {
      // a plan made online (strategy auto) is read lazily, `lookahead` batches on the queue at a time
      const follow = runOnQueue({
        queue,
        connection,
        runId,
        batches,
        lookahead: options.lookahead,
        payload,
        signal,
        events,
        reconcileMs: options.reconcileMs,
      });
      for await (const o of follow) {
        if (o.kind === 'lost') {
          await store.markFailed(runId, o.batch.key, o.error, 1);
          yield { status: 'failed', batch: o.batch, error: o.error, code: o.code, attempts: 1 };
          continue;
        }
        const r = o.result;
        if (r.status === 'done') yield { status: 'done', batch: o.batch, rows: r.rows, attempts: r.attempts };
        else if (r.status === 'failed')
          yield { status: 'failed', batch: o.batch, error: r.error, code: r.code, attempts: r.attempts };
        else if (r.status === 'split') yield { status: 'split', batch: o.batch, children: r.children };
      }
    },
    async close(): Promise<void> {
      await settleWithin(queue.close(), 2000);
      await closeRedis(client);
    },
  };
}
