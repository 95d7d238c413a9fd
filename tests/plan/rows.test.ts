import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatDay, parseDay } from '../../src/core/dates.js';
import { callsFor, constantDensity, greedyTiling, planJob, rowBudget, rowWindows } from '../../src/plan/index.js';

/** Fewest windows over all 2^(n-1) ways to cut `rows`; a window fits the budget or has one non-empty day. */
function bruteForceFewest(rows: number[], budget: number): number {
  const n = rows.length;
  let best = Infinity;
  for (let mask = 0; mask < 1 << (n - 1); mask++) {
    let count = 0;
    let sum = 0;
    let nonEmpty = 0;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      sum += rows[i];
      if (rows[i] > 0) nonEmpty++;
      const cut = i === n - 1 || (mask & (1 << i)) !== 0;
      if (cut) {
        if (sum > budget && nonEmpty > 1) ok = false;
        count++;
        sum = 0;
        nonEmpty = 0;
      }
    }
    if (ok) best = Math.min(best, count);
  }
  return best;
}

describe('greedy row tiling', () => {
  test('uses as few windows as the best of all tilings (brute force, n <= 11)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 11 }),
        fc.integer({ min: 1, max: 120 }),
        (rows, budget) => {
          const g = greedyTiling(rows, budget);
          assert.equal(g.ends.length, bruteForceFewest(rows, budget));
          assert.equal(g.ends[g.ends.length - 1], rows.length - 1);
          assert.equal(g.oversized, rows.filter((x) => x > budget).length);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('every window fits the budget, except an oversized day with only empty days beside it', () => {
    const g = greedyTiling([3, 3, 3, 10, 3, 0, 0, 4, 0, 9, 0, 0], 6);
    assert.deepEqual(g.ends, [1, 2, 3, 6, 8, 11]);
    assert.deepEqual(g.sums, [6, 3, 10, 3, 4, 9]);
    assert.equal(g.oversized, 2);
  });

  test('budget is rowCap alone, or the last reachable page offset + rowCap when pages may be walked', () => {
    assert.equal(rowBudget({ rowCap: 6000 }), 6000);
    // Pages start at 0, 6000, ..., 96000 (the next, 102000, is past 100000).
    assert.equal(rowBudget({ rowCap: 6000, maxOffset: 100000 }), 102000);
    assert.equal(rowBudget({ rowCap: 100, maxOffset: 250 }), 300);
    assert.equal(rowBudget({ rowCap: 100, maxOffset: 300 }), 400);
    assert.equal(rowBudget({ rowCap: 100, maxOffset: 0 }), 100);
    assert.equal(callsFor(0, 6000), 1);
    assert.equal(callsFor(6000, 6000), 1);
    assert.equal(callsFor(6001, 6000), 2);
    assert.equal(callsFor(102000, 6000), 17);
  });

  test('the paged budget is exactly what pages of rowCap starting at offsets <= maxOffset can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50000 }), fc.integer({ min: 0, max: 200000 }), (rowCap, maxOffset) => {
        const budget = rowBudget({ rowCap, maxOffset });
        assert.equal(budget % rowCap, 0, 'a whole number of pages');
        const lastStart = budget - rowCap;
        assert.ok(lastStart <= maxOffset, 'the last page starts within maxOffset');
        assert.ok(lastStart + rowCap > maxOffset, 'one more page would start past maxOffset');
        assert.ok(budget <= maxOffset + rowCap);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rows strategy over dates', () => {
  test('5000 rows per weekday, cap 6000: one trading day per window, weekends folded in', () => {
    const range = { start: parseDay('20240105'), end: parseDay('20240109') }; // Fri..Tue
    const res = rowWindows(range, constantDensity(5000), { rowCap: 6000 });
    assert.deepEqual(
      res.windows.map((w) => `${formatDay(w.start)}-${formatDay(w.end)}`),
      ['20240105-20240107', '20240108-20240108', '20240109-20240109'],
    );
    assert.deepEqual(res.rows, [5000, 5000, 5000]);
  });

  test('with maxOffset a window holds up to the reachable paged budget and costs ceil(rows / cap) calls', () => {
    const plan = planJob({
      start: '20240101',
      end: '20241231',
      strategy: 'rows',
      density: constantDensity(5000),
      rowCap: 6000,
      maxOffset: 100000,
    });
    const rows = plan.windowRows ?? [];
    assert.ok(rows.every((x) => x <= 102000));
    assert.ok(
      rows.slice(0, -1).every((x) => x === 100000),
      '20 trading days per full window',
    );
    const weekdays = 262; // 2024 has 262 weekdays
    assert.equal(plan.stats.estimatedRows, weekdays * 5000);
    assert.equal(
      plan.stats.estimatedCalls,
      rows.reduce((n, x) => n + Math.ceil(x / 6000), 0),
    );
    assert.equal(plan.stats.batchCount, Math.ceil(weekdays / 20));
    assert.equal(plan.stats.sizeUnit, 'rows');
  });

  test('a day over the budget gets its own window (with the weekend after it) and is counted as oversized', () => {
    const plan = planJob({
      start: '20240101',
      end: '20240112',
      strategy: 'rows',
      density: constantDensity(9000),
      rowCap: 6000,
    });
    assert.deepEqual(plan.windows[4], { start: '20240105', end: '20240107' });
    assert.equal(plan.stats.oversizedWindows, 10);
    assert.equal(plan.stats.estimatedCalls, 20);
    assert.equal(plan.stats.batchCount, 10);
  });
});
