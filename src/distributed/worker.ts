/**
 * `sluice worker`: one process serving every job's queue it finds in the registry (producers
 * record their queue there), with a batch worker per queue sharing one job processor (parts are
 * built once per job definition).
 */
import { DEFAULTS } from '../core/defaults.js';
import { asError } from '../core/errors.js';
import { closeRedis, connectRedis, ensureReachable, redactedQueueUrl, type RedisConnection } from './redis.js';
import { startBatchWorker, type BatchWorker } from './batch-worker.js';
import { registeredQueues } from './jobs.js';
import { createJobProcessor } from './processor.js';
import type { JobPayload } from './payload.js';
import { queueNameFor } from './wire.js';

export interface WorkerOptions {
  /** `redis://...` of the queue. */
  readonly queueUrl: RedisConnection;
  /** Batches run at once, per job queue. @default 4 */
  readonly concurrency?: number;
  /** Serve only these job names. @default every job that used this Redis in the last 7 days */
  readonly jobs?: readonly string[];
  /** A dead worker's batch is retried after its lock lapses (this long) and a stalled check. @default 30000 */
  readonly lockDurationMs?: number;
  /** How often running workers look for stalled batches. @default 30000 */
  readonly stalledIntervalMs?: number;
  /** How often the registry is read for new job queues. @default 2000 */
  readonly discoverMs?: number;
  /** Environment the job definitions are interpolated from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Told when a job queue starts being served. */
  readonly onQueue?: (queueName: string) => void;
  /** Told about errors the worker survives. */
  readonly onError?: (err: Error) => void;
}

export interface SluiceWorker {
  /** The redacted queue URL. */
  readonly url: string;
  /** Queue names being served. */
  queues(): string[];
  /** Stop taking batches; running ones are handed back to the queue; connections closed. */
  close(): Promise<void>;
}

const REGISTRY_AGE_MS = 7 * 24 * 3600 * 1000;

export async function startWorker(options: WorkerOptions): Promise<SluiceWorker> {
  const control = connectRedis(options.queueUrl);
  try {
    await ensureReachable(control, options.queueUrl);
  } catch (err) {
    control.disconnect();
    throw err;
  }
  const processor = createJobProcessor(options.queueUrl, options.env);
  const workers = new Map<string, BatchWorker>();
  const wanted = options.jobs ? new Set(options.jobs.map(queueNameFor)) : undefined;
  const onError = options.onError ?? (() => undefined);
  let closing = false;

  const serve = (queueName: string): void => {
    if (workers.has(queueName) || closing) return;
    workers.set(
      queueName,
      startBatchWorker<JobPayload>({
        connection: options.queueUrl,
        queueName,
        process: processor.process,
        concurrency: options.concurrency ?? DEFAULTS.worker.concurrency,
        lockDurationMs: options.lockDurationMs,
        stalledIntervalMs: options.stalledIntervalMs,
        onError,
      }),
    );
    options.onQueue?.(queueName);
  };

  const discover = async (): Promise<void> => {
    const names = await registeredQueues(control, REGISTRY_AGE_MS);
    for (const name of names) {
      if (!name.startsWith('job-')) continue; // not a job queue (tests, other tools)
      if (wanted && !wanted.has(name)) continue;
      serve(name);
    }
  };

  if (wanted) for (const name of wanted) serve(name);
  await discover();
  let discovering = false;
  const timer = setInterval(() => {
    if (discovering) return;
    discovering = true;
    discover()
      .catch((err: unknown) => onError(asError(err)))
      .finally(() => {
        discovering = false;
      });
  }, options.discoverMs ?? DEFAULTS.worker.discoverMs);

  return {
    url: redactedQueueUrl(options.queueUrl),
    queues: () => [...workers.keys()],
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      clearInterval(timer);
      await Promise.all([...workers.values()].map((w) => w.close()));
      await processor.close();
      await closeRedis(control);
    },
  };
}
