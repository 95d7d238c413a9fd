/**
 * What a worker does with one batch job: build the job's parts once per definition (interpolated
 * from the worker's own environment), run the batch with the executor and the global Redis pacer,
 * and record the outcome in the shared journal before the job is reported finished.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes } from '../core/errors.js';
import type { Source } from '../core/source.js';
import type { Store } from '../core/store.js';
import { parseJob } from '../job/load.js';
import { type KnownFacts, saveApiFacts } from '../job/api-facts.js';
import { openParts, resolveRun, type RunParts } from '../job/resolve.js';
import type { JobConfig } from '../job/schema.js';
import { CircuitBreaker, runBatch } from '../run/index.js';
import type { BatchContext, BatchProcessor } from './batch-worker.js';
import type { JobPayload } from './payload.js';
import { createRedisPacer, type RedisPacer } from './redis-pacer.js';
import type { RedisConnection } from './redis.js';
import type { BatchJobData, BatchVerdict } from './wire.js';

interface Parts {
  readonly run: RunParts;
  readonly store: Store;
  readonly source: Source;
  readonly pacer: RedisPacer;
  readonly known: KnownFacts;
  /** One breaker for every batch of the job this worker runs, so its failed calls add up. */
  readonly breaker: CircuitBreaker | false;
}

/** Pacing keys are shared by every job that calls the same API endpoint with the same credentials. */
export function pacePrefix(job: JobConfig): string {
  const s = job.source as { url?: string; token?: string };
  const who = createHash('sha256')
    .update(`${s.url ?? ''}\n${s.token ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return `sluice:pace:${who}`;
}

export interface JobProcessor {
  readonly process: BatchProcessor<JobPayload>;
  /** Closes every store and pacer built so far. */
  close(): Promise<void>;
}

async function buildParts(payload: JobPayload, connection: RedisConnection, env: NodeJS.ProcessEnv): Promise<Parts> {
  const job = parseJob(payload.job, env, 'queued job');
  // The same parts as the local engine's; the worker commits each batch on its own (no group commit).
  // Quotas earlier runs learned are shared through Redis instead of read from the store.
  const run = resolveRun(job, { baseDir: payload.baseDir, db: payload.db });
  const { source, store, known } = await openParts(run);
  const { timeoutMs, pacer: rate } = run.executor;
  // Hold mode: a call holds its slot until it ends, so no delay between grant and request can
  // squeeze more than the quota into the server's window. A call cannot outlast its timeout.
  const holdMs = timeoutMs > 0 ? timeoutMs + 1000 : 300_000;
  const pacer = createRedisPacer({ connection, prefix: pacePrefix(job), rate, holdMs });
  const { breaker: options } = run.executor;
  const breaker = options === false ? false : new CircuitBreaker(options);
  return { run, store, source, pacer, known, breaker };
}

/**
 * A store that groups commits (SQLite) must make this batch durable and visible to the other
 * processes before the job is reported done: otherwise a killed worker would lose a batch the
 * queue already counts as finished, and its open group would hold the file's write lock.
 */
function durable(store: Store): void {
  const flush = (store as { flush?: () => void }).flush;
  if (typeof flush === 'function') flush.call(store);
}

/** A processor for `sluice worker`: parts are cached per job definition hash. */
export function createJobProcessor(connection: RedisConnection, env: NodeJS.ProcessEnv = process.env): JobProcessor {
  const cache = new Map<string, Promise<Parts>>();

  const partsFor = (payload: JobPayload): Promise<Parts> => {
    let parts = cache.get(payload.hash);
    if (!parts) {
      parts = buildParts(payload, connection, env);
      cache.set(payload.hash, parts);
      parts.catch(() => cache.delete(payload.hash));
    }
    return parts;
  };

  const process = async (data: BatchJobData<JobPayload>, ctx: BatchContext): Promise<BatchVerdict> => {
    const { runId, batch } = data;
    const parts = await partsFor(data.payload);
    const { store } = parts;
    await store.markRunning(runId, batch.key);
    // One batch per slot: the queue's concurrency bounds the worker, and nothing is held across batches.
    const outcome = await runBatch(batch, {
      ...parts.run.executor,
      source: parts.source,
      pacer: parts.pacer,
      breaker: parts.breaker,
      concurrency: 1,
      maxRowsHeld: 0,
      events: ctx.events,
      signal: ctx.signal,
    });
    if (outcome.status === 'done') {
      const t0 = performance.now();
      const rows = await store.commit(runId, outcome.batch, outcome.rows, outcome.attempts);
      durable(store);
      return { status: 'done', rows, attempts: outcome.attempts, commitMs: Math.round(performance.now() - t0) };
    }
    if (outcome.status === 'split') {
      await store.split(runId, batch.key, outcome.children);
      durable(store);
      return { status: 'split', children: outcome.children };
    }
    const { error } = outcome;
    if (ctx.signal.aborted || error.code === ErrorCodes.ABORTED) return { status: 'aborted' };
    // a used-up daily quota or a dead server (the breaker) stops the run, but this batch did not
    // fail: --resume runs it again
    if (error.code === ErrorCodes.QUOTA_EXHAUSTED || error.code === ErrorCodes.UNAVAILABLE) throw error;
    await store.markFailed(runId, batch.key, error.message, outcome.attempts);
    durable(store);
    if (error.kind === 'fatal') throw error;
    return { status: 'failed', error: error.message, code: error.code, attempts: outcome.attempts };
  };

  return {
    process,
    async close(): Promise<void> {
      const all = [...cache.values()];
      cache.clear();
      for (const p of all) {
        const parts = await p.catch(() => undefined);
        if (!parts) continue;
        const { run, source, pacer } = parts;
        const learned = { quota: pacer.learnedQuota?.(source.api), cap: source.capFacts?.() };
        await saveApiFacts(parts.store, run.job, parts.known, learned).catch(() => undefined);
        await parts.pacer.close().catch(() => undefined);
        await parts.store.close().catch(() => undefined);
      }
    },
  };
}
