/**
 * Queued runs that stop: an interrupted producer resumes to the exact table; a bad token in the
 * workers ends the run at once with its remaining batches removed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { QUEUE_PREFIX, queueNameFor } from '../../src/distributed/wire.js';
import { doneBatches, finished, sleepMs, spawnCli } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { workersFixture } from './workers-fixture.js';

describe('sluice worker: interrupted and failing queued runs', () => {
  const f = workersFixture();

  test('an interrupted queued run resumes to the exact table', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = f.job('resume');
    const workers = [f.worker(name), f.worker(name), f.worker(name)];
    const producer = spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token });
    const first = finished(producer);
    for (let i = 0; i < 600 && doneBatches(db) < 6; i += 1) await sleepMs(50);
    producer.kill('SIGINT');
    const interrupted = await first;
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.equal(JSON.parse(interrupted.stdout).status, 'interrupted');
    const resumed = await finished(
      spawnCli(['run', path, '--queue', REDIS_URL, '--resume', '--json'], { TUSHARE_TOKEN: f.emu().token }),
    );
    await f.stop(workers);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).status, 'succeeded');
    f.assertExact(db);
  });

  test('a bad token in the workers stops the run at once: exit 1, token never printed', async (t) => {
    if (!(await redisAvailable(t))) return;
    const badToken = 'bad-token-4e8f21';
    const { path, name } = f.job('fatal');
    const refusedBefore = f.emu().stats().byCode['40101'] ?? 0;
    const workers = [f.worker(name, badToken), f.worker(name, badToken)];
    const run = await finished(spawnCli(['run', path, '--queue', REDIS_URL], { TUSHARE_TOKEN: badToken }));
    await f.stop(workers);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /40101|token/i);
    assert.ok(!run.stderr.includes(badToken) && !run.stdout.includes(badToken), 'token never printed');
    const refused = (f.emu().stats().byCode['40101'] ?? 0) - refusedBefore;
    assert.ok(refused >= 1 && refused <= 4, `calls answered 40101: ${refused} (at most the calls in flight)`);
    const queue = new Queue(queueNameFor(name), {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: QUEUE_PREFIX,
    });
    try {
      assert.equal(
        await queue.getJobCountByTypes('waiting', 'delayed', 'prioritized'),
        0,
        'remaining batches were removed',
      );
    } finally {
      await queue.close();
    }
  });
});
