/**
 * The worker side of one queue: takes batch jobs, runs an injected processor with a per-batch
 * event emitter (its `call:end` events are logged into the job's result) and a cancellation signal,
 * enqueues the children of a split, and turns fatal errors into BullMQ's UnrecoverableError.
 *
 * A worker killed mid-batch loses nothing: its lock expires, BullMQ's stalled-job check puts the
 * job back, another worker runs the batch again, and the upsert keeps the table exact.
 */
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { DEFAULTS } from '../core/defaults.js';
import { Emitter, type ExecutorEvents } from '../core/events.js';
import { ErrorCodes, SluiceError, asError, isInputError, isSluiceError, messageOf } from '../core/errors.js';
import { scrub } from '../core/secrets.js';
import type { Batch } from '../core/types.js';
import { addBatches } from './jobs.js';
import { closeRedis, connectRedis, redisOptions, type RedisConnection } from './redis.js';
import {
  type BatchJobData,
  type BatchJobResult,
  type BatchVerdict,
  CallLog,
  cancelKey,
  encodeCancel,
  encodeFatal,
  QUEUE_PREFIX,
} from './wire.js';

export interface BatchContext {
  /** Aborted when the run is cancelled (fatal error elsewhere, producer interrupted) or the worker closes. */
  readonly signal: AbortSignal;
  /** Emit executor events here; `call:end` events are relayed to the producer. */
  readonly events: ExecutorEvents;
  /** BullMQ attempts already made for this job (0 the first time; crashes do not count). */
  readonly attemptsMade: number;
}

/**
 * Runs one batch and records it in the journal (commit, split, markFailed). Returns the verdict;
 * throws a fatal SluiceError (bad token...) or an input error (SLUICE_BAD_JOB, exit code 2) to stop
 * the whole run; any other throw is retried.
 */
export type BatchProcessor<P> = (data: BatchJobData<P>, ctx: BatchContext) => Promise<BatchVerdict>;

export interface BatchWorkerOptions<P> {
  readonly connection: RedisConnection;
  readonly queueName: string;
  readonly process: BatchProcessor<P>;
  /** Batches this worker runs at once. @default 1 */
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal; a dead worker's job is retried after it. @default 30000 */
  readonly lockDurationMs?: number;
  /** How often stalled jobs are looked for. @default 30000 */
  readonly stalledIntervalMs?: number;
  /** Crashes a job may survive before it fails. @default 2 */
  readonly maxStalledCount?: number;
  /** How often running batches check whether their run was cancelled. @default 500 */
  readonly cancelPollMs?: number;
  /** Told about errors the worker survives (lost locks, Redis hiccups). */
  readonly onError?: (err: Error) => void;
}

export interface BatchWorker {
  readonly queueName: string;
  /** Stops taking jobs, aborts running batches and waits for them to settle. */
  close(): Promise<void>;
}

/** Abort reason of batches interrupted because this worker is closing. */
const CLOSING = new SluiceError(ErrorCodes.ABORTED, 'worker closing');

interface Running {
  readonly runId: string;
  readonly controller: AbortController;
}

/**
 * A batch stopped by its signal. When this worker is closing it is not the run's fault: the job
 * goes back to the queue for another worker (or this one, later); otherwise the run was cancelled.
 */
async function interrupted<P>(
  job: Job<BatchJobData<P>>,
  token: string | undefined,
  signal: AbortSignal,
  result: (v: BatchVerdict) => BatchJobResult,
  cancelled: () => Promise<boolean>,
): Promise<BatchJobResult> {
  // A closing worker may beat its cancel poll: a batch of a cancelled run must not go back to the queue.
  if (signal.reason !== CLOSING || (await cancelled())) return result({ status: 'aborted' });
  await job.moveToWait(token);
  throw new WaitingError();
}

export function startBatchWorker<P>(options: BatchWorkerOptions<P>): BatchWorker {
  const { queueName } = options;
  const connection = { maxRetriesPerRequest: null, ...redisOptions(options.connection) };
  const children = new Queue(queueName, { connection, prefix: QUEUE_PREFIX });
  children.on('error', (err) => options.onError?.(err));
  const control = connectRedis(options.connection);
  const running = new Map<string, Running>();
  let closing = false;

  const isCancelled = async (runId: string): Promise<boolean> =>
    (await control.exists(cancelKey(queueName, runId))) === 1;
  /** The flag carries the fatal reason, so the producer learns it even if this worker dies before failing the job. */
  const cancelRun = async (runId: string, reason: string): Promise<void> => {
    await control.set(cancelKey(queueName, runId), reason, 'EX', 86400).catch(() => undefined);
    for (const r of running.values())
      if (r.runId === runId) r.controller.abort(new SluiceError(ErrorCodes.ABORTED, 'run cancelled'));
  };

  const processJob = async (job: Job<BatchJobData<P>>, token?: string): Promise<BatchJobResult> => {
    const data = job.data;
    const started = performance.now();
    const controller = new AbortController();
    const log = new CallLog();
    const events: ExecutorEvents = new Emitter();
    const detach = log.attach(events);
    const result = (verdict: BatchVerdict): BatchJobResult => ({
      ...verdict,
      calls: log.result(),
      callCount: log.callCount,
      ms: Math.round(performance.now() - started),
      waits: log.waits,
    });
    const cancelled = (): Promise<boolean> => isCancelled(data.runId);
    if (await cancelled()) return result({ status: 'aborted' });
    const key = job.id ?? `${data.runId}/${data.batch.key}`;
    running.set(key, { runId: data.runId, controller });
    try {
      const verdict = await options.process(data, {
        signal: controller.signal,
        events,
        attemptsMade: job.attemptsMade,
      });
      if (verdict.status === 'aborted') return await interrupted(job, token, controller.signal, result, cancelled);
      if (verdict.status === 'split')
        await addBatches<P>(children, data.runId, verdict.children as Batch[], data.payload);
      return result(verdict);
    } catch (err) {
      if (controller.signal.aborted) return await interrupted(job, token, controller.signal, result, cancelled);
      // Fatal for the run: a bad token or permission, or a job this worker cannot even build.
      if (isSluiceError(err) && (err.kind === 'fatal' || isInputError(err.code))) {
        // Stop the run's other batches now (here and on every worker), before the producer hears of it.
        const message = scrub(err.message);
        await cancelRun(data.runId, encodeCancel(data.batch.key, err.code, message));
        throw new UnrecoverableError(encodeFatal(err.code, message));
      }
      // Anything else fails this attempt; the reason names its code (see wire.ts lostReason).
      const code = isSluiceError(err) ? err.code : ErrorCodes.INTERNAL;
      throw new SluiceError(code, scrub(`${code}: ${messageOf(err)}`), {}, { cause: err });
    } finally {
      detach();
      running.delete(key);
    }
  };

  const worker = new Worker<BatchJobData<P>, BatchJobResult>(queueName, processJob, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? DEFAULTS.worker.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? DEFAULTS.worker.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? 2,
  });
  worker.on('error', (err) => options.onError?.(err));

  const poll = setInterval(() => {
    if (running.size === 0) return;
    const runIds = [...new Set([...running.values()].map((r) => r.runId))];
    control
      .mget(runIds.map((id) => cancelKey(queueName, id)))
      .then((flags) => {
        const cancelled = new Set(runIds.filter((_id, i) => flags[i] !== null));
        for (const r of running.values())
          if (cancelled.has(r.runId)) r.controller.abort(new SluiceError(ErrorCodes.ABORTED, 'run cancelled'));
      })
      .catch((err: unknown) => options.onError?.(asError(err)));
  }, options.cancelPollMs ?? 500);
  poll.unref();

  return {
    queueName,
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      clearInterval(poll);
      const closed = worker.close();
      for (const r of running.values()) r.controller.abort(CLOSING);
      await closed;
      await children.close();
      await closeRedis(control);
    },
  };
}
