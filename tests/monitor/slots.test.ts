import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { SlotTracker, SLOT_STATES, type SlotState } from '../../src/monitor/slots.js';
import { Timeline } from '../../src/monitor/timeline.js';
import { createRunMonitor } from '../../src/monitor/run-monitor.js';
import { buildReport } from '../../src/report/build.js';
import { sampleInput } from '../helpers/report-fixtures.js';

function tracker(max?: number) {
  const events = new Emitter<ExecutorEventMap>();
  const spans: Array<[SlotState, number, number]> = [];
  const t = new SlotTracker({ rel: (ms) => ms, onSpan: (s, a, b) => spans.push([s, a, b]), maxBatches: max });
  t.attach(events);
  return { events, t, spans };
}

describe('SlotTracker', () => {
  test('cuts a batch into row-budget wait, quota wait, fetching, queued and writing', () => {
    const { events, t } = tracker();
    events.emit('batch:start', { key: 'a', tMs: 0 });
    events.emit('rows:wait', { key: 'a', tMs: 50, waitMs: 50, heldRows: 10, maxRowsHeld: 5 });
    events.emit('pace:wait', { api: 'x', key: 'a', tMs: 250, waitMs: 200, reason: 'quota' });
    events.emit('pace:wait', { api: 'x', tMs: 260, waitMs: 5, reason: 'quota' }); // no key: ignored
    events.emit('batch:done', { key: 'a', tMs: 400, rows: 3, calls: 1, ms: 400 });
    events.emit('batch:commit', { key: 'a', tMs: 500, ms: 30, rows: 3 });
    const s = t.snapshot(600);
    assert.deepEqual(s.totalMs, { rows: 50, quota: 200, fetch: 150, queued: 70, write: 30 });
    assert.equal(s.batches.length, 1);
    const b = s.batches[0];
    assert.equal(b.status, 'done');
    assert.deepEqual(b.segments, [
      ['rows', 0, 50],
      ['quota', 50, 250],
      ['fetch', 250, 400],
      ['queued', 400, 470],
      ['write', 470, 500],
    ]);
  });

  test('lanes: the lowest free lane, released when a batch ends; failed and split batches end too', () => {
    const { events, t } = tracker();
    events.emit('batch:start', { key: 'a', tMs: 0 });
    events.emit('batch:start', { key: 'b', tMs: 1 });
    events.emit('batch:start', { key: 'c', tMs: 2 });
    events.emit('batch:fail', { key: 'a', tMs: 10, error: 'x', code: 'SLUICE_RETRYABLE' });
    events.emit('batch:start', { key: 'd', tMs: 11 });
    events.emit('batch:split', { key: 'b', tMs: 12, children: ['b1', 'b2'] });
    const s = t.snapshot(20);
    const lane = Object.fromEntries(s.batches.map((b) => [b.key, [b.lane, b.status]]));
    assert.deepEqual(lane, { a: [0, 'failed'], b: [1, 'split'], c: [2, 'fetching'], d: [0, 'fetching'] });
    assert.equal(s.lanes, 3);
    assert.deepEqual(s.current, { rows: 0, quota: 0, fetch: 2, queued: 0, write: 0 });
    // open batches run to "now" in the snapshot, not in the totals
    assert.equal(s.batches.find((b) => b.key === 'c')!.segments.at(-1)![2], 20);
    assert.equal(s.totalMs.fetch, 10 + 11);
  });

  test('keeps only the last maxBatches finished batches, counting the dropped ones', () => {
    const { events, t } = tracker(3);
    for (let i = 0; i < 5; i++) {
      events.emit('batch:start', { key: `k${i}`, tMs: i * 10 });
      events.emit('batch:done', { key: `k${i}`, tMs: i * 10 + 5, rows: 1, calls: 1, ms: 5 });
      events.emit('batch:commit', { key: `k${i}`, tMs: i * 10 + 6, ms: 1, rows: 1 });
    }
    const s = t.snapshot(100);
    assert.deepEqual(
      s.batches.map((b) => b.key),
      ['k2', 'k3', 'k4'],
    );
    assert.equal(s.dropped, 2);
    assert.equal(s.totalMs.fetch + s.totalMs.write, 5 * 6);
  });

  test('every batch-ms is attributed once, whatever order and sizes the waits come in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('rows', 'quota'), fc.nat(50), fc.nat(80)), { maxLength: 12 }),
        fc.nat(60),
        fc.nat(40),
        (waits, queued, write) => {
          const { events, t, spans } = tracker();
          events.emit('batch:start', { key: 'a', tMs: 0 });
          let now = 0;
          for (const [kind, gap, wait] of waits) {
            now += gap;
            if (kind === 'rows')
              events.emit('rows:wait', { key: 'a', tMs: now, waitMs: wait, heldRows: 0, maxRowsHeld: 1 });
            else events.emit('pace:wait', { api: 'x', key: 'a', tMs: now, waitMs: wait, reason: 'quota' });
          }
          now += 1;
          events.emit('batch:done', { key: 'a', tMs: now, rows: 1, calls: 1, ms: now });
          events.emit('batch:commit', { key: 'a', tMs: now + queued + write, ms: write, rows: 1 });
          const end = now + queued + write;
          const s = t.snapshot(end);
          const total = SLOT_STATES.reduce((sum, k) => sum + s.totalMs[k], 0);
          assert.equal(total, end);
          // spans are consecutive and never overlap
          let cursor = 0;
          for (const [, a, b] of spans) {
            assert.equal(a, cursor);
            assert.ok(b > a);
            cursor = b;
          }
          assert.equal(cursor, end);
        },
      ),
    );
  });
});

describe('timeline states', () => {
  test('a span is split over the buckets it covers, as average batches per state', () => {
    const tl = new Timeline(1000, 10);
    tl.addSpan('quota', 500, 2500);
    tl.addSpan('fetch', 0, 1000);
    const p = tl.points(3000);
    assert.deepEqual(
      p.map((x) => [x.slots?.quota, x.slots?.fetch]),
      [
        [0.5, 1],
        [1, 0],
        [0.5, 0],
        [0, 0],
      ],
    );
  });

  test('state time survives compaction: totals stay the same', () => {
    const tl = new Timeline(1000, 4);
    tl.addSpan('write', 0, 3000);
    tl.addSpan('write', 7000, 7800); // compacts to 2 s buckets
    const p = tl.points(7800);
    assert.equal(tl.bucketMs, 2000);
    const ms = p.reduce((s, x, i) => s + (x.slots?.write ?? 0) * (i === p.length - 1 ? 1800 : x.widthMs), 0);
    assert.ok(Math.abs(ms - 3800) < 1e-6, String(ms));
  });
});

describe('run monitor: slots, errors and the quota in the snapshot and the report', () => {
  test('the report carries lanes, state totals, errors by kind and the quota', () => {
    const input = sampleInput({}, { batches: 30, failEvery: 7, rateLimitEvery: 5 });
    const r = buildReport(input);
    const slots = r.slots!;
    assert.ok(slots.lanes >= 1);
    assert.ok(slots.batches.length === 30);
    assert.ok(slots.totalMs.fetch > 0 && slots.totalMs.write > 0 && slots.totalMs.quota > 0);
    const errors = r.latestErrors;
    const failed = errors.find((e) => e.scope === 'batch')!;
    assert.equal(failed.count, 5);
    assert.equal(failed.latest.key, 'b28');
    assert.equal(errors.find((e) => e.kind === 'rate-limited')?.code, '40203');
    assert.equal(r.calls.quotaPerSecond, null);
  });

  test('a stray timestamp far in the future does not stretch the timeline', () => {
    const events = new Emitter<ExecutorEventMap>();
    const clock = { t: 5_000 };
    const mon = createRunMonitor(events, { now: () => clock.t, sampleIntervalMs: 60_000 });
    clock.t += 2_000;
    events.emit('batch:start', { key: 'a', tMs: clock.t });
    events.emit('batch:fail', { key: 'a', tMs: clock.t + 1e12, error: 'x', code: 'SLUICE_RETRYABLE' });
    const snap = mon.snapshot();
    mon.stop();
    assert.equal(snap.bucketMs, 1000);
    assert.ok(snap.slots.totalMs.fetch <= 60_000 + 2_000, String(snap.slots.totalMs.fetch));
  });

  test("the job's quota given to the monitor reaches the report, per second", () => {
    const events = new Emitter<ExecutorEventMap>();
    const mon = createRunMonitor(events, { quota: { calls: 510, intervalMs: 60_000 }, sampleIntervalMs: 60_000 });
    const snap = mon.snapshot();
    mon.stop();
    assert.equal(snap.quotaPerSecond, 8.5);
    assert.equal(buildReport({ ...sampleInput(), monitor: snap }).calls.quotaPerSecond, 8.5);
  });
});
