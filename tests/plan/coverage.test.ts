import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type DayRange, formatDay, parseDay } from '../../src/core/dates.js';
import type { Batch } from '../../src/core/types.js';
import {
  type DoneWindow,
  clipRanges,
  coverageOf,
  daysIn,
  lookbackRange,
  mergeRanges,
  planJob,
  plannedRanges,
  runCoverage,
  splitBatch,
  subtractRanges,
  weekdayCalendar,
} from '../../src/plan/index.js';
import { rangeArb } from '../helpers/tiling.js';

const cal = weekdayCalendar;
const day = (t: string): number => parseDay(t);
const r = (a: string, b: string): DayRange => ({ start: day(a), end: day(b) });
const text = (rs: readonly DayRange[]): string[] => rs.map((x) => `${formatDay(x.start)}-${formatDay(x.end)}`);

/** The window of a batch as day numbers. */
const windowOf = (b: Batch): DayRange => ({ start: day(b.window!.start), end: day(b.window!.end) });

describe('range arithmetic', () => {
  test('merge, clip and subtract agree with a day-by-day set', () => {
    fc.assert(
      fc.property(rangeArb(400), fc.array(rangeArb(120), { maxLength: 8 }), (range, covered) => {
        const inCovered = (d: number) => covered.some((c) => d >= c.start && d <= c.end);
        const gaps = subtractRanges(range, covered);
        const clipped = clipRanges(covered, range);
        for (let d = range.start; d <= range.end; d++) {
          const inGap = gaps.some((g) => d >= g.start && d <= g.end);
          const inClip = clipped.some((g) => d >= g.start && d <= g.end);
          assert.equal(inGap, !inCovered(d));
          assert.equal(inClip, inCovered(d));
        }
        assert.equal(daysIn(gaps) + daysIn(clipped), range.end - range.start + 1);
        const merged = mergeRanges(covered);
        for (let i = 1; i < merged.length; i++) assert.ok(merged[i].start > merged[i - 1].end + 1, 'merged');
      }),
    );
  });

  test('the lookback is the last N trading days through the end, never before the floor', () => {
    assert.deepEqual(text([lookbackRange(day('20240112'), 5, cal, 0)!]), ['20240108-20240112']);
    // a Sunday end: the five weekdays before it
    assert.deepEqual(text([lookbackRange(day('20240114'), 5, cal, 0)!]), ['20240108-20240114']);
    assert.deepEqual(text([lookbackRange(day('20240112'), 5, cal, day('20240110'))!]), ['20240110-20240112']);
    assert.equal(lookbackRange(day('20240112'), 0, cal, 0), undefined);
  });
});

describe('coverage of earlier runs', () => {
  test('moving the end on fetches the new days and the lookback only', () => {
    const c = coverageOf(r('20230101', '20240131'), [r('20230101', '20240112')], { lookback: 5, calendar: cal });
    assert.deepEqual(text(c.todo), ['20240108-20240131']);
    assert.deepEqual(text(c.lookback), ['20240108-20240112']);
  });

  test('moving the start a year earlier fetches that year and the lookback at the end', () => {
    const done = [r('20230101', '20230630'), r('20230701', '20231231')];
    const c = coverageOf(r('20220101', '20231231'), done, { lookback: 3, calendar: cal });
    assert.deepEqual(text(c.todo), ['20220101-20221231', '20231227-20231231']);
    const none = coverageOf(r('20220101', '20231231'), done, { calendar: cal });
    assert.deepEqual(text(none.todo), ['20220101-20221231']);
  });

  test('per value: each value plans its own gaps; stats count trading days and skipped batches', () => {
    const done: DoneWindow[] = [
      { value: 'A', window: r('20240101', '20240131'), runId: 'r1' },
      { value: 'B', window: r('20240101', '20240115'), runId: 'r1' },
      { value: 'B', window: r('20240116', '20240131'), runId: 'r2' },
      { value: 'C', window: r('20230101', '20230131'), runId: 'r2' }, // outside the range
    ];
    const cov = runCoverage(r('20240101', '20240209'), ['A', 'B', 'C'], done, { lookback: 0, calendar: cal });
    assert.deepEqual(text(cov.todo.get('A')!), ['20240201-20240209']);
    assert.deepEqual(text(cov.todo.get('B')!), ['20240201-20240209']);
    assert.deepEqual(text(cov.todo.get('C')!), ['20240101-20240209']);
    const jan = cal.openDaysBetween(day('20240101'), day('20240131'));
    const feb = cal.openDaysBetween(day('20240201'), day('20240209'));
    assert.deepEqual(cov.stats, {
      fetchedDays: 2 * feb + jan + feb,
      skippedDays: 2 * jan,
      lookbackDays: 0,
      skippedBatches: 3,
      fromRuns: 2,
    });
  });

  test('a plan with todo: values sharing ranges share windows; nothing to fetch makes no batch', () => {
    const todo = new Map([
      ['A', [r('20240201', '20240209')]],
      ['B', [r('20240201', '20240209')]],
      ['C', []],
    ]);
    const plan = planJob({
      start: '20240101',
      end: '20240209',
      strategy: 'week',
      each: { param: 'ts_code', values: ['A', 'B', 'C'] },
      todo,
    });
    assert.deepEqual(
      plan.batches.map((b) => b.key),
      [
        '20240201-20240204|ts_code=A',
        '20240201-20240204|ts_code=B',
        '20240205-20240209|ts_code=A',
        '20240205-20240209|ts_code=B',
      ],
    );
    assert.equal(plan.stats.batchCount, 4);
    const spec = { start: '20240101', end: '20240209', each: { param: 'ts_code', values: ['A', 'B', 'C'] } };
    assert.deepEqual(plannedRanges({ ...spec, todo }).get('A'), [r('20240201', '20240209')]);
    assert.deepEqual(plannedRanges(spec).get('C'), [r('20240101', '20240209')]);
    const empty = planJob({ start: '20240101', end: '20240209', todo: new Map([['', []]]) });
    assert.equal(empty.batches.length, 0);
    assert.equal(empty.stats.batchCount, 0);
  });
});

interface Sim {
  lookback: number;
  runs: { range: DayRange; outcomes: number[] }[];
}

/** Runs of one job: each with its range and what happened to its batches (0 done, 1 failed, 2 not run, 3 split). */
const simArb: fc.Arbitrary<Sim> = fc.record({
  lookback: fc.integer({ min: 0, max: 6 }),
  runs: fc.array(
    fc.record({
      range: rangeArb(500).map((x) => ({
        start: Math.max(x.start, day('20100101')),
        end: Math.max(x.end, day('20100101')),
      })),
      outcomes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

describe('incremental runs (property)', () => {
  test('done windows of earlier runs and the planned windows tile the range; nothing planned twice; nothing covered planned but the lookback', () => {
    fc.assert(
      fc.property(simArb, fc.constantFrom('month', 'week', 'days:9', 'smart'), (sim, strategy) => {
        const values = ['A', 'B'];
        const done: DoneWindow[] = [];
        sim.runs.forEach((run, k) => {
          const cov = runCoverage(run.range, values, done, { lookback: sim.lookback, calendar: cal });
          const plan = planJob({
            start: formatDay(run.range.start),
            end: formatDay(run.range.end),
            strategy,
            each: { param: 'ts_code', values },
            todo: cov.todo,
          });
          for (const v of values) {
            const covered = clipRanges(
              done.filter((d) => d.value === v).map((d) => d.window),
              run.range,
            );
            const planned = plan.batches.filter((b) => b.params.ts_code === v).map(windowOf);
            // nothing planned twice
            const days = daysIn(planned);
            assert.equal(days, daysIn(mergeRanges(planned)), `run ${k} ${v}: overlapping windows`);
            // planned days are exactly the todo
            assert.deepEqual(mergeRanges(planned), cov.todo.get(v));
            // covered and planned together tile the range
            assert.deepEqual(mergeRanges([...covered, ...planned]), [run.range]);
            // covered days planned again are the lookback: at most `lookback` trading days, at the end of the coverage
            const again = covered.flatMap((c) => clipRanges(planned, c));
            const last = covered.at(-1);
            if (sim.lookback === 0 || !last) assert.deepEqual(again, []);
            else {
              const back = lookbackRange(last.end, sim.lookback, cal, run.range.start)!;
              assert.deepEqual(
                again,
                covered.flatMap((c) => clipRanges([back], c)),
              );
            }
          }
          // execute: done, failed, not run, or split into two halves whose first half is done
          plan.batches.forEach((b, i) => {
            const outcome = run.outcomes[i % run.outcomes.length];
            const value = String(b.params.ts_code);
            if (outcome === 0) done.push({ value, window: windowOf(b), runId: `r${k}` });
            if (outcome === 3) {
              const halves = splitBatch(b, { each: { param: 'ts_code', values } });
              const leaf = halves ? halves[0] : b;
              done.push({ value, window: windowOf(leaf), runId: `r${k}` });
            }
          });
        });
      }),
      { numRuns: 150 },
    );
  });
});
