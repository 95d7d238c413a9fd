import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDay } from '../../src/core/dates.js';
import { constantDensity, planJob, planStats, sizeDistribution, weekdayCalendar } from '../../src/plan/index.js';

describe('plan stats', () => {
  test('the contract example: 6 batches over 523 days', () => {
    const s = planJob({ start: '20230115', end: '20240620' }).stats;
    assert.equal(s.batchCount, 6);
    assert.equal(s.timeSpanDays, 523);
    assert.equal(s.baselineBatches, 523);
    assert.equal(s.baselineUnit, 'days');
    assert.equal(s.reductionRate, 98.85);
    assert.equal(s.batchesPerDay, 0.011472);
    assert.equal(s.estimatedRows, null);
    assert.equal(s.estimatedCalls, null);
    assert.equal(s.sizeUnit, 'days');
    assert.deepEqual([s.batchSizes.min, s.batchSizes.max], [76, 92]);
    assert.ok(s.generationMs >= 0);
  });

  test('with a calendar the baseline counts trading days', () => {
    const s = planJob({ start: '20240101', end: '20240131', strategy: 'week', calendar: weekdayCalendar }).stats;
    assert.equal(s.baselineBatches, 23);
    assert.equal(s.baselineUnit, 'trading-days');
    assert.equal(s.batchCount, 5);
    assert.equal(s.reductionRate, Math.round(((23 - 5) / 23) * 10000) / 100);
  });

  test('a cross product multiplies batches and baseline by the number of values', () => {
    const s = planJob({
      start: '20240101',
      end: '20240131',
      strategy: 'month',
      each: { param: 'ts_code', values: ['a', 'b', 'c'] },
    }).stats;
    assert.equal(s.batchCount, 3);
    assert.equal(s.windowCount, 1);
    assert.equal(s.baselineBatches, 93);
  });

  test('a weekend range with a calendar has a zero baseline and no division by zero', () => {
    const s = planJob({ start: '20240106', end: '20240107', calendar: weekdayCalendar }).stats;
    assert.equal(s.baselineBatches, 0);
    assert.equal(s.reductionRate, 0);
    assert.equal(s.batchesPerDay, 0.5);
  });

  test('with a density, sizes are in estimated rows; calls need a row cap', () => {
    const withCap = planJob({
      start: '20240101',
      end: '20240131',
      strategy: 'week',
      density: constantDensity(1000),
      rowCap: 3000,
    }).stats;
    assert.equal(withCap.sizeUnit, 'rows');
    assert.equal(withCap.estimatedRows, 23_000);
    assert.deepEqual([withCap.batchSizes.min, withCap.batchSizes.max], [3000, 5000]);
    assert.equal(withCap.estimatedCalls, 2 + 2 + 2 + 2 + 1); // weeks of 5000, 5000, 5000, 5000, 3000 rows
    const noCap = planJob({ start: '20240101', end: '20240131', density: constantDensity(1000) }).stats;
    assert.equal(noCap.estimatedRows, 23_000);
    assert.equal(noCap.estimatedCalls, null);
  });

  test('size distribution: min, max, average, population variance, integer histogram', () => {
    const d = sizeDistribution([28, 31, 30, 31]);
    assert.deepEqual([d.min, d.max, d.avg, d.variance], [28, 31, 30, 1.5]);
    assert.deepEqual(d.histogram, [
      { from: 28, to: 28, count: 1 },
      { from: 29, to: 29, count: 0 },
      { from: 30, to: 30, count: 1 },
      { from: 31, to: 31, count: 2 },
    ]);
    const wide = sizeDistribution([0, 100]);
    assert.equal(wide.histogram.length, 10);
    assert.equal(
      wide.histogram.reduce((n, b) => n + b.count, 0),
      2,
    );
    assert.deepEqual(sizeDistribution([]), { min: 0, max: 0, avg: 0, variance: 0, histogram: [] });
  });

  test('planStats counts the days of a one-day range inclusively', () => {
    const day = parseDay('20240101');
    const s = planStats({ range: { start: day, end: day }, windows: [{ start: day, end: day }], generationMs: 0.0004 });
    assert.equal(s.timeSpanDays, 1);
    assert.equal(s.reductionRate, 0);
    assert.equal(s.batchesPerDay, 1);
    assert.equal(s.generationMs, 0);
  });
});
