import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../../src/report/build.js';
import { formatRunLine, formatSummary } from '../../src/report/text.js';
import { trendTable, formatTrendTable } from '../../src/report/trend.js';
import { PLAN, sampleInput, sampleReport } from '../helpers/report-fixtures.js';

describe('buildReport', () => {
  test('has every contract field with values from the monitor and plan', () => {
    const input = sampleInput({}, { failEvery: 10 });
    const r = buildReport(input);
    assert.equal(r.wallMs, 10_000);
    assert.equal(r.calls.total, 40);
    assert.equal(r.calls.failed, 4);
    assert.equal(r.calls.errorRate, 0.1);
    assert.equal(r.batches.done, 36);
    assert.equal(r.batches.failed, 4);
    assert.equal(r.rows.fetched, input.monitor.rows.fetched);
    assert.ok(r.calls.p50Ms > 40 && r.calls.p50Ms < 440);
    assert.ok(r.calls.p95Ms >= r.calls.p50Ms && r.calls.p99Ms >= r.calls.p95Ms);
    assert.equal(r.plan.batchSizes.max, 92);
    assert.equal(r.concurrency.max, 8);
    assert.equal(r.ratings.errorRate, 'needs-optimization');
    assert.equal(r.ratings.optimizationRate, 'excellent');
    assert.equal(r.ratings.generationTime, 'excellent');
    // throughput = rows fetched in 10 s, per second; error rate 0.1 > 0.02 -> missed
    const thr = r.targets.checks.find((c) => c.metric === 'throughput')!;
    assert.equal(thr.actual, Math.round((input.monitor.rows.fetched / 10) * 1000) / 1000);
    assert.equal(thr.unit, 'rows/s');
    assert.equal(r.batches.perMinute, 216);
    assert.equal(r.targets.met, false);
    assert.equal(r.targets.checks.find((c) => c.metric === 'error_rate')!.met, false);
    assert.ok(r.timeline.length > 0);
    assert.doesNotThrow(() => JSON.stringify(r));
  });

  test('the rated memory figure is peak RSS growth over the start', () => {
    const r = sampleReport();
    assert.equal(r.memory.growthMb, Math.round((r.memory.peakRssMb - r.memory.startRssMb) * 100) / 100);
    const check = r.targets.checks.find((c) => c.metric === 'memory_usage_mb')!;
    assert.equal(check.actual, r.memory.growthMb);
  });

  test('a run without calls: rates are not measured, not zero', () => {
    const r = sampleReport({ batches: { total: 0, done: 0, failed: 0 } }, { batches: 0 });
    assert.equal(r.ratings.callRate, null);
    assert.equal(r.ratings.errorRate, null);
    const err = r.targets.checks.find((c) => c.metric === 'error_rate')!;
    assert.equal(err.actual, null);
    assert.equal(err.met, null);
    assert.equal(r.targets.checks.find((c) => c.metric === 'throughput')!.met, null);
  });

  test('overrides from a targets file are applied', () => {
    const r = sampleReport({ targets: { throughput: 1e9 } });
    assert.equal(r.targets.checks.find((c) => c.metric === 'throughput')!.met, false);
  });

  test('analysis: rows per call, fill ratio and under-filled windows', () => {
    const r = sampleReport({}, { rowsPerBatch: 400, rowCap: 6000 });
    const a = r.analysis;
    assert.ok(a.rowsPerCall !== null && a.rowsPerCall > 200 && a.rowsPerCall < 600);
    assert.ok(a.fillRatio !== null && Math.abs(a.fillRatio - a.rowsPerCall / 6000) < 1e-12);
    assert.equal(a.underfilledBatches, 40);
    assert.ok(r.recommendations.some((s) => /`rows` strategy/.test(s)));
  });
});

describe('text and trend', () => {
  test('formatRunLine carries the real values', () => {
    const r = sampleReport();
    const line = formatRunLine(r);
    assert.match(line, /batches 40\/40 done/);
    assert.match(line, /generation 0\.42 ms/);
    const bound = Math.ceil(r.rows.fetched / 6000);
    assert.equal(r.calls.lowerBound, bound);
    assert.match(line, new RegExp(`40 calls \\(${(40 / bound).toFixed(2)}x the lower bound of ${bound}\\)`));
    assert.match(line, new RegExp(`${(r.rows.fetched / 10).toFixed(0)} rows/s`));
    assert.match(line, /optimization 98\.50%/);
    assert.match(line, new RegExp(`memory \\+${(r.memory.growthMb as number).toFixed(1)} MB`));
    assert.ok(!line.includes('\n'));
  });

  test('formatSummary shows ratings, "not measured" and recommendations', () => {
    const r = sampleReport({ batches: { total: 0, done: 0, failed: 0 } }, { batches: 0 });
    const text = formatSummary(r);
    assert.match(text, /API call rate\s+not measured/);
    assert.match(text, /error_rate.*not measured/);
    assert.match(text, /Recommendations:/);
  });

  test('formatSummary names the row budget only when calls waited for it', () => {
    const r = sampleReport();
    assert.doesNotMatch(formatSummary(r), /row budget/);
    const waited = { ...r, memory: { ...r.memory, rowBudgetWaits: 3, rowBudgetWaitMs: 4200, maxRowsHeld: 50_000 } };
    assert.match(formatSummary(waited), /row budget 50000: 3 waits, 4\.2 s/);
  });

  test('trendTable orders oldest first and gives deltas vs the previous run', () => {
    const a = sampleReport({ runId: 'a', startedAt: '2026-11-01T00:00:00Z', finishedAt: '2026-11-01T00:00:20Z' });
    const b = sampleReport(
      { runId: 'b', startedAt: '2026-11-02T00:00:00Z', finishedAt: '2026-11-02T00:00:10Z' },
      { failEvery: 5 },
    );
    const rows = trendTable([b, a]);
    assert.deepEqual(
      rows.map((r) => r.runId),
      ['a', 'b'],
    );
    assert.equal(rows[0].delta, null);
    assert.equal(rows[1].delta!.wallMs, -10_000);
    assert.equal(rows[1].delta!.errorRate, rows[1].errorRate - rows[0].errorRate);
    const text = formatTrendTable(rows);
    assert.match(text, /^run\s+started/);
    assert.match(text, /10\.0 \(-10\.0\)/);
  });
});

describe('batch analysis with partitions', () => {
  test('the rows-strategy estimate needs at least one call per partition value', () => {
    // 40 batches = 4 windows x 10 symbols; ~1000 rows each -> ceil(40k / 6000) = 7 < 10 symbols
    const r = sampleReport({ plan: { ...PLAN, batchCount: 40, windowCount: 4 } }, { rowsPerBatch: 1000 });
    assert.equal(r.analysis.rowsStrategyCalls, 10);
    const flat = sampleReport({ plan: { ...PLAN, batchCount: 40, windowCount: 40 } }, { rowsPerBatch: 1000 });
    const fetched = flat.rows.fetched;
    assert.equal(flat.analysis.rowsStrategyCalls, Math.ceil(fetched / 6000));
    // an online plan has one window per batch: the landed rows per `each` value give the floor
    const online = sampleReport(
      {
        plan: { ...PLAN, batchCount: 40, windowCount: 40 },
        landed: { rowsPerValue: Array.from({ length: 12 }, () => 100), byEach: true },
      },
      { rowsPerBatch: 1000 },
    );
    assert.equal(online.analysis.rowsStrategyCalls, 12);
  });

  test('no rows advice when the strategy already is rows (also as "rows (resolved)")', () => {
    for (const strategy of ['rows', 'rows (rows)']) {
      const r = sampleReport({ plan: { ...PLAN, strategy } }, { rowsPerBatch: 400 });
      assert.ok(!r.recommendations.some((s) => /`rows` strategy/.test(s)), strategy);
    }
  });
});
