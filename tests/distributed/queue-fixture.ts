/** Shared set-up for queue tests: unique queues, cleanup, collecting a run's outcomes. */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import type { Batch } from '../../src/core/types.js';
import { runOnQueue, type QueueOutcome, type QueueRunOptions } from '../../src/distributed/producer.js';
import { QUEUE_PREFIX, QUEUE_REGISTRY_KEY } from '../../src/distributed/wire.js';
import { REDIS_URL } from './redis-check.js';

const queues: Queue[] = [];
const closers: Array<() => Promise<unknown>> = [];

export function testQueue(): Queue {
  const q = new Queue(`test-${randomUUID()}`, {
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
  });
  queues.push(q);
  return q;
}

/** Close later (workers, pacers). */
export function closeLater(fn: () => Promise<unknown>): void {
  closers.push(fn);
}

export async function cleanupQueues(): Promise<void> {
  for (const c of closers.splice(0)) await c().catch(() => undefined);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for (const q of queues.splice(0)) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close().catch(() => undefined);
      const left = await redis.keys(`${QUEUE_PREFIX}:${q.name}:*`);
      if (left.length > 0) await redis.del(...left);
      await redis.zrem(QUEUE_REGISTRY_KEY, q.name);
    }
  } finally {
    redis.disconnect();
  }
}

export function batches(n: number, prefix = 'b'): Batch[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, params: { i } }));
}

export interface Collected {
  readonly outcomes: QueueOutcome[];
  readonly seen: { [K in keyof ExecutorEventMap]?: number };
  /** The last payload of each relayed event. */
  readonly last: { [K in keyof ExecutorEventMap]?: ExecutorEventMap[K] };
  readonly error?: unknown;
}

/** Run to the end (or the first throw), counting relayed events. */
export async function collect<P>(
  options: Omit<QueueRunOptions<P>, 'connection' | 'events' | 'signal'> & { signal?: AbortSignal },
): Promise<Collected> {
  const events = new Emitter();
  const seen: Collected['seen'] = {};
  const last: Record<string, unknown> = {};
  const names = [
    'call:start',
    'call:end',
    'batch:start',
    'batch:done',
    'batch:fail',
    'batch:split',
    'batch:commit',
    'pace:wait',
  ] as const;
  for (const name of names) {
    events.on(name, (payload) => {
      seen[name] = (seen[name] ?? 0) + 1;
      last[name] = payload;
    });
  }
  const outcomes: QueueOutcome[] = [];
  try {
    for await (const o of runOnQueue({
      connection: REDIS_URL,
      events,
      signal: options.signal ?? new AbortController().signal,
      reconcileMs: 500,
      ...options,
    }))
      outcomes.push(o);
  } catch (error) {
    return { outcomes, seen, last, error };
  }
  return { outcomes, seen, last };
}
