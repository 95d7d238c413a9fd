/**
 * The circuit breaker in queue mode: every batch a worker runs for a job shares one breaker, so a
 * dead server stops the `--queue` run with the cause named (SLUICE_UNAVAILABLE, exit 1) after the
 * breaker's time and calls, instead of each batch burning its own retries.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { startEmulator } from '../../src/emulator/index.js';
import { finished, spawnCli } from '../helpers/e2e.js';
import { REDIS_URL, redisAvailable } from './redis-check.js';
import { workersFixture } from './workers-fixture.js';

async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('sluice worker: the circuit breaker', () => {
  const f = workersFixture();

  test('a dead server stops a --queue run with the cause named, no batch failed', async (t) => {
    if (!(await redisAvailable(t))) return;
    const port = await deadPort();
    const { path, db, name } = f.job('breaker', undefined, {
      url: `http://127.0.0.1:${port}`,
      extra: {
        execution: {
          concurrency: 2,
          // without a shared breaker each batch would retry 100 times before failing
          retries: 100,
          timeoutMs: 3000,
          backoff: { baseMs: 10, maxMs: 50 },
          breaker: { afterMs: 1000, afterCalls: 10 },
        },
      },
    });
    const workers = [f.worker(name)];
    try {
      const r = await finished(
        spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: f.emu().token }),
      );
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /SLUICE_UNAVAILABLE|circuit breaker/);
      assert.match(r.stderr, /ECONNREFUSED|refused/i);
      const states = new Database(db, { readonly: true })
        .prepare(`SELECT status, count(*) AS n FROM sluice_batches GROUP BY status`)
        .all() as Array<{ status: string; n: number }>;
      assert.ok(!states.some((s) => s.status === 'failed'), `no batch failed: ${JSON.stringify(states)}`);
      assert.ok(!states.some((s) => s.status === 'done'), JSON.stringify(states));
    } finally {
      await f.stop(workers);
    }
  });

  test("a --queue run's report names the workers' failed calls, with an example each", async (t) => {
    if (!(await redisAvailable(t))) return;
    // half the answers are HTTP 502 pages and no call is retried: some batches fail
    const emu = await startEmulator({ port: 0, seed: 3, symbols: 6, faults: '5xx:0.5' });
    try {
      const { path, name } = f.job('relayed-errors', undefined, {
        url: emu.url,
        rate: undefined,
        extra: { execution: { concurrency: 2, retries: 0, breaker: false } },
      });
      const workers = [f.worker(name, emu.token)];
      try {
        const r = await finished(spawnCli(['run', path, '--queue', REDIS_URL, '--json'], { TUSHARE_TOKEN: emu.token }));
        assert.equal(r.code, 1, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.ok(report.batches.failed > 0, JSON.stringify(report.batches));
        assert.match(r.stderr, /a call failed:.*(502|5xx|HTTP)/i, 'the cause is named as it happens');
        const daily = report.errors.find((e: { api: string }) => e.api === 'daily');
        assert.ok(daily && daily.failedCalls >= report.batches.failed, JSON.stringify(report.errors));
        assert.match(daily.top[0].example, /502|HTTP/);
      } finally {
        await f.stop(workers);
      }
    } finally {
      await emu.close();
    }
  });
});
