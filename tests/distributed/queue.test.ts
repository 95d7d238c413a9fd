import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ErrorCodes, SluiceError } from '../../src/core/errors.js';
import { addBatches } from '../../src/distributed/jobs.js';
import { startBatchWorker, type BatchProcessor } from '../../src/distributed/batch-worker.js';
import { cancelKey, encodeCancel } from '../../src/distributed/wire.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { batches, cleanupQueues, closeLater, collect, testQueue } from './queue-fixture.js';

after(cleanupQueues);

function worker<P>(queueName: string, process: BatchProcessor<P>, extra: { concurrency?: number } = {}): void {
  const w = startBatchWorker({
    connection: REDIS_URL,
    queueName,
    process,
    lockDurationMs: 2000,
    stalledIntervalMs: 1000,
    ...extra,
  });
  closeLater(() => w.close());
}

/** Emits two calls per batch, like the executor would, and reports the batch done. */
const twoCalls: BatchProcessor<unknown> = async (data, ctx) => {
  for (const page of [0, 1]) {
    ctx.events.emit('call:end', {
      api: 'daily',
      key: data.batch.key,
      tMs: 0,
      page,
      attempt: 1,
      ms: 5,
      rows: 10,
      status: 'ok',
    });
  }
  return { status: 'done', rows: 20, attempts: 1 };
};

const keysOf = (outcomes: { batch: { key: string } }[]): string[] => outcomes.map((o) => o.batch.key).sort();

describe('BullMQ producer and workers', () => {
  test("every batch finishes once and the workers' calls are relayed as events", async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    worker(queue.name, twoCalls, { concurrency: 3 });
    worker(queue.name, twoCalls, { concurrency: 3 });
    const plan = batches(12);
    const got = await collect({ queue, runId: 'run-1', batches: plan, payload: { job: 'x' } });
    assert.equal(got.error, undefined);
    assert.deepEqual(keysOf(got.outcomes), plan.map((b) => b.key).sort());
    assert.ok(got.outcomes.every((o) => o.kind === 'result' && o.result.status === 'done' && o.result.callCount === 2));
    assert.equal(got.seen['batch:done'], 12);
    assert.equal(got.seen['call:end'], 24);
    assert.equal(got.seen['call:start'], 24);
    // finished jobs are cleaned up after a complete run
    assert.equal(await queue.getJobCountByTypes('completed', 'waiting', 'active'), 0);
  });

  test("a worker's quota wait and commit time reach the producer's events with their batch key", async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    worker(queue.name, async (data, ctx) => {
      ctx.events.emit('pace:wait', { api: 'daily', key: data.batch.key, tMs: 0, waitMs: 30, reason: 'quota' });
      ctx.events.emit('call:end', {
        api: 'daily',
        key: data.batch.key,
        tMs: 0,
        page: 0,
        attempt: 1,
        ms: 5,
        rows: 4,
        status: 'ok',
      });
      return { status: 'done', rows: 4, attempts: 1, commitMs: 7 };
    });
    const got = await collect({ queue, runId: 'run-commit', batches: batches(3, 'c'), payload: {} });
    assert.equal(got.error, undefined);
    assert.equal(got.seen['batch:commit'], 3);
    assert.equal(got.seen['pace:wait'], 3);
    const commit = got.last['batch:commit']!;
    assert.equal(commit.ms, 7);
    assert.equal(commit.rows, 4);
    assert.match(commit.key, /^c\d$/);
    assert.equal(got.last['pace:wait']!.key, commit.key);
    assert.ok(got.last['batch:done']!.tMs <= commit.tMs, 'fetched before written');
  });

  test('enqueueing the same batches of a run twice adds each job once', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    await addBatches(queue, 'run-2', batches(5), {});
    await addBatches(queue, 'run-2', batches(5), {});
    assert.equal(await queue.getJobCountByTypes('waiting'), 5);
    await addBatches(queue, 'run-3', batches(5), {});
    assert.equal(await queue.getJobCountByTypes('waiting'), 10);
  });

  test('a split enqueues its children and the producer waits for them', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    worker(
      queue.name,
      async (data) => {
        const key = data.batch.key;
        if (key === 'b1' || key === 'b1.a')
          return {
            status: 'split',
            children: [
              { key: `${key}.a`, params: {} },
              { key: `${key}.b`, params: {} },
            ],
          };
        return { status: 'done', rows: 1, attempts: 1 };
      },
      { concurrency: 2 },
    );
    const got = await collect({ queue, runId: 'run-split', batches: batches(3), payload: {} });
    assert.equal(got.error, undefined);
    const done = got.outcomes.filter((o) => o.kind === 'result' && o.result.status === 'done');
    assert.deepEqual(keysOf(done), ['b0', 'b1.a.a', 'b1.a.b', 'b1.b', 'b2']);
    assert.equal(got.seen['batch:split'], 2);
  });

  test('a fatal error stops the run: remaining jobs are removed and running ones aborted', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    let aborted = 0;
    let started = 0;
    worker(
      queue.name,
      async (data, ctx) => {
        if (data.batch.key === 'b0') {
          // fail once two other batches are running beside this one
          for (let i = 0; i < 100 && started < 2; i += 1) await new Promise((r) => setTimeout(r, 50));
          throw new SluiceError(ErrorCodes.AUTH, 'token rejected (40101)');
        }
        started += 1;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        aborted += 1;
        return { status: 'aborted' };
      },
      { concurrency: 3 },
    );
    const got = await collect({ queue, runId: 'run-fatal', batches: batches(10), payload: {} });
    assert.ok(got.error instanceof SluiceError);
    assert.equal(got.error.code, ErrorCodes.AUTH);
    assert.equal(got.error.context.batchKey, 'b0');
    assert.equal(await queue.getJobCountByTypes('waiting', 'delayed'), 0);
    const redis = new Redis(REDIS_URL);
    assert.equal(await redis.exists(cancelKey(queue.name, 'run-fatal')), 1);
    redis.disconnect();
    // the batches running beside the fatal one are told to stop
    for (let i = 0; i < 50 && (await queue.getJobCountByTypes('active')) > 0; i += 1)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(await queue.getJobCountByTypes('active'), 0);
    assert.ok(aborted >= 2, `${aborted} running batches aborted`);
  });

  test('a fatal error whose worker never reports the job still stops the run, from the cancel flag', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    const redis = new Redis(REDIS_URL);
    try {
      worker(
        queue.name,
        async (data, ctx) => {
          // b0 plays a worker that flagged the run cancelled for a bad token and died before failing
          // its job: no failed event will ever come. Every batch then ends aborted.
          if (data.batch.key === 'b0')
            await redis.set(
              cancelKey(queue.name, 'run-dead'),
              encodeCancel('b0', ErrorCodes.AUTH, 'token rejected (40101)'),
            );
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          return { status: 'aborted' };
        },
        { concurrency: 3 },
      );
      const got = await collect({ queue, runId: 'run-dead', batches: batches(6), payload: {} });
      assert.ok(got.error instanceof SluiceError, String(got.error));
      assert.equal(got.error.code, ErrorCodes.AUTH);
      assert.equal(got.error.context.batchKey, 'b0');
      assert.equal(await queue.getJobCountByTypes('waiting', 'delayed'), 0);
    } finally {
      redis.disconnect();
    }
  });

  test('a job that keeps failing outside the executor comes back as lost', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    let tries = 0;
    worker(queue.name, async (data) => {
      if (data.batch.key === 'b1') {
        tries += 1;
        throw new SluiceError(ErrorCodes.SINK, 'database is locked');
      }
      return { status: 'done', rows: 1, attempts: 1 };
    });
    const got = await collect({ queue, runId: 'run-lost', batches: batches(2), payload: {} });
    assert.equal(got.error, undefined);
    const lost = got.outcomes.find((o) => o.kind === 'lost');
    assert.equal(lost?.batch.key, 'b1');
    assert.match(lost?.kind === 'lost' ? lost.error : '', /SLUICE_SINK: database is locked/);
    assert.equal(tries, 3);
  });

  test('cancelling the producer removes waiting jobs and ends without an error', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    let second: () => void = () => undefined;
    const secondStarted = new Promise<void>((resolve) => {
      second = resolve;
    });
    let stopped = false;
    worker(queue.name, async (data, ctx) => {
      if (data.batch.key === 'b0') return { status: 'done', rows: 1, attempts: 1 };
      second();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      stopped = true;
      return { status: 'aborted' };
    });
    const controller = new AbortController();
    const got = collect({ queue, runId: 'run-cancel', batches: batches(6), payload: {}, signal: controller.signal });
    await secondStarted; // b0 is finished, b1 is running, b2..b5 wait
    controller.abort();
    const result = await got;
    assert.equal(result.error, undefined);
    assert.deepEqual(
      result.outcomes.map((o) => o.batch.key),
      ['b0'],
    );
    for (let i = 0; i < 50 && !stopped; i += 1) await new Promise((r) => setTimeout(r, 100));
    assert.ok(stopped, 'the running batch was told to stop');
    assert.equal(await queue.getJobCountByTypes('waiting', 'delayed'), 0);
  });

  test('a worker killed with SIGKILL mid-batch loses nothing: the batch runs again elsewhere', async (t) => {
    if (!(await redisAvailable(t))) return;
    const queue = testQueue();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./hold-worker.js', import.meta.url)), queue.name, '600000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const held = new Promise<string>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        const m = /started (\S+)/.exec(d.toString());
        if (m) resolve(m[1]);
      }),
    );
    const got = collect({ queue, runId: 'run-kill', batches: batches(4), payload: {} });
    const victim = await held;
    child.kill('SIGKILL');
    const ran: string[] = [];
    worker(queue.name, async (data) => {
      ran.push(data.batch.key);
      return { status: 'done', rows: 1, attempts: 1 };
    });
    const result = await got;
    assert.equal(result.error, undefined);
    assert.deepEqual(keysOf(result.outcomes), ['b0', 'b1', 'b2', 'b3']);
    assert.ok(ran.includes(victim), `the killed worker's batch ${victim} was run again`);
    assert.ok(result.outcomes.every((o) => o.kind === 'result' && o.result.status === 'done'));
  });
});
