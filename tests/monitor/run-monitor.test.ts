import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { createRunMonitor } from '../../src/monitor/run-monitor.js';

const MB = 1024 * 1024;

function setup(opts: { rowCap?: number; maxTimelineBuckets?: number; timelineBucketMs?: number } = {}) {
  const events = new Emitter<ExecutorEventMap>();
  const clock = { t: 1_000_000 };
  let rss = 100;
  const mon = createRunMonitor(events, {
    now: () => clock.t,
    readMemory: () => ({ rss: rss * MB, heapUsed: 10 * MB }),
    ...opts,
  });
  return { events, clock, mon, setRss: (v: number) => (rss = v) };
}

describe('createRunMonitor', () => {
  test('row budget waits are counted, with the budget they hit', () => {
    const { events, mon } = setup();
    assert.deepEqual(mon.snapshot().rowBudget, { waits: 0, waitMs: 0, maxRowsHeld: null });
    events.emit('rows:wait', { key: 'a', tMs: 1, waitMs: 120, heldRows: 51_000, maxRowsHeld: 50_000 });
    events.emit('rows:wait', { key: 'b', tMs: 2, waitMs: 30, heldRows: 50_500, maxRowsHeld: 50_000 });
    assert.deepEqual(mon.snapshot().rowBudget, { waits: 2, waitMs: 150, maxRowsHeld: 50_000 });
    mon.stop();
  });

  test('counts calls, rows, batches and concurrency from executor events', () => {
    const { events, clock, mon, setRss } = setup({ rowCap: 1000 });
    events.emit('concurrency', { tMs: 0, limit: 4, inflight: 0 });
    for (let i = 0; i < 6; i++) {
      clock.t += 500;
      events.emit('batch:start', { key: `b${i}`, tMs: clock.t });
      events.emit('call:end', {
        api: 'daily',
        key: `b${i}`,
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms: 120,
        rows: i * 100,
        status: 'ok',
      });
      events.emit('batch:done', { key: `b${i}`, tMs: clock.t, rows: i * 100, calls: 1, ms: 120 });
      events.emit('concurrency', { tMs: clock.t, limit: 4 + i, inflight: 3 });
    }
    events.emit('call:end', {
      api: 'daily',
      key: 'x',
      tMs: clock.t,
      page: 0,
      attempt: 2,
      ms: 6000,
      rows: 0,
      status: 'retryable',
    });
    events.emit('batch:fail', { key: 'x', tMs: clock.t, error: 'boom', code: 'SLUICE_RETRYABLE' });
    events.emit('batch:split', { key: 'y', tMs: clock.t, children: ['y1', 'y2'] });
    setRss(130);
    const s = mon.snapshot();
    mon.stop();
    assert.equal(s.calls.total.calls, 7);
    assert.equal(s.calls.total.failed, 1);
    assert.equal(s.rows.fetched, 1500);
    assert.equal(s.rows.committed, 1500);
    assert.deepEqual([s.batches.started, s.batches.done, s.batches.failed, s.batches.split], [6, 6, 1, 1]);
    assert.equal(s.batches.rows.max, 500);
    assert.equal(s.batches.underQuarterCap, 3); // 0, 100, 200 rows < 250
    assert.deepEqual(
      [s.concurrency.min, s.concurrency.max, s.concurrency.final, s.concurrency.maxInflight],
      [4, 9, 9, 3],
    );
    assert.equal(s.memory.startRssMb, 100);
    assert.equal(s.memory.peakRssMb, 130);
    assert.equal(s.elapsedMs, 3000);
    // timeline: 1 s buckets; calls at 0.5, 1.0, ..., 3.0 s and the failed one at 3.0 s
    assert.equal(s.bucketMs, 1000);
    assert.deepEqual(
      s.timeline.map((p) => p.calls),
      [1, 2, 2, 2],
    );
    assert.equal(s.timeline[3].rssMb, 130);
    assert.equal(s.timeline[0].rssMb, 100);
    assert.equal(s.timeline[0].limit, 4);
    assert.equal(s.timeline[1].limit, 6);
    // latency histogram: six calls <= 250 ms bucket, one in (5000, 10000]
    const h = Object.fromEntries(s.latencyHistogram.map((b) => [String(b.leMs), b.count]));
    assert.equal(h['250'], 6);
    assert.equal(h['10000'], 1);
  });

  test('heap growth per v8 space is measured from start to stop', () => {
    const { mon } = setup();
    const keep: number[][] = [];
    for (let i = 0; i < 100; i++) keep.push(new Array(10_000).fill(i));
    mon.stop();
    const g = mon.snapshot().heapGrowth!;
    assert.equal(g.from, 'start');
    assert.equal(g.to, 'end');
    assert.ok(g.growthMb > 3, `growth ${g.growthMb}`); // 1M numbers ~ 8 MB
    assert.ok(g.spaces.length > 3);
    assert.equal(keep.length, 100);
  });

  test('stop() unsubscribes: later events change nothing', () => {
    const { events, mon } = setup();
    mon.stop();
    events.emit('call:end', { api: 'daily', key: 'k', tMs: 0, page: 0, attempt: 1, ms: 1, rows: 1, status: 'ok' });
    assert.equal(mon.snapshot().calls.total.calls, 0);
    assert.equal(events.has('call:end'), false);
  });

  test('a long run keeps a bounded timeline that still covers every call', () => {
    const { events, clock, mon } = setup({ maxTimelineBuckets: 100 });
    for (let i = 0; i < 20_000; i++) {
      clock.t += 250;
      events.emit('call:end', {
        api: 'daily',
        key: 'k',
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms: 10,
        rows: 2,
        status: 'ok',
      });
    }
    const s = mon.snapshot();
    mon.stop();
    assert.ok(s.timeline.length <= 100, `buckets ${s.timeline.length}`);
    assert.equal(
      s.timeline.reduce((a, p) => a + p.calls, 0),
      20_000,
    );
    assert.equal(
      s.timeline.reduce((a, p) => a + p.rows, 0),
      40_000,
    );
    assert.ok(s.bucketMs >= 50_000);
    // calls/s per bucket is still 4 in the full buckets
    assert.equal(s.timeline[1].callsPerSecond, 4);
  });
});

describe('timeline rates', () => {
  test('the last, partial bucket is rated over the time elapsed in it', () => {
    const { events, clock, mon } = setup();
    // 10 calls in the first second, then 5 calls in the first half of the second one
    for (let i = 0; i < 10; i++) {
      clock.t += 100;
      events.emit('call:end', {
        api: 'daily',
        key: 'k',
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms: 5,
        rows: 1,
        status: 'ok',
      });
    }
    for (let i = 0; i < 5; i++) {
      clock.t += 100;
      events.emit('call:end', {
        api: 'daily',
        key: 'k',
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms: 5,
        rows: 1,
        status: 'ok',
      });
    }
    clock.t += 1; // 1.501 s elapsed
    const s = mon.snapshot();
    mon.stop();
    assert.deepEqual(
      s.timeline.map((p) => p.calls),
      [9, 6],
    ); // 0.1..0.9 s in the first bucket, 1.0..1.5 s in the second
    assert.equal(s.timeline[0].callsPerSecond, 9);
    assert.ok(Math.abs(s.timeline[1].callsPerSecond - 6 / 0.501) < 1e-9);
  });

  test('a finer first bucket width can be chosen', () => {
    const { events, clock, mon } = setup({ timelineBucketMs: 250 });
    for (let i = 0; i < 8; i++) {
      clock.t += 125;
      events.emit('call:end', {
        api: 'daily',
        key: 'k',
        tMs: clock.t,
        page: 0,
        attempt: 1,
        ms: 5,
        rows: 1,
        status: 'ok',
      });
    }
    const s = mon.snapshot();
    mon.stop();
    assert.equal(s.bucketMs, 250);
    assert.equal(s.timeline[1].callsPerSecond, 8);
  });
});
