/**
 * The run-level metrics: run/job info, batches done of planned, the learned quota per API, the
 * upstream's answer codes, and outcome series that exist at 0 from the start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { createRunMetrics } from '../../src/monitor/index.js';

async function values(registry: { metrics(): Promise<string> }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

test('run metrics: info, batches, quota, answer codes; outcome series start at 0', async () => {
  const events = new Emitter<ExecutorEventMap>();
  const m = createRunMetrics(events, { runId: 'R1', job: 'daily-prices', apis: ['daily'], plannedBatches: 3 });
  let v = await values(m.registry);
  assert.equal(v.get('sluice_run_info{run_id="R1",job="daily-prices"}'), 1);
  for (const outcome of ['ok', 'retryable', 'rate-limited', 'overflow', 'rejected', 'fatal', 'aborted'])
    assert.equal(v.get(`sluice_calls_total{api="daily",outcome="${outcome}"}`), 0, outcome);
  for (const outcome of ['done', 'failed', 'split'])
    assert.equal(v.get(`sluice_batches_total{outcome="${outcome}"}`), 0);
  assert.equal(v.get('sluice_run_batches{state="planned"}'), 3);
  assert.equal(v.get('sluice_run_batches{state="done"}'), 0);

  const call = { api: 'daily', key: 'k', tMs: 0, page: 0, attempt: 1, ms: 5, rows: 0 } as const;
  events.emit('call:end', { ...call, status: 'ok', rows: 10 });
  events.emit('call:end', { ...call, status: 'retryable', code: 502, error: 'HTTP 502' });
  events.emit('call:end', { ...call, status: 'rate-limited', code: 40203 });
  events.emit('call:end', { ...call, status: 'rate-limited', code: 40203 });
  events.emit('pace:rate', { api: 'daily', tMs: 0, callsPerMinute: 480 });
  events.emit('batch:split', { key: 'a', tMs: 0, children: ['a1', 'a2'] });
  events.emit('batch:done', { key: 'a1', tMs: 0, rows: 10, calls: 1, ms: 5 });
  events.emit('batch:fail', { key: 'b', tMs: 0, error: 'x', code: 'SLUICE_RETRYABLE' });
  v = await values(m.registry);
  assert.equal(v.get('sluice_upstream_answers_total{api="daily",code="ok"}'), 1);
  assert.equal(v.get('sluice_upstream_answers_total{api="daily",code="502"}'), 1);
  assert.equal(v.get('sluice_upstream_answers_total{api="daily",code="40203"}'), 2);
  assert.equal(v.get('sluice_quota_calls_per_minute{api="daily"}'), 480);
  assert.equal(v.get('sluice_run_batches{state="planned"}'), 4);
  assert.equal(v.get('sluice_run_batches{state="done"}'), 1);
  assert.equal(v.get('sluice_run_batches{state="failed"}'), 1);
  m.detach();
});
