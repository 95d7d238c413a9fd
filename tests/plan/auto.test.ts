import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type DayRange, dayFromParts } from '../../src/core/dates.js';
import {
  type AutoSettings,
  type AutoStream,
  AutoPlanner,
  everyDayCalendar,
  planJob,
  rowBudget,
  simulateAuto,
  uncovered,
  weekdayCalendar,
} from '../../src/plan/index.js';

const D2019 = dayFromParts(2019, 1, 1);
const D2020 = dayFromParts(2020, 12, 31);
const SETTINGS: AutoSettings = {
  rowCap: 6000,
  maxOffset: 100_000,
  concurrency: 4,
  maxRowsHeld: 50_000,
  calendar: weekdayCalendar,
};

/** Sorted ranges, merged where adjacent. */
function merged(ranges: readonly DayRange[]): DayRange[] {
  const out: { start: number; end: number }[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) {
      assert.ok(r.start > last.end, `overlap: ${JSON.stringify(last)} and ${JSON.stringify(r)}`);
      last.end = Math.max(last.end, r.end);
    } else out.push({ ...r });
  }
  return out;
}

/** Disjoint ranges inside 2000..2030 for one stream. */
const streamArb: fc.Arbitrary<AutoStream> = fc
  .uniqueArray(fc.integer({ min: 0, max: 11_000 }), { minLength: 2, maxLength: 6 })
  .map((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const base = dayFromParts(2000, 1, 1);
    const ranges: DayRange[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push({ start: base + sorted[i], end: base + sorted[i + 1] });
    return { ranges };
  });

const settingsArb: fc.Arbitrary<AutoSettings> = fc.record({
  rowCap: fc.integer({ min: 200, max: 6000 }),
  maxOffset: fc.oneof(fc.constant(0), fc.constant(undefined), fc.integer({ min: 1, max: 100_000 })),
  concurrency: fc.integer({ min: 1, max: 8 }),
  maxRowsHeld: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
  calendar: fc.constantFrom(weekdayCalendar, everyDayCalendar),
});

type Fate = { kind: 'done'; rows: number } | { kind: 'failed' } | { kind: 'split' };
const fateArb: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 150_000 }).map((rows) => ({ kind: 'done' as const, rows })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'failed' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'split' as const }) },
);

describe('auto planner: tiling', () => {
  test('what it plans tiles every stream exactly, and so do the leaves after splits and failures', () => {
    fc.assert(
      fc.property(
        fc.array(streamArb, { minLength: 1, maxLength: 4 }),
        settingsArb,
        fc.array(fateArb, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        (streams, settings, fates, picks) => {
          const planner = new AutoPlanner(streams, settings);
          const planned: { stream: number; range: DayRange }[] = [];
          const leaves: { stream: number; range: DayRange }[] = [];
          const inflight: { stream: number; range: DayRange }[] = [];
          let step = 0;
          const finishOne = (): void => {
            const i = picks[step % picks.length] % inflight.length;
            const w = inflight.splice(i, 1)[0];
            const fate = fates[step % fates.length];
            step++;
            if (fate.kind === 'split' && w.range.end > w.range.start) {
              const mid = w.range.start + Math.floor((w.range.end - w.range.start) / 2);
              planner.split(w.stream, w.range, 2);
              inflight.push({ stream: w.stream, range: { start: w.range.start, end: mid } });
              inflight.push({ stream: w.stream, range: { start: mid + 1, end: w.range.end } });
            } else if (fate.kind === 'failed') {
              planner.failed();
              leaves.push(w);
            } else {
              planner.done(w.stream, w.range, fate.kind === 'done' ? fate.rows : 0);
              leaves.push(w);
            }
          };
          for (let guard = 0; guard < 100_000; guard++) {
            const w = planner.next();
            if (w === undefined) break;
            if (w === 'wait') {
              assert.ok(inflight.length > 0, 'waits only with a window in flight');
              finishOne();
              continue;
            }
            planned.push(w);
            inflight.push(w);
            if (inflight.length >= settings.concurrency || picks[step % picks.length] % 3 === 0) finishOne();
          }
          assert.equal(planner.next(), undefined, 'the planner ends');
          while (inflight.length > 0) finishOne();
          streams.forEach((s, i) => {
            const want = merged(s.ranges);
            assert.deepEqual(merged(planned.filter((w) => w.stream === i).map((w) => w.range)), want);
            assert.deepEqual(merged(leaves.filter((w) => w.stream === i).map((w) => w.range)), want);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  test('uncovered() gives back exactly the days no covered range holds', () => {
    fc.assert(
      fc.property(streamArb, streamArb, (a, b) => {
        const rest = uncovered(a.ranges, b.ranges);
        const inRanges = (d: number, rs: readonly DayRange[]) => rs.some((r) => r.start <= d && d <= r.end);
        const base = dayFromParts(2000, 1, 1);
        for (let d = base; d <= base + 11_000; d += 7) {
          assert.equal(inRanges(d, rest), inRanges(d, a.ranges) && !inRanges(d, b.ranges), `day ${d}`);
        }
        merged(rest); // disjoint
      }),
    );
  });
});

describe('auto planner: choices', () => {
  test('starts with a one-open-day probe at the end of the first stream, then waits for it', () => {
    const p = new AutoPlanner([{ ranges: [{ start: D2019, end: D2020 }] }], SETTINGS);
    const first = p.next();
    assert.ok(typeof first === 'object');
    assert.equal(first.range.end, D2020);
    assert.equal(weekdayCalendar.openDaysBetween(first.range.start, first.range.end), 1);
    assert.equal(p.next(), 'wait');
    p.done(0, first.range, 1800);
    const second = p.next();
    assert.ok(typeof second === 'object', 'a trusted density plans in parallel');
    assert.equal(second.range.end, first.range.start - 1, 'backwards, adjacent');
  });

  test('per-value streams that each fit a window get one window over their whole range', () => {
    const ranges = [{ start: dayFromParts(2010, 1, 1), end: dayFromParts(2024, 12, 31) }];
    const streams = Array.from({ length: 60 }, (_, i) => ({ value: `S${i}`, ranges }));
    const sim = simulateAuto(streams, SETTINGS, (_, r) => weekdayCalendar.openDaysBetween(r.start, r.end));
    // the first stream probes (and grows while fewer than SAMPLE_ROWS rows are known); every other is one window
    assert.ok(sim.windows.length <= 60 + 4, `windows: ${sim.windows.length}`);
    assert.equal(sim.windows.filter((w) => w.stream === 59).length, 1);
  });

  test('with paging, windows stay under the offset limit and are many pages long', () => {
    const sim = simulateAuto([{ ranges: [{ start: D2019, end: D2020 }] }], SETTINGS, (_, r) =>
      Math.round(1800 * weekdayCalendar.openDaysBetween(r.start, r.end)),
    );
    const budget = rowBudget({ rowCap: 6000, maxOffset: 100_000 });
    assert.ok(sim.rows.every((n) => n <= budget));
    assert.ok(sim.windows.length >= SETTINGS.concurrency, 'enough windows to keep the run busy');
    const lowerBound = Math.ceil(sim.rows.reduce((a, b) => a + b, 0) / 6000);
    assert.ok(sim.calls <= lowerBound * 1.1, `calls ${sim.calls} vs bound ${lowerBound}`);
  });

  test('with no paging (maxOffset 0), every learned window fits one page', () => {
    const settings = { ...SETTINGS, maxOffset: 0 };
    const sim = simulateAuto([{ ranges: [{ start: D2019, end: D2020 }] }], settings, (_, r) =>
      Math.round(1000 * weekdayCalendar.openDaysBetween(r.start, r.end)),
    );
    assert.ok(
      sim.rows.every((n) => n <= 6000),
      `rows: ${sim.rows.join(',')}`,
    );
  });

  test('a window that overflowed raises its stream density: later windows are smaller', () => {
    const p = new AutoPlanner([{ ranges: [{ start: dayFromParts(2000, 1, 1), end: D2020 }] }], SETTINGS);
    const probe = p.next();
    assert.ok(typeof probe === 'object');
    p.done(0, probe.range, 100); // a quiet day: the density looks low
    const big = p.next();
    assert.ok(typeof big === 'object');
    p.split(0, big.range, 2);
    const after = p.next();
    assert.ok(typeof after === 'object');
    const days = (r: DayRange) => weekdayCalendar.openDaysBetween(r.start, r.end);
    assert.ok(days(after.range) < days(big.range) / 2, `${days(after.range)} vs ${days(big.range)}`);
  });

  test('with a prior (a given or learned density) it neither probes nor waits', () => {
    const p = new AutoPlanner([{ ranges: [{ start: D2019, end: D2020 }] }], {
      ...SETTINGS,
      prior: (r) => 1800 * weekdayCalendar.openDaysBetween(r.start, r.end),
    });
    const first = p.next();
    const second = p.next();
    assert.ok(typeof first === 'object' && typeof second === 'object');
    assert.ok(weekdayCalendar.openDaysBetween(first.range.start, first.range.end) > 5, 'no one-day probe');
  });

  test('planJob: auto is online and starts with the probe; without a row cap it is the calendar rule', () => {
    const plan = planJob({ start: '20190101', end: '20201231', rowCap: 6000, maxOffset: 100_000 });
    assert.equal(plan.strategy, 'auto');
    assert.equal(plan.resolved, 'online');
    assert.ok(plan.online);
    assert.equal(plan.batches.length, 1);
    assert.equal(plan.batches[0].key, '20201231-20201231');
    const fixed = planJob({ start: '20190101', end: '20201231' });
    assert.equal(fixed.online, undefined);
    assert.equal(fixed.resolved, 'quarter');
  });
});
