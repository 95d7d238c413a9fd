/**
 * `sluice run --queue` with three `sluice worker` processes against one emulator that enforces a
 * quota: no call is refused for rate (the Redis pacer is global), the table is exact, and killing
 * a worker with SIGKILL mid-run still ends with the exact table.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { doneBatches, finished, sleepMs, spawnCli } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { QUOTA, workersFixture } from './workers-fixture.js';

describe('sluice worker: three processes, one quota', () => {
  const f = workersFixture();

  test('three workers never exceed the quota and land the exact table', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = f.job('quota');
    const refusedBefore = f.emu().stats().rejectedRate;
    const callsBefore = f.emu().stats().calls;
    const workers = [f.worker(name), f.worker(name), f.worker(name)];
    const run = await finished(
      spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token }),
    );
    await f.stop(workers);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.status, 'succeeded');
    assert.ok(!run.stderr.includes(f.emu().token) && !run.stdout.includes(f.emu().token), 'token never printed');
    assert.ok(f.emu().stats().calls - callsBefore > QUOTA.calls * 2, 'the run needed several quota intervals');
    assert.equal(f.emu().stats().rejectedRate - refusedBefore, 0, 'no call was refused for rate');
    // every call a worker made is relayed to the report; on a loaded machine a worker may stall past
    // its 3 s batch lock, and then the abandoned attempt's calls reach the server but not the report
    const served = f.emu().stats().calls - callsBefore;
    assert.ok(
      report.calls.total >= Math.floor(served * 0.9) - 1 && report.calls.total <= served,
      `relayed calls counted (${report.calls.total} of ${served} served)`,
    );
    f.assertExact(db);
  });

  test('a worker killed with SIGKILL mid-run loses nothing: the table is still exact', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = f.job('kill');
    const workers = [f.worker(name), f.worker(name), f.worker(name)];
    const running = finished(spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token }));
    for (let i = 0; i < 600 && doneBatches(db) < 4; i += 1) await sleepMs(50);
    assert.ok(doneBatches(db) >= 4, 'the run got going');
    workers[0].kill('SIGKILL');
    const run = await running;
    await f.stop(workers);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'succeeded');
    f.assertExact(db);
  });
});
