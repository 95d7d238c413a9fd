/**
 * strategy auto over a queue: the producer plans online, keeping the job's concurrency of batches
 * on the queue, and each batch is journaled before it is enqueued; the table is exact, the calls
 * near the lower bound, and an interrupted queued auto run resumes to the exact table.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { doneBatches, finished, sleepMs, spawnCli } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { END, START, workersFixture } from './workers-fixture.js';

describe('sluice worker: strategy auto', () => {
  const f = workersFixture();

  test('a queued auto run lands the exact table with about the fewest calls', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = f.job('auto', undefined, { strategy: 'auto' });
    const codes = f.emu().dataset.universe.codes.slice(0, 6);
    const bound = codes.reduce(
      (sum, ts_code) =>
        sum +
        Math.max(1, Math.ceil(f.emu().dataset.count('daily', { ts_code, start_date: START, end_date: END }) / 500)),
      0,
    );
    const before = f.emu().stats().calls;
    const workers = [f.worker(name), f.worker(name)];
    const run = await finished(
      spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token }),
    );
    await f.stop(workers);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).status, 'succeeded');
    f.assertExact(db);
    const calls = f.emu().stats().calls - before;
    // the first symbol probes (one open day, then 16 times more) before the density is trusted
    assert.ok(calls <= bound + 3, `${calls} calls, lower bound ${bound}`);
    const conn = new Database(db, { readonly: true });
    const statuses = conn.prepare('SELECT status FROM sluice_batches').all() as { status: string }[];
    conn.close();
    assert.ok(statuses.length < 6 * 8, `${statuses.length} batches: not the calendar rule's 48`);
    assert.ok(statuses.every((s) => s.status === 'done'));
  });

  test('an interrupted queued auto run resumes to the exact table', async (t) => {
    if (!(await redisAvailable(t))) return;
    const { path, db, name } = f.job('auto-resume', undefined, { strategy: 'auto' });
    const workers = [f.worker(name), f.worker(name)];
    const producer = spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token });
    const first = finished(producer);
    for (let i = 0; i < 600 && doneBatches(db) < 2; i += 1) await sleepMs(20);
    producer.kill('SIGINT');
    const interrupted = await first;
    const resumed = await finished(
      spawnCli(['run', path, '--queue', REDIS_URL, '--resume', '--json'], { TUSHARE_TOKEN: f.emu().token }),
    );
    await f.stop(workers);
    assert.ok(interrupted.code === 130 || interrupted.code === 0, interrupted.stderr);
    assert.equal(resumed.code, 0, resumed.stderr);
    f.assertExact(db);
  });
});
