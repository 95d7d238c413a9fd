import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { callsLowerBound, landedRows } from '../../src/report/lower-bound.js';
import { callsOverLowerBound, recommend, type RecommendInput } from '../../src/report/recommend.js';
import { CallMonitor } from '../../src/monitor/calls.js';
import { readReport, type BatchAnalysis } from '../../src/core/report.js';
import { formatRunLine, formatSummary } from '../../src/report/text.js';
import { renderHtml } from '../../src/report/html.js';
import { evaluate, parseCondition } from '../../src/report/alerts.js';
import type { BatchRecord } from '../../src/core/store.js';
import { sampleReport } from '../helpers/report-fixtures.js';

function record(
  key: string,
  code: string | undefined,
  rows: number,
  status: BatchRecord['status'] = 'done',
): BatchRecord {
  return {
    runId: 'r',
    key,
    batch: { key, params: { start_date: '20240101', end_date: '20240131', ...(code ? { ts_code: code } : {}) } },
    status,
    attempts: 1,
    rows,
    startedAt: null,
    finishedAt: null,
    lastError: null,
  };
}

describe('the calls lower bound', () => {
  test('max(1, ceil(rows / cap)) summed over values: an empty value still costs a call', () => {
    assert.equal(callsLowerBound([5200, 0, 12_000], 6000), 4);
    assert.equal(callsLowerBound([6000], 6000), 1);
    assert.equal(callsLowerBound([6001], 6000), 2);
    assert.equal(callsLowerBound([], 6000), 0);
    assert.throws(() => callsLowerBound([1], 0), /row cap/);
  });

  test('for all inputs: at least one call per value and at least ceil(total / cap), never more than values + total / cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 50_000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        (rows, cap) => {
          const bound = callsLowerBound(rows, cap);
          const total = rows.reduce((a, b) => a + b, 0);
          assert.ok(bound >= rows.length);
          assert.ok(bound >= Math.ceil(total / cap));
          assert.ok(bound <= rows.length + total / cap);
        },
      ),
    );
  });

  test('landedRows groups done batches by the each value; without each the whole job is one value', () => {
    const records = [
      record('a1', 'A', 4000),
      record('a2', 'A', 4000),
      record('b1', 'B', 10),
      record('c1', 'C', 0),
      record('d1', 'D', 9000, 'failed'),
      record('p', 'A', 0, 'split'),
    ];
    const each = landedRows(records, 'ts_code');
    assert.deepEqual(each, { rowsPerValue: [8000, 10, 0], byEach: true });
    assert.equal(callsLowerBound(each.rowsPerValue, 6000), 4);
    const whole = landedRows(records, undefined);
    assert.deepEqual(whole, { rowsPerValue: [8010], byEach: false });
    assert.equal(callsLowerBound(whole.rowsPerValue, 6000), 2);
    // a resumed session counts only what it landed
    assert.deepEqual(landedRows(records, 'ts_code', (r) => r.key !== 'a1').rowsPerValue, [4000, 10, 0]);
  });

  test('the report carries spent calls, the bound with the row cap the run used, and the ratio', () => {
    // 40 one-call batches of ~2500 rows; landed over 4 symbols of 25,000 rows each
    const landed = { rowsPerValue: [25_000, 25_000, 25_000, 25_000], byEach: true };
    const r = sampleReport({ landed, rowCap: 6000 });
    assert.equal(r.calls.spent, 40);
    assert.equal(r.calls.lowerBound, 20);
    assert.equal(r.calls.overLowerBound, 2);
    assert.equal(r.analysis.eachValues, 4);
    // the lower cap the server showed gives a higher bound
    const learned = sampleReport({ landed, rowCap: 5000 });
    assert.equal(learned.calls.lowerBound, 20);
    assert.equal(sampleReport({ landed, rowCap: 2500 }).calls.lowerBound, 40);
    // rate-limit refusals are not spent calls
    const refused = sampleReport({ landed }, { rateLimitEvery: 4 });
    assert.equal(refused.calls.total, 50);
    assert.equal(refused.calls.spent, 40);
    // without a done batch there is no bound
    const none = sampleReport({ batches: { total: 0, done: 0, failed: 0 } }, { batches: 0 });
    assert.equal(none.calls.lowerBound, null);
    assert.equal(none.calls.overLowerBound, null);
    assert.match(formatRunLine(r), /40 calls \(2\.00x the lower bound of 20\)/);
    assert.match(
      formatSummary(r),
      /Calls against the lower bound: 40 calls \(2\.00x the lower bound of 20\) over 4 `each` values, row cap 6000/,
    );
    assert.match(renderHtml(r), /calls \/ lower bound/);
    // an alert can watch it
    assert.equal(evaluate(parseCondition('overLowerBound > 1.5'), r), true);
    assert.equal(evaluate(parseCondition('overLowerBound > 1.5'), none), false);
  });
});

const analysis: BatchAnalysis = {
  strategy: 'smart (year)',
  batchCount: 60,
  timeSpanDays: 5479,
  baselineBatches: 5479,
  baselineUnit: 'days',
  reductionRate: 98.9,
  batchesPerDay: 0.01,
  sizeUnit: 'days',
  windowSizes: { min: 365, max: 366, avg: 365, variance: 0.2 },
  rowsPerBatch: { min: 200, max: 250, avg: 240, variance: 10 },
  rowsPerCall: 240,
  rowCap: 6000,
  fillRatio: 0.04,
  underfilledBatches: 900,
  overflowedWindows: 0,
  rowsStrategyCalls: 60,
  pageCalls: 900,
  eachValues: null,
};

function input(over: Partial<RecommendInput>, a: Partial<BatchAnalysis> = {}): RecommendInput {
  const calls = new CallMonitor();
  for (let i = 0; i < 100; i++)
    calls.onCallEnd({ api: 'daily', key: 'k', tMs: i * 100 + 50, page: 0, attempt: 1, ms: 50, rows: 10, status: 'ok' });
  return {
    generationMs: 0.5,
    memoryGrowthMb: 20,
    reductionRate: 98.9,
    analysis: { ...analysis, ...a },
    doneBatches: 900,
    calls: calls.total(),
    timeline: [],
    concurrencyMax: 8,
    paceRates: {},
    wallMs: 10_000,
    rowBudget: { waits: 0, waitMs: 0, maxRowsHeld: null },
    ...over,
  };
}

describe('the calls recommendation', () => {
  test('does not fire at or below 1.2x the bound, nor without a bound', () => {
    assert.equal(callsOverLowerBound(input({ spent: 120, lowerBound: 100 })), null);
    assert.equal(callsOverLowerBound(input({ spent: 100, lowerBound: 100 })), null);
    assert.equal(callsOverLowerBound(input({ spent: 900, lowerBound: null })), null);
    assert.equal(callsOverLowerBound(input({})), null);
  });

  test('above 1.2x with thin windows: names the fill and the strategies that plan fuller ones', () => {
    const advice = callsOverLowerBound(input({ spent: 900, lowerBound: 36 }))!;
    assert.match(advice, /spent 900 calls where 36 could have fetched its rows \(25\.00x\)/);
    assert.match(advice, /240 rows on average of a possible 6000 \(4\.0% full\)/);
    assert.match(advice, /strategy: auto/);
    assert.ok(recommend(input({ spent: 900, lowerBound: 36 })).includes(advice));
  });

  test('many each values with small results: one window per value, or query by date', () => {
    const advice = callsOverLowerBound(input({ spent: 900, lowerBound: 60 }, { eachValues: 60 }))!;
    assert.match(advice, /the 60 `each` values landed 3600 rows on average, under one page of 6000/);
    assert.match(advice, /15\.0 calls each/);
    assert.match(advice, /dropping `each` to query by date about 36 in all/);
  });

  test('windows split at the offset limit are named with their count', () => {
    const advice = callsOverLowerBound(
      input({ spent: 300, lowerBound: 200 }, { overflowedWindows: 7, fillRatio: 0.95, rowsPerCall: 5700 }),
    )!;
    assert.match(advice, /7 window\(s\) held more rows than one query can page through/);
    assert.doesNotMatch(advice, /full\)/);
  });
});

describe('reports stored before the lower bound and the rows/s throughput', () => {
  const old = {
    runId: 'old',
    job: 'daily',
    status: 'succeeded',
    wallMs: 10_000,
    calls: { total: 120, failed: 2, rateLimited: 20, retried: 2 },
    rows: { fetched: 50_000, written: 50_000 },
    targets: {
      met: false,
      checks: [
        { metric: 'throughput', target: 100, actual: 85.5, met: false },
        { metric: 'error_rate', target: 0.02, actual: 0.0167, met: true },
      ],
    },
  };

  test("read with spent calls derived, no bound, and the throughput as rows/s against today's default", () => {
    const r = readReport(old);
    assert.equal(r.calls.spent, 100);
    assert.equal(r.calls.lowerBound, null);
    assert.equal(r.calls.overLowerBound, null);
    assert.equal(r.targets.enforced, false);
    const thr = r.targets.checks.find((c) => c.metric === 'throughput')!;
    assert.deepEqual(thr, { metric: 'throughput', target: 1000, unit: 'rows/s', actual: 5000, met: true });
    assert.equal(r.targets.met, true); // the only miss was the batches-per-minute figure
    assert.match(formatRunLine(r), /100 calls,/);
    assert.doesNotThrow(() => renderHtml(r));
  });

  test('a report that already has the new fields reads as it was stored', () => {
    const fresh = sampleReport({ landed: { rowsPerValue: [90_000], byEach: false } });
    const again = readReport(JSON.parse(JSON.stringify(fresh)));
    assert.deepEqual(again.calls, fresh.calls);
    assert.deepEqual(again.targets, fresh.targets);
  });
});
