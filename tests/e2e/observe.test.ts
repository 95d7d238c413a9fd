/**
 * Observing a real run: /metrics scraped while `sluice run --metrics-port` works, and the `rows`
 * strategy learning its density from an earlier run of the same job.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import {
  doneBatches,
  finished,
  runCli,
  sleepMs,
  spawnCli,
  tableFacts,
  tempDir,
  writeDailyJob,
  expectedDaily,
} from '../helpers/e2e.js';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

function metric(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels}`) && !l.startsWith('#'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('observing a run', () => {
  let emu: Emulator;
  const dir = tempDir('sluice-observe-');
  before(async () => {
    emu = await startEmulator({ port: 0, seed: 21, symbols: 30 });
  });
  after(async () => emu.close());

  test('/metrics answers during a run with calls, latency, rows, in-flight, limit, waits and RSS', async () => {
    const port = await freePort();
    const db = join(dir, 'metrics.db');
    const job = writeDailyJob(dir, {
      name: 'metrics',
      url: emu.url,
      token: emu.token,
      db,
      each: emu.dataset.universe.codes,
      // 20 calls/s with 4 in flight: calls wait for the pace even when a loaded machine slows them
      rate: { calls: 20, intervalMs: 1000 },
    });
    const child = spawnCli(['run', job, '--quiet', '--metrics-port', String(port), '--metrics-linger', '0']);
    const exit = finished(child);
    let text = '';
    for (let i = 0; i < 1000; i++) {
      await sleepMs(20);
      if (doneBatches(db) < 120) continue;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        text = await res.text();
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
    }
    const r = await exit;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(text.length > 0, 'scraped during the run');
    const ok = metric(text, 'sluice_calls_total', '{api="daily",outcome="ok"}');
    assert.ok(ok !== undefined && ok >= 20, `ok calls ${ok}`);
    assert.ok((metric(text, 'sluice_call_duration_seconds_count', '{api="daily"}') ?? 0) >= 20);
    assert.ok((metric(text, 'sluice_rows_fetched_total', '{api="daily"}') ?? 0) > 0);
    assert.ok(metric(text, 'sluice_inflight') !== undefined);
    assert.ok((metric(text, 'sluice_concurrency_limit') ?? 0) >= 1);
    assert.ok(
      (metric(text, 'sluice_rate_limit_waits_total', '{api="daily",reason="quota"}') ?? 0) > 0,
      'pacing at 20 calls/s made calls wait',
    );
    const rss = metric(text, 'sluice_process_rss_bytes') ?? 0;
    assert.ok(rss > 10e6 && rss < 2e9, `rss ${rss}`);
  });

  test('the rows strategy learns its density from an earlier run and needs far fewer calls', async () => {
    const db = join(dir, 'learn.db');
    const first = writeDailyJob(dir, {
      name: 'learn',
      url: emu.url,
      token: emu.token,
      db,
      start: '20200101',
      end: '20231231',
      strategy: 'month',
    });
    const r1 = await runCli(['run', first, '--json']);
    assert.equal(r1.code, 0, r1.stderr);
    const monthly = JSON.parse(r1.stdout);
    const second = writeDailyJob(dir, {
      name: 'learn',
      url: emu.url,
      token: emu.token,
      db,
      start: '20200101',
      end: '20231231',
      strategy: 'rows',
    });
    const r2 = await runCli(['run', second, '--json']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /row density learned from \d+ batches/);
    const rows = JSON.parse(r2.stdout);
    assert.ok(
      rows.plan.batchCount < monthly.plan.batchCount / 3,
      `rows windows ${rows.plan.batchCount} vs monthly ${monthly.plan.batchCount}`,
    );
    assert.ok(rows.calls.total < monthly.calls.total, 'fewer calls');
    assert.deepEqual(tableFacts(db, 'daily').checksum, expectedDaily(emu.dataset, '20200101', '20231231'));
  });

  test('the rows strategy without any density is refused with exit 2 and one line', async () => {
    const job = writeDailyJob(dir, {
      name: 'no-density',
      url: emu.url,
      token: emu.token,
      db: join(dir, 'none.db'),
      strategy: 'rows',
    });
    const r = await runCli(['run', job]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /plan\.strategy: rows needs/);
  });
});
