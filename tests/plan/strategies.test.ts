import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type DayRange, formatDay, parseDay, partsFromDay, weekday } from '../../src/core/dates.js';
import { SluiceError } from '../../src/core/errors.js';
import {
  type Density,
  type Strategy,
  guidePeriod,
  parseStrategy,
  periodWindows,
  rowBudget,
  smartPeriod,
  windowsFor,
} from '../../src/plan/index.js';
import { assertTiles, rangeArb } from '../helpers/tiling.js';

const r = (a: string, b: string): DayRange => ({ start: parseDay(a), end: parseDay(b) });
const show = (ws: readonly DayRange[]): string[] => ws.map((w) => `${formatDay(w.start)}-${formatDay(w.end)}`);
const plan = (name: string, range: DayRange, extra = {}): DayRange[] =>
  windowsFor(range, parseStrategy(name), extra).windows;

/** Density from a seeded pseudo-random function of the day: deterministic, 0..maxRows. */
function hashedDensity(seed: number, maxRows: number): Density {
  return { name: 'hashed', rowsOn: (d) => (Math.imul(d ^ seed, 2654435761) >>> 0) % (maxRows + 1) };
}

describe('every strategy tiles the range exactly', () => {
  const names = ['smart', 'guide', 'day', 'week', 'month', 'quarter', 'half', 'year'];
  for (const name of names) {
    test(`${name}: ordered, adjacent, clipped, for random ranges 1990-2035`, () => {
      fc.assert(
        fc.property(rangeArb(), (range) => assertTiles(range, plan(name, range))),
        { numRuns: name === 'day' ? 40 : 200 },
      );
    });
  }

  test('guide with monthly frequency (single, year, multi_year)', () => {
    fc.assert(
      fc.property(rangeArb(), (range) => assertTiles(range, plan('guide', range, { frequency: 'monthly' }))),
      { numRuns: 200 },
    );
  });

  test('days:N for random N', () => {
    fc.assert(
      fc.property(rangeArb(), fc.integer({ min: 1, max: 4000 }), (range, n) => {
        const ws = plan(`days:${n}`, range);
        assertTiles(range, ws);
        ws.slice(0, -1).forEach((w) => assert.equal(w.end - w.start + 1, n));
      }),
      { numRuns: 200 },
    );
  });

  test('rows for random densities, caps and offsets', () => {
    fc.assert(
      fc.property(
        rangeArb(3000),
        fc.integer(),
        fc.integer({ min: 0, max: 20000 }),
        fc.integer({ min: 1, max: 50000 }),
        fc.option(fc.integer({ min: 0, max: 200000 }), { nil: undefined }),
        (range, seed, maxRows, rowCap, maxOffset) => {
          const density = hashedDensity(seed, maxRows);
          const budget = rowBudget({ rowCap, maxOffset });
          const res = windowsFor(range, { kind: 'rows' }, { density, budget: { rowCap, maxOffset } });
          assertTiles(range, res.windows);
          res.windows.forEach((w, i) => {
            let sum = 0;
            let nonEmpty = 0;
            for (let d = w.start; d <= w.end; d++) {
              sum += density.rowsOn(d);
              if (density.rowsOn(d) > 0) nonEmpty++;
            }
            assert.equal(res.rows?.[i], sum);
            assert.ok(sum <= budget || nonEmpty === 1, 'within budget unless one oversized day');
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('calendar periods are real calendar periods', () => {
  const monthsPer: Record<string, number> = { month: 1, quarter: 3, half: 6, year: 12 };
  for (const [name, step] of Object.entries(monthsPer)) {
    test(`${name}: each window lies in one period and interior windows are whole periods`, () => {
      fc.assert(
        fc.property(rangeArb(), (range) => {
          const ws = plan(name, range);
          ws.forEach((w, i) => {
            const a = partsFromDay(w.start);
            const b = partsFromDay(w.end);
            const period = (p: { year: number; month: number }) => Math.floor((p.year * 12 + p.month - 1) / step);
            assert.equal(period(a), period(b), 'start and end in the same period');
            if (i > 0) assert.ok(a.day === 1 && (a.month - 1) % step === 0, 'interior windows start a period');
            if (i < ws.length - 1) assert.equal(partsFromDay(w.end + 1).day, 1, 'interior windows end a month');
          });
        }),
        { numRuns: 200 },
      );
    });
  }

  test('week: ISO weeks, Monday to Sunday', () => {
    fc.assert(
      fc.property(rangeArb(2000), (range) => {
        const ws = plan('week', range);
        ws.forEach((w, i) => {
          if (i > 0) assert.equal(weekday(w.start), 1, 'starts on Monday');
          if (i < ws.length - 1) assert.equal(weekday(w.end), 0, 'ends on Sunday');
          assert.ok(w.end - w.start <= 6);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('failure cases of a naive period planner', () => {
  test('the first partial month is kept', () => {
    assert.deepEqual(show(plan('month', r('20230115', '20230410'))), [
      '20230115-20230131',
      '20230201-20230228',
      '20230301-20230331',
      '20230401-20230410',
    ]);
  });
  test('the first partial quarter is kept', () => {
    assert.deepEqual(show(plan('quarter', r('20230215', '20231115'))), [
      '20230215-20230331',
      '20230401-20230630',
      '20230701-20230930',
      '20231001-20231115',
    ]);
  });
  test('half-years cover July and August', () => {
    assert.deepEqual(show(plan('half', r('20230601', '20240131'))), [
      '20230601-20230630',
      '20230701-20231231',
      '20240101-20240131',
    ]);
    assert.deepEqual(show(plan('half', r('20230101', '20231231'))), ['20230101-20230630', '20230701-20231231']);
    assert.deepEqual(show(plan('half', r('20230715', '20230820'))), ['20230715-20230820']);
  });
  test('the contract example: smart over 20230115..20240620 gives six quarters, clipped', () => {
    assert.deepEqual(show(plan('smart', r('20230115', '20240620'))), [
      '20230115-20230331',
      '20230401-20230630',
      '20230701-20230930',
      '20231001-20231231',
      '20240101-20240331',
      '20240401-20240620',
    ]);
  });
  test('weeks, days:N and single days', () => {
    assert.deepEqual(show(plan('week', r('20240103', '20240115'))), [
      '20240103-20240107',
      '20240108-20240114',
      '20240115-20240115',
    ]);
    assert.deepEqual(show(plan('days:10', r('20230101', '20230125'))), [
      '20230101-20230110',
      '20230111-20230120',
      '20230121-20230125',
    ]);
    assert.deepEqual(show(plan('day', r('20231231', '20240101'))), ['20231231-20231231', '20240101-20240101']);
  });
});

describe('smart and guide thresholds', () => {
  test('smart: 31 days single, then months <= 3, quarters <= 24, half-years <= 120, else years', () => {
    assert.equal(smartPeriod(r('20230101', '20230201')), 'single');
    assert.equal(smartPeriod(r('20230101', '20230202')), 'month');
    assert.equal(smartPeriod(r('20230101', '20230430')), 'month');
    assert.equal(smartPeriod(r('20230101', '20230501')), 'quarter');
    assert.equal(smartPeriod(r('20230101', '20250131')), 'quarter');
    assert.equal(smartPeriod(r('20230101', '20250201')), 'half');
    assert.equal(smartPeriod(r('20100101', '20200131')), 'half');
    assert.equal(smartPeriod(r('20100101', '20200201')), 'year');
  });
  test('guide daily: <= 31 single, <= 365 monthly, <= 1825 quarterly, else yearly (span = end - start)', () => {
    assert.equal(guidePeriod(r('20230101', '20230201')), 'single');
    assert.equal(guidePeriod(r('20230101', '20230202')), 'month');
    assert.equal(guidePeriod(r('20230101', '20240101')), 'month');
    assert.equal(guidePeriod(r('20230101', '20240102')), 'quarter');
    assert.equal(guidePeriod(r('20200101', '20241230')), 'quarter');
    assert.equal(guidePeriod(r('20200101', '20241231')), 'year');
  });
  test('guide monthly: <= 365 single, <= 1825 yearly, else 5-year windows aligned to 1990, 1995, ...', () => {
    assert.equal(guidePeriod(r('20230101', '20240101'), 'monthly'), 'single');
    assert.equal(guidePeriod(r('20230101', '20240102'), 'monthly'), 'year');
    assert.equal(guidePeriod(r('20200101', '20241231'), 'monthly'), 'multi_year');
    assert.deepEqual(show(periodWindows(r('19920301', '20030615'), 'multi_year')), [
      '19920301-19941231',
      '19950101-19991231',
      '20000101-20030615',
    ]);
  });
});

describe('parsing strategy names', () => {
  test('known names parse; days:N needs a whole N >= 1', () => {
    assert.deepEqual(parseStrategy(undefined), { kind: 'auto' } satisfies Strategy);
    assert.deepEqual(parseStrategy('smart'), { kind: 'smart' } satisfies Strategy);
    assert.deepEqual(parseStrategy('days:7'), { kind: 'days', days: 7 });
    assert.deepEqual(parseStrategy('quarter'), { kind: 'period', period: 'quarter' });
    for (const bad of ['days:0', 'days:', 'days:1.5', 'days:-3', 'hourly', 'single', 'multi_year']) {
      assert.throws(
        () => parseStrategy(bad, '--strategy'),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE' && e.message.startsWith('--strategy: '),
        bad,
      );
    }
  });
  test('rows without a density or a cap is a usage error', () => {
    const range = r('20230101', '20230110');
    assert.throws(() => windowsFor(range, { kind: 'rows' }, {}), /needs a row density/);
    assert.throws(() => windowsFor(range, { kind: 'rows' }, { density: hashedDensity(1, 5) }), /needs a row cap/);
  });
});
