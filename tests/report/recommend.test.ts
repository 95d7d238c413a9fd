import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  recommend,
  slowGeneration,
  highMemory,
  poorOptimization,
  useRowsStrategy,
  lowerRate,
  serverBottleneck,
  upstreamFaults,
  overflowedWindows,
  rowBudgetBound,
  type RecommendInput,
} from '../../src/report/recommend.js';
import { CallMonitor } from '../../src/monitor/calls.js';
import type { BatchAnalysis } from '../../src/report/analyze.js';
import type { TimelinePoint } from '../../src/monitor/timeline.js';

const analysis: BatchAnalysis = {
  strategy: 'smart',
  batchCount: 10,
  timeSpanDays: 300,
  baselineBatches: 300,
  baselineUnit: 'days',
  reductionRate: 96.7,
  batchesPerDay: 0.03,
  sizeUnit: 'days',
  windowSizes: { min: 30, max: 31, avg: 30, variance: 0.2 },
  rowsPerBatch: { min: 5000, max: 5900, avg: 5500, variance: 10 },
  rowsPerCall: 5500,
  rowCap: 6000,
  fillRatio: 0.92,
  underfilledBatches: 0,
  overflowedWindows: 0,
  rowsStrategyCalls: 10,
  pageCalls: 10,
  eachValues: null,
};

function base(over: Partial<RecommendInput> = {}): RecommendInput {
  const calls = new CallMonitor();
  for (let i = 0; i < 100; i++)
    calls.onCallEnd({ api: 'daily', key: 'k', tMs: i * 100 + 50, page: 0, attempt: 1, ms: 50, rows: 10, status: 'ok' });
  return {
    generationMs: 0.5,
    memoryGrowthMb: 20,
    reductionRate: 96.7,
    analysis,
    doneBatches: 10,
    calls: calls.total(),
    timeline: [],
    concurrencyMax: 8,
    paceRates: {},
    wallMs: 10_000,
    rowBudget: { waits: 0, waitMs: 0, maxRowsHeld: null },
    ...over,
  };
}

function callsWith(statuses: Array<['ok' | 'rate-limited' | 'retryable', number, number]>) {
  const m = new CallMonitor();
  let t = 0;
  for (const [status, count, attempt] of statuses) {
    for (let i = 0; i < count; i++)
      m.onCallEnd({ api: 'daily', key: 'k', tMs: (t += 10), page: 0, attempt, ms: 5, rows: 1, status });
  }
  return m.total();
}

function point(i: number, avgMs: number, limit: number, inflight: number): TimelinePoint {
  return {
    tMs: i * 1000,
    widthMs: 1000,
    calls: 10,
    callsPerSecond: 10,
    rows: 100,
    rowsPerSecond: 100,
    avgMs,
    inflight,
    limit,
    rssMb: 80,
  };
}

describe('recommendations', () => {
  test('a healthy run gets none', () => {
    assert.deepEqual(recommend(base()), []);
  });

  test('basic rule: generation over 1 s', () => {
    assert.equal(slowGeneration(base({ generationMs: 1000 })), null);
    assert.match(slowGeneration(base({ generationMs: 1001 }))!, /1\.00 s/);
  });

  test('basic rule: memory over 100 MB (not measured never fires)', () => {
    assert.equal(highMemory(base({ memoryGrowthMb: 100 })), null);
    assert.equal(highMemory(base({ memoryGrowthMb: null })), null);
    assert.match(highMemory(base({ memoryGrowthMb: 150 }))!, /150\.0 MB/);
  });

  test('basic rule: optimization under 50 %', () => {
    assert.equal(poorOptimization(base({ reductionRate: 50 })), null);
    assert.match(poorOptimization(base({ reductionRate: 12.5 }))!, /12\.5%/);
  });

  test('many windows far under the row cap -> rows strategy, with the calls it saves', () => {
    const under = {
      ...analysis,
      underfilledBatches: 8,
      rowsStrategyCalls: 2,
      pageCalls: 10,
      rowsPerBatch: { min: 100, max: 900, avg: 500, variance: 1 },
    };
    const msg = useRowsStrategy(base({ analysis: under }))!;
    assert.match(msg, /8 of 10 windows/);
    assert.match(msg, /about 2 calls instead of 10 \(saving 8\)/);
    assert.equal(
      useRowsStrategy(base({ analysis: { ...under, underfilledBatches: 4 } })),
      null,
      'under half the windows',
    );
    assert.equal(useRowsStrategy(base({ analysis: { ...under, strategy: 'rows' } })), null, 'already rows');
    assert.equal(useRowsStrategy(base({ analysis: { ...under, rowCap: null } })), null, 'cap unknown');
    assert.equal(useRowsStrategy(base({ analysis: { ...under, rowsStrategyCalls: 10 } })), null, 'nothing saved');
    assert.equal(
      useRowsStrategy(base({ analysis: { ...under, rowsStrategyCalls: 9 } })),
      null,
      'within 1.2x of the fewest: only the last pages',
    );
  });

  test('frequent rate-limit answers -> lower the rate or go adaptive', () => {
    const msg = lowerRate(
      base({
        calls: callsWith([
          ['ok', 90, 1],
          ['rate-limited', 10, 1],
        ]),
        paceRates: { daily: 200 },
      }),
    )!;
    assert.match(msg, /10 of 100 calls/);
    assert.match(msg, /adaptive/);
    assert.match(msg, /about 200 calls\/min/);
    assert.equal(
      lowerRate(
        base({
          calls: callsWith([
            ['ok', 97, 1],
            ['rate-limited', 3, 1],
          ]),
        }),
      ),
      null,
    );
  });

  test('concurrency pinned at max with rising latency -> server bottleneck', () => {
    const rising = Array.from({ length: 9 }, (_, i) => point(i, 100 + i * 50, 8, 8));
    assert.match(serverBottleneck(base({ timeline: rising }))!, /server is the bottleneck/);
    const flat = Array.from({ length: 9 }, (_, i) => point(i, 100, 8, 8));
    assert.equal(serverBottleneck(base({ timeline: flat })), null, 'latency flat');
    const notPinned = Array.from({ length: 9 }, (_, i) => point(i, 100 + i * 50, 4, 4));
    assert.equal(serverBottleneck(base({ timeline: notPinned })), null, 'below max');
    assert.equal(serverBottleneck(base({ timeline: rising.slice(0, 4) })), null, 'too short to tell');
  });

  test('high retry share or error rate -> faults upstream', () => {
    assert.match(
      upstreamFaults(
        base({
          calls: callsWith([
            ['ok', 80, 1],
            ['ok', 20, 2],
          ]),
        }),
      )!,
      /20\.0% of calls were retries and 0\.0% failed/,
    );
    assert.equal(
      upstreamFaults(
        base({
          calls: callsWith([
            ['ok', 95, 1],
            ['ok', 5, 2],
          ]),
        }),
      ),
      null,
    );
    assert.match(
      upstreamFaults(
        base({
          calls: callsWith([
            ['ok', 95, 1],
            ['retryable', 5, 1],
          ]),
        }),
      )!,
      /5\.0% failed/,
    );
    assert.equal(
      upstreamFaults(
        base({
          calls: callsWith([
            ['ok', 96, 1],
            ['retryable', 4, 1],
          ]),
        }),
      ),
      null,
    );
  });

  test('overflowed windows -> smaller windows or rows strategy', () => {
    assert.match(
      overflowedWindows(base({ analysis: { ...analysis, overflowedWindows: 3 } }))!,
      /3 window\(s\) overflowed/,
    );
    assert.equal(overflowedWindows(base()), null);
  });

  test('row budget: fires when calls spent a quarter of the wall time waiting for rows to be written', () => {
    assert.equal(rowBudgetBound(base()), null);
    // A budget that never bound, or waits under a quarter of the wall time: quiet.
    assert.equal(rowBudgetBound(base({ rowBudget: { waits: 0, waitMs: 0, maxRowsHeld: null } })), null);
    assert.equal(rowBudgetBound(base({ rowBudget: { waits: 9, waitMs: 2499, maxRowsHeld: 50_000 } })), null);
    const advice = rowBudgetBound(base({ rowBudget: { waits: 40, waitMs: 6000, maxRowsHeld: 50_000 } }));
    assert.match(advice!, /6\.0 s/);
    assert.match(advice!, /60\.0%/);
    assert.match(advice!, /maxRowsHeld 50000/);
  });
});
