/**
 * The producer side of a run: enqueue one job per batch, follow the jobs until every batch (and
 * every child of a split) has finished, relay the workers' call samples as executor events, and
 * stop the run's remaining jobs on a fatal error or cancellation.
 *
 * Progress comes from BullMQ's event stream (QueueEvents, read from the id current before the
 * first job was added, so no event is missed); when the stream is quiet the unfinished jobs are
 * also looked up directly, which covers a trimmed stream or a lost connection.
 */
import { QueueEvents, type Queue } from 'bullmq';
import type { ExecutorEvents } from '../core/events.js';
import type { Batch } from '../core/types.js';
import { Inbox } from './inbox.js';
import { addBatches, finishedState, registerQueue, removeJobs } from './jobs.js';
import {
  closeRedis,
  connectRedis,
  ensureReachable,
  redisOptions,
  settleWithin,
  type RedisConnection,
} from './redis.js';
import {
  type BatchJobResult,
  cancelKey,
  decodeCancel,
  decodeFatal,
  jobIdFor,
  lostReason,
  readResult,
  QUEUE_PREFIX,
  runTag,
} from './wire.js';

export interface QueueRunOptions<P> {
  /** The run's queue (BullMQ prefix QUEUE_PREFIX). */
  readonly queue: Queue;
  /** Redis address for the event reader. */
  readonly connection: RedisConnection;
  readonly runId: string;
  /**
   * Batches to run, in plan order. A list is enqueued at once; an iterable is read lazily, at
   * most `lookahead` of its batches on the queue at a time (a plan made online waits for
   * outcomes before it yields more, so it must never be read ahead of them).
   */
  readonly batches: readonly Batch[] | Iterable<Batch> | AsyncIterable<Batch>;
  /** For an iterable of batches: how many may be on the queue, unfinished, at once. @default 4 */
  readonly lookahead?: number;
  /** Carried by every job (and every split child) to the workers. */
  readonly payload: P;
  readonly signal: AbortSignal;
  /** Receives the relayed `call:start`/`call:end` and batch events. */
  readonly events: ExecutorEvents;
  /** Look unfinished jobs up directly after this long without an event. @default 2000 */
  readonly reconcileMs?: number;
  /** After a cancel, how long to wait for running batches to report. @default 15000 */
  readonly drainMs?: number;
}

/** A finished batch: the worker's result, or a job that failed without one (lost). */
export type QueueOutcome =
  | { readonly kind: 'result'; readonly batch: Batch; readonly result: BatchJobResult }
  | { readonly kind: 'lost'; readonly batch: Batch; readonly error: string; readonly code: string };

type Settled = { readonly jobId: string } & ({ readonly result: unknown } | { readonly failedReason: string });

/** Pushed to the inbox when a lazily read batch was enqueued (or the input ended): not a job. */
const FED: Settled = { jobId: '', result: undefined };

/** A lazily read batch list: next() as a promise, whatever the iterable's kind. */
function lazyInput(batches: Iterable<Batch> | AsyncIterable<Batch>): AsyncIterator<Batch> {
  if (Symbol.asyncIterator in batches) return (batches as AsyncIterable<Batch>)[Symbol.asyncIterator]();
  const it = (batches as Iterable<Batch>)[Symbol.iterator]();
  return { next: async () => it.next(), return: async () => it.return?.() ?? { value: undefined, done: true } };
}

/** Yields one outcome per finished job, in completion order; throws a fatal SluiceError after cancelling the run. */
export async function* runOnQueue<P>(options: QueueRunOptions<P>): AsyncGenerator<QueueOutcome> {
  const { queue, runId, signal, events } = options;
  const reconcileMs = options.reconcileMs ?? 2000;
  const tag = `${runTag(runId)}-`;
  const client = connectRedis(options.connection);
  const inbox = new Inbox<Settled>();
  const outstanding = new Map<string, Batch>();
  const early = new Map<string, Settled>();
  let reader: QueueEvents | undefined;
  const cancel = async (): Promise<void> => {
    await client.set(cancelKey(queue.name, runId), '1', 'EX', 86400);
    await removeJobs(queue, [...outstanding.keys()]);
  };
  const reconcile = async (): Promise<Settled[]> => {
    const ids = [...outstanding.keys()].slice(0, 2000);
    const states = await Promise.all(ids.map((id) => finishedState(queue, id)));
    return states.flatMap((s, i) => (s ? [{ jobId: ids[i], ...s }] : []));
  };

  try {
    await ensureReachable(client, options.connection);
    const last = await client.xrevrange(`${QUEUE_PREFIX}:${queue.name}:events`, '+', '-', 'COUNT', 1);
    reader = followEvents(queue.name, options.connection, last[0]?.[0] ?? '0-0', tag, inbox, (jobId) => {
      const batch = outstanding.get(jobId);
      if (batch) events.emit('batch:start', { key: batch.key, tMs: Date.now() });
    });
    await reader.waitUntilReady();
    await client.del(cancelKey(queue.name, runId));
    await registerQueue(client, queue.name);
    const list = Array.isArray(options.batches) ? (options.batches as readonly Batch[]) : undefined;
    if (list) {
      const ids = await addBatches(queue, runId, list, options.payload);
      ids.forEach((id, i) => outstanding.set(id, list[i]));
    }
    // a lazily read input: one batch enqueued at a time while fewer than `lookahead` are out
    const input = list ? undefined : lazyInput(options.batches as Iterable<Batch> | AsyncIterable<Batch>);
    const lookahead = Math.max(1, options.lookahead ?? 4);
    let inputDone = input === undefined;
    let feeding = false;
    let feedError: unknown;
    const feed = (): void => {
      if (!input || feeding || inputDone || signal.aborted || outstanding.size >= lookahead) return;
      feeding = true;
      void (async () => {
        try {
          const r = await input.next();
          if (r.done) inputDone = true;
          else if (!signal.aborted) {
            const [id] = await addBatches(queue, runId, [r.value], options.payload);
            outstanding.set(id, r.value);
          }
        } catch (e) {
          feedError ??= e;
          inputDone = true;
        } finally {
          feeding = false;
          inbox.push(FED);
        }
      })();
    };
    const settledIds = new Set<string>();
    let deadline = Infinity;

    while ((outstanding.size > 0 || !inputDone) && performance.now() < deadline) {
      if (feedError !== undefined) throw feedError;
      feed();
      if (signal.aborted && !inputDone) {
        inputDone = true;
        void input?.return?.();
      }
      if (signal.aborted && deadline === Infinity) {
        await cancel();
        // Jobs removed above will not report; keep waiting only for those still running.
        const present = await Promise.all(
          [...outstanding.keys()].map(async (id) => [id, await queue.getJobState(id)] as const),
        );
        for (const [id, state] of present) if (state === 'unknown') outstanding.delete(id);
        deadline = performance.now() + (options.drainMs ?? 15000);
        continue;
      }
      const next = await inbox.next(reconcileMs, deadline === Infinity ? signal : undefined);
      const arrived = next ? [next] : signal.aborted && deadline === Infinity ? [] : await reconcile();
      for (let i = 0; i < arrived.length; i += 1) {
        const settled = arrived[i];
        if (settled === FED) continue;
        const expected = outstanding.get(settled.jobId);
        if (!expected) {
          if (!settledIds.has(settled.jobId)) early.set(settled.jobId, settled);
          continue;
        }
        outstanding.delete(settled.jobId);
        settledIds.add(settled.jobId);
        if ('failedReason' in settled) {
          const fatal = decodeFatal(settled.failedReason);
          if (fatal) {
            await cancel();
            fatal.context.batchKey = expected.key;
            throw fatal;
          }
          const lost = lostReason(settled.failedReason);
          events.emit('batch:fail', { key: expected.key, tMs: Date.now(), ...lost });
          yield { kind: 'lost', batch: expected, ...lost };
          continue;
        }
        const result = readResult(settled.result);
        if (result.status === 'aborted') {
          if (!signal.aborted) {
            // A worker hit a fatal error and cancelled the run (its flag says why): stop here, even
            // if that worker died before its job could report the failure.
            const fatal = decodeCancel(await client.get(cancelKey(queue.name, runId)));
            if (fatal) {
              await cancel();
              throw fatal;
            }
            // Stopped by a stale cancel flag or a closing worker: run it again.
            settledIds.delete(settled.jobId);
            await addBatches(queue, runId, [expected], options.payload);
            outstanding.set(settled.jobId, expected);
          }
          continue;
        }
        relay(events, expected, result);
        if (result.status === 'split') {
          for (const child of result.children) {
            const id = jobIdFor(runId, child.key);
            outstanding.set(id, child);
            const already = early.get(id);
            if (already) {
              early.delete(id);
              arrived.push(already);
            }
          }
        }
        yield { kind: 'result', batch: expected, result };
      }
    }
    if (feedError !== undefined) throw feedError;
    if (outstanding.size === 0 && !signal.aborted) await removeJobs(queue, [...settledIds]);
  } finally {
    if (reader) await settleWithin(reader.close(), 2000);
    await closeRedis(client);
  }
}

/** Read the queue's event stream from `lastEventId`; this run's finished jobs go to `inbox`. */
function followEvents(
  queueName: string,
  connection: RedisConnection,
  lastEventId: string,
  tag: string,
  inbox: Inbox<Settled>,
  onActive: (jobId: string) => void,
): QueueEvents {
  const reader = new QueueEvents(queueName, {
    connection: { maxRetriesPerRequest: null, ...redisOptions(connection) },
    prefix: QUEUE_PREFIX,
    lastEventId,
  });
  reader.on('completed', ({ jobId, returnvalue }) => {
    if (jobId.startsWith(tag)) inbox.push({ jobId, result: returnvalue });
  });
  reader.on('failed', ({ jobId, failedReason }) => {
    if (jobId.startsWith(tag)) inbox.push({ jobId, failedReason });
  });
  reader.on('active', ({ jobId }) => onActive(jobId));
  reader.on('error', () => undefined); // it reconnects by itself; reconciliation covers the gap
  return reader;
}

/**
 * Re-emit a worker's call samples, waits, the batch's end and its commit on the producer's clock
 * (epoch ms, like the executor). The worker reports waits as totals: they are placed at the start
 * of the batch, quota first, as one wait each.
 */
function relay(events: ExecutorEvents, batch: Batch, result: BatchJobResult): void {
  const now = Date.now();
  const key = batch.key;
  const api = result.calls[0]?.api;
  const commitMs = result.status === 'done' ? (result.commitMs ?? 0) : 0;
  if (api !== undefined && result.waits) {
    const { quotaMs, rateLimitedMs } = result.waits;
    const start = now - result.ms;
    if (quotaMs > 0) events.emit('pace:wait', { api, key, tMs: start + quotaMs, waitMs: quotaMs, reason: 'quota' });
    if (rateLimitedMs > 0)
      events.emit('pace:wait', {
        api,
        key,
        tMs: start + quotaMs + rateLimitedMs,
        waitMs: rateLimitedMs,
        reason: 'rate-limited',
      });
  }
  for (const c of result.calls) {
    const end = now - c.agoMs;
    events.emit('call:start', { api: c.api, key: batch.key, tMs: end - c.ms, page: c.page, attempt: c.attempt });
    const base = {
      api: c.api,
      key: batch.key,
      tMs: end,
      page: c.page,
      attempt: c.attempt,
      ms: c.ms,
      rows: c.rows,
      status: c.status,
    };
    const withError = c.error === undefined ? base : { ...base, error: c.error };
    events.emit('call:end', c.code === undefined ? withError : { ...withError, code: c.code });
  }
  if (result.status === 'done') {
    const fetchedAt = now - commitMs;
    events.emit('batch:done', {
      key,
      tMs: fetchedAt,
      rows: result.rows,
      calls: result.callCount,
      ms: result.ms - commitMs,
    });
    if (result.commitMs !== undefined) events.emit('batch:commit', { key, tMs: now, ms: commitMs, rows: result.rows });
  } else if (result.status === 'failed') {
    events.emit('batch:fail', { key: batch.key, tMs: now, error: result.error, code: result.code });
  } else if (result.status === 'split') {
    events.emit('batch:split', { key: batch.key, tMs: now, children: result.children.map((c) => c.key) });
  }
}
