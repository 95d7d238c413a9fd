/**
 * `sluice run --queue` with three `sluice worker` processes against one emulator that enforces a
 * quota: no call is refused for rate (the Redis pacer is global), the table is exact, and killing
 * a worker with SIGKILL mid-run still ends with the exact table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { QUEUE_PREFIX, QUEUE_REGISTRY_KEY, queueNameFor } from '../../src/distributed/wire.js';
import { doneBatches, expectedDaily, finished, sleepMs, spawnCli, tableFacts, tempDir, writeDailyJob } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';

const START = '20220101';
const END = '20231231';
const QUOTA = { calls: 12, intervalMs: 1000 };

describe('sluice worker: three processes, one quota', () => {
  let emu: Emulator;
  const dir = tempDir('sluice-workers-');
  const jobNames: string[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    // A sliding-window quota on the server; rowCap 500 forces several pages per batch.
    emu = await startEmulator({ port: 0, seed: 7, symbols: 12, rowCap: 500, rate: { ...QUOTA, window: 'sliding' } });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await emu?.close();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      for (const name of jobNames) {
        const queue = new Queue(queueNameFor(name), { connection: { host: '127.0.0.1', port: 6379 }, prefix: QUEUE_PREFIX });
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
        const left = await redis.keys(`${QUEUE_PREFIX}:${queueNameFor(name)}:*`);
        if (left.length > 0) await redis.del(...left);
        await redis.zrem(QUEUE_REGISTRY_KEY, queueNameFor(name));
      }
    } catch {
      // no Redis: nothing to clean
    } finally {
      redis.disconnect();
    }
  });

  /** A job (token from the environment, never in the file) into its own SQLite file. */
  function job(label: string): { path: string; db: string; name: string } {
    const name = `workers-${label}-${randomUUID().slice(0, 8)}`;
    jobNames.push(name);
    const db = join(dir, `${name}.db`);
    const path = writeDailyJob(dir, {
      name, url: emu.url, token: '${TUSHARE_TOKEN}', db, start: START, end: END, strategy: 'quarter',
      rowCap: 500, each: emu.dataset.universe.codes.slice(0, 6), rate: QUOTA, concurrency: 2, timeoutMs: 5000,
    });
    return { path, db, name };
  }

  function worker(name: string): ChildProcess {
    const child = spawnCli(
      ['worker', '--queue', REDIS_URL, '--job', name, '--concurrency', '2', '--lock-ms', '3000', '--stalled-interval-ms', '1000'],
      { TUSHARE_TOKEN: emu.token },
    );
    child.stderr?.resume();
    child.stdout?.resume();
    children.push(child);
    return child;
  }

  async function stop(workers: ChildProcess[]): Promise<void> {
    await Promise.all(workers.map((w) => {
      if (w.exitCode !== null || w.signalCode !== null) return Promise.resolve();
      const exited = new Promise((resolve) => w.once('exit', resolve));
      w.kill('SIGTERM');
      return exited;
    }));
  }

  function assertExact(db: string): void {
    const expected = expectedDaily(emu.dataset, START, END, emu.dataset.universe.codes.slice(0, 6));
    const facts = tableFacts(db, 'daily');
    assert.ok(expected.count > 2000, `enough rows to page (${expected.count})`);
    assert.equal(facts.rows, expected.count);
    assert.equal(facts.keys, expected.count);
    assert.deepEqual(facts.checksum, expected);
  }

  test('three workers never exceed the quota and land the exact table', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = job('quota');
    const refusedBefore = emu.stats().rejectedRate;
    const callsBefore = emu.stats().calls;
    const workers = [worker(name), worker(name), worker(name)];
    const run = await finished(spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: emu.token }));
    await stop(workers);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.status, 'succeeded');
    assert.ok(!run.stderr.includes(emu.token) && !run.stdout.includes(emu.token), 'token never printed');
    assert.ok(emu.stats().calls - callsBefore > QUOTA.calls * 2, 'the run needed several quota intervals');
    assert.equal(emu.stats().rejectedRate - refusedBefore, 0, 'no call was refused for rate');
    assert.ok(report.calls.total >= emu.stats().calls - callsBefore - 1, `relayed calls counted (${report.calls.total})`);
    assertExact(db);
  });

  test('a worker killed with SIGKILL mid-run loses nothing: the table is still exact', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = job('kill');
    const workers = [worker(name), worker(name), worker(name)];
    const running = finished(spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: emu.token }));
    for (let i = 0; i < 600 && doneBatches(db) < 4; i += 1) await sleepMs(50);
    assert.ok(doneBatches(db) >= 4, 'the run got going');
    workers[0].kill('SIGKILL');
    const run = await running;
    await stop(workers);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'succeeded');
    assertExact(db);
  });
});
