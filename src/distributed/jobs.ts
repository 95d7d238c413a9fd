/**
 * Putting batches on a queue: one BullMQ job per batch, id derived from run id + batch key so that
 * enqueueing the same batch again (resume, a retried split) never runs it twice at once.
 */
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Batch } from '../core/types.js';
import type { Redis } from 'ioredis';
import { type BatchJobData, jobIdFor, QUEUE_REGISTRY_KEY } from './wire.js';

/** Jobs are added in chunks of this many (one round trip each). */
const CHUNK = 500;

/**
 * Options of every batch job. Retries here are for crashes and errors outside the executor
 * (the executor retries calls itself); finished jobs are kept a day so a producer that falls
 * behind can still read their results.
 */
export function batchJobOptions(runId: string, batchKey: string): JobsOptions {
  return {
    jobId: jobIdFor(runId, batchKey),
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 86400 },
    removeOnFail: { age: 7 * 86400 },
  };
}

/**
 * Enqueue `batches` for `runId`. A job left finished by an earlier attempt of the same run is
 * removed first so the batch runs again; a job still waiting or active is left alone.
 */
export async function addBatches<P>(
  queue: Queue,
  runId: string,
  batches: readonly Batch[],
  payload: P,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < batches.length; i += CHUNK) {
    const chunk = batches.slice(i, i + CHUNK);
    const states = await Promise.all(chunk.map((b) => queue.getJobState(jobIdFor(runId, b.key))));
    await Promise.all(
      chunk.map(async (b, j) => {
        if (states[j] === 'completed' || states[j] === 'failed') await queue.remove(jobIdFor(runId, b.key));
      }),
    );
    await queue.addBulk(
      chunk.map((batch) => ({
        name: 'batch',
        data: { runId, batch, payload } satisfies BatchJobData<P>,
        opts: batchJobOptions(runId, batch.key),
      })),
    );
    ids.push(...chunk.map((b) => jobIdFor(runId, b.key)));
  }
  return ids;
}

/** Record a queue's name (with the time) so that workers discover it. */
export async function registerQueue(redis: Redis, queueName: string): Promise<void> {
  await redis.zadd(QUEUE_REGISTRY_KEY, Date.now(), queueName);
}

/** Queue names used within the last `maxAgeMs`. */
export async function registeredQueues(redis: Redis, maxAgeMs: number): Promise<string[]> {
  return redis.zrangebyscore(QUEUE_REGISTRY_KEY, Date.now() - maxAgeMs, '+inf');
}

/** Remove the given jobs if they are not running (waiting, delayed, finished); returns how many. */
export async function removeJobs(queue: Queue, ids: readonly string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const results = await Promise.all(ids.slice(i, i + CHUNK).map((id) => queue.remove(id).catch(() => 0)));
    removed += results.reduce<number>((a, r) => a + r, 0);
  }
  return removed;
}

/** The finished state of a job: its result or its failed reason; undefined while unfinished. */
export async function finishedState(
  queue: Queue,
  id: string,
): Promise<{ result: unknown } | { failedReason: string } | undefined> {
  const state = await queue.getJobState(id);
  if (state !== 'completed' && state !== 'failed') return undefined;
  const job: Job | undefined = await queue.getJob(id);
  if (!job) return undefined;
  return state === 'completed' ? { result: job.returnvalue } : { failedReason: job.failedReason ?? '' };
}
