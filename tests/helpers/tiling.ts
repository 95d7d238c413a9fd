/**
 * Test helpers for the planner: check that windows tile a range exactly, and fast-check arbitraries
 * for day ranges between 1990 and 2035.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type DayRange, dayFromParts } from '../../src/core/dates.js';

export const DAY_1990 = dayFromParts(1990, 1, 1);
export const DAY_2035 = dayFromParts(2035, 12, 31);

/** An inclusive range inside 1990-01-01..2035-12-31, at most `maxDays` long. */
export function rangeArb(maxDays = DAY_2035 - DAY_1990 + 1): fc.Arbitrary<DayRange> {
  return fc
    .tuple(fc.integer({ min: DAY_1990, max: DAY_2035 }), fc.integer({ min: 0, max: maxDays - 1 }))
    .map(([start, len]) => ({ start, end: Math.min(DAY_2035, start + len) }));
}

/**
 * Windows are ordered, adjacent (no gap, no overlap), each non-empty, first starts at range.start,
 * last ends at range.end.
 */
export function assertTiles(range: DayRange, windows: readonly DayRange[]): void {
  assert.ok(windows.length > 0, 'at least one window');
  assert.equal(windows[0].start, range.start, 'first window starts at the range start');
  assert.equal(windows[windows.length - 1].end, range.end, 'last window ends at the range end');
  for (let i = 0; i < windows.length; i++) {
    assert.ok(windows[i].start <= windows[i].end, `window ${i} is not empty`);
    if (i > 0)
      assert.equal(windows[i].start, windows[i - 1].end + 1, `window ${i} starts the day after window ${i - 1} ends`);
  }
}
