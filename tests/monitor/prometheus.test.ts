import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, type ExecutorEventMap } from '../../src/core/events.js';
import { startMetricsServer } from '../../src/monitor/prometheus.js';
import { register as globalRegistry } from 'prom-client';

/** Parses the Prometheus text format into "name{labels}" -> value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `unparseable line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

describe('Prometheus /metrics', () => {
  test('series for calls, latency, rows, in-flight, limit, waits and RSS, scraped over HTTP during a run', async () => {
    const events = new Emitter<ExecutorEventMap>();
    const server = await startMetricsServer({ port: 0, events });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      events.emit('concurrency', { tMs: 0, limit: 6, inflight: 3 });
      for (let i = 0; i < 10; i++) {
        events.emit('call:end', {
          api: 'daily',
          key: `b${i}`,
          tMs: i,
          page: 0,
          attempt: 1,
          ms: 80,
          rows: 500,
          status: 'ok',
        });
      }
      events.emit('call:end', {
        api: 'daily',
        key: 'x',
        tMs: 11,
        page: 0,
        attempt: 1,
        ms: 3000,
        rows: 0,
        status: 'rate-limited',
        code: 40203,
      });
      events.emit('pace:wait', { api: 'daily', tMs: 11, waitMs: 1500, reason: 'rate-limited' });
      events.emit('batch:done', { key: 'b0', tMs: 12, rows: 500, calls: 1, ms: 80 });
      events.emit('rows:wait', { key: 'b2', tMs: 13, waitMs: 250, heldRows: 9000, maxRowsHeld: 8000 });
      events.emit('rows:wait', { key: 'b3', tMs: 14, waitMs: 500, heldRows: 9000, maxRowsHeld: 8000 });

      const res = await fetch(server.url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      const m = parse(await res.text());
      assert.equal(m.get('sluice_calls_total{api="daily",outcome="ok"}'), 10);
      assert.equal(m.get('sluice_calls_total{api="daily",outcome="rate-limited"}'), 1);
      assert.equal(m.get('sluice_call_duration_seconds_count{api="daily"}'), 11);
      assert.equal(m.get('sluice_call_duration_seconds_bucket{le="0.1",api="daily"}'), 10);
      assert.equal(m.get('sluice_call_duration_seconds_bucket{le="+Inf",api="daily"}'), 11);
      assert.ok(Math.abs(m.get('sluice_call_duration_seconds_sum{api="daily"}')! - 3.8) < 1e-9);
      assert.equal(m.get('sluice_rows_fetched_total{api="daily"}'), 5000);
      assert.equal(m.get('sluice_inflight'), 3);
      assert.equal(m.get('sluice_concurrency_limit'), 6);
      assert.equal(m.get('sluice_rate_limit_waits_total{api="daily",reason="rate-limited"}'), 1);
      assert.equal(m.get('sluice_rate_limit_wait_seconds_total{api="daily",reason="rate-limited"}'), 1.5);
      assert.equal(m.get('sluice_batches_total{outcome="done"}'), 1);
      assert.equal(m.get('sluice_row_budget_waits_total'), 2);
      assert.equal(m.get('sluice_row_budget_wait_seconds_total'), 0.75);
      const rss = m.get('sluice_process_rss_bytes')!;
      assert.ok(rss > 10 * 1024 * 1024 && rss < 64 * 1024 ** 3, `rss ${rss}`);

      // values move as the run goes on
      events.emit('concurrency', { tMs: 20, limit: 8, inflight: 7 });
      const again = parse(await (await fetch(server.url)).text());
      assert.equal(again.get('sluice_concurrency_limit'), 8);
      assert.equal(again.get('sluice_inflight'), 7);

      assert.equal((await fetch(server.url.replace('/metrics', '/other'))).status, 404);
      assert.equal(
        await globalRegistry.getSingleMetricAsString('sluice_calls_total').catch(() => ''),
        '',
        'global registry untouched',
      );
    } finally {
      await server.close();
    }
    assert.equal(events.has('call:end'), false, 'close() detaches from the events');
  });

  test('two servers in one process do not share metrics', async () => {
    const a = new Emitter<ExecutorEventMap>();
    const b = new Emitter<ExecutorEventMap>();
    const sa = await startMetricsServer({ port: 0, events: a });
    const sb = await startMetricsServer({ port: 0, events: b });
    try {
      a.emit('call:end', { api: 'daily', key: 'k', tMs: 0, page: 0, attempt: 1, ms: 1, rows: 1, status: 'ok' });
      const mb = parse(await (await fetch(sb.url)).text());
      assert.equal(mb.get('sluice_calls_total{api="daily",outcome="ok"}'), undefined);
      const ma = parse(await (await fetch(sa.url)).text());
      assert.equal(ma.get('sluice_calls_total{api="daily",outcome="ok"}'), 1);
    } finally {
      await sa.close();
      await sb.close();
    }
  });
});
