import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CallMonitor } from '../../src/monitor/calls.js';
import type { CallStatus } from '../../src/core/types.js';

function end(
  m: CallMonitor,
  api: string,
  tMs: number,
  ms: number,
  status: CallStatus = 'ok',
  attempt = 1,
  rows = 10,
  code?: string | number,
) {
  m.onCallEnd({ api, key: 'k', tMs, page: 0, attempt, ms, rows, status, code });
}

describe('CallMonitor', () => {
  test('error rate is failed calls over ALL calls, and rate-limited answers are not failures', () => {
    const m = new CallMonitor();
    for (let i = 0; i < 8; i++) end(m, 'daily', 100 * i + 50, 50);
    end(m, 'daily', 900, 50, 'retryable');
    end(m, 'daily', 1000, 50, 'rate-limited', 2, 0, 40203);
    const s = m.total();
    assert.equal(s.calls, 10);
    assert.equal(s.failed, 1);
    assert.equal(s.rateLimited, 1);
    assert.equal(s.errorRate, 0.1); // dividing by successes would say 1/9
    assert.equal(s.retried, 1);
    assert.equal(s.byCode['40203'], 1);
    assert.equal(s.rows, 80);
  });

  test('calls per second uses the wall time the calls spanned, not the sum of durations', () => {
    const m = new CallMonitor();
    // 4 concurrent calls of 1000 ms each, all within [0, 1000]
    for (let i = 0; i < 4; i++) end(m, 'daily', 1000, 1000);
    const s = m.total();
    assert.equal(s.callsPerSecond, 4);
    assert.equal(s.totalMs, 4000);
    assert.equal(s.avgMs, 4000 / 4);
  });

  test('per API stats are kept apart and the total merges them', () => {
    const m = new CallMonitor();
    end(m, 'daily', 100, 100);
    end(m, 'daily', 200, 100, 'fatal');
    end(m, 'adj_factor', 300, 300);
    m.onPaceWait({ api: 'daily', tMs: 0, waitMs: 250, reason: 'rate-limited' });
    m.onPaceWait({ api: 'adj_factor', tMs: 0, waitMs: 40, reason: 'quota' });
    const [daily, adj] = m.byApi();
    assert.equal(daily.api, 'daily');
    assert.equal(daily.calls, 2);
    assert.equal(daily.errorRate, 0.5);
    assert.equal(daily.rateLimitWaits, 1);
    assert.equal(daily.rateLimitWaitMs, 250);
    assert.equal(adj.quotaWaits, 1);
    assert.equal(adj.errorRate, 0);
    const t = m.total();
    assert.equal(t.calls, 3);
    assert.equal(t.failed, 1);
    assert.equal(t.rateLimitWaits, 1);
    assert.equal(t.quotaWaitMs, 40);
    assert.ok(Math.abs(t.maxMs - 300) < 1e-9);
  });

  test('no calls: zero rates, no division by zero', () => {
    const s = new CallMonitor().total();
    assert.deepEqual([s.calls, s.errorRate, s.callsPerSecond, s.avgMs, s.p95Ms], [0, 0, 0, 0, 0]);
  });
});
