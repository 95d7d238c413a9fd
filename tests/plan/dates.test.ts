import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  addMonthsToMonthStart,
  dayFromParts,
  daysInMonth,
  detectFormat,
  formatDay,
  isLeapYear,
  monthsBetween,
  parseDay,
  parseRange,
  partsFromDay,
  today,
  weekday,
} from '../../src/core/dates.js';
import { SluiceError } from '../../src/core/errors.js';
import { civilFromDay, formatDayFast } from '../../src/plan/format.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SluiceError ? e.code : 'not-a-sluice-error';
  }
  return undefined;
}

describe('dates', () => {
  test('day 0 is 1970-01-01 and parse/format round-trip in both formats', () => {
    assert.equal(parseDay('19700101'), 0);
    assert.equal(parseDay('1970-01-02'), 1);
    assert.equal(formatDay(0), '19700101');
    assert.equal(formatDay(parseDay('2024-02-29'), 'dashed'), '2024-02-29');
    assert.equal(formatDay(parseDay('19691231')), '19691231');
    assert.equal(parseDay('19691231'), -1);
  });

  test('parse and format are inverse for every day 1900..2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: dayFromParts(1900, 1, 1), max: dayFromParts(2100, 12, 31) }), (d) => {
        assert.equal(parseDay(formatDay(d)), d);
        assert.equal(parseDay(formatDay(d, 'dashed')), d);
        const p = partsFromDay(d);
        assert.equal(dayFromParts(p.year, p.month, p.day), d);
      }),
    );
  });

  test('impossible dates and garbage are refused with SLUICE_BAD_DATE naming the label', () => {
    for (const bad of [
      '20230230',
      '20230229',
      '20231301',
      '20230000',
      '2023-02-30',
      '00000101',
      'soon',
      '2023011',
      '2023/01/01',
      '',
    ]) {
      assert.equal(
        codeOf(() => parseDay(bad)),
        'SLUICE_BAD_DATE',
        bad,
      );
    }
    assert.throws(
      () => parseDay('20230230', '--start'),
      /^SluiceError: --start: "20230230" is not a real calendar date$/,
    );
    assert.throws(() => parseDay('x', '--end'), /--end: expected a date as YYYYMMDD or YYYY-MM-DD, got "x"/);
    assert.equal(
      codeOf(() => parseDay('20240229')),
      undefined,
    );
  });

  test('leap years and month lengths', () => {
    assert.equal(isLeapYear(2000), true);
    assert.equal(isLeapYear(1900), false);
    assert.equal(isLeapYear(2024), true);
    assert.equal(isLeapYear(2023), false);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m)),
      [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    );
    assert.equal(daysInMonth(2024, 2), 29);
  });

  test('detectFormat tells the two formats apart', () => {
    assert.equal(detectFormat('20230115'), 'compact');
    assert.equal(detectFormat('2023-01-15'), 'dashed');
    assert.equal(detectFormat('2023-0115'), undefined);
  });

  test('weekday: 1970-01-01 was a Thursday, 2024-01-01 a Monday, and days before 1970 work', () => {
    assert.equal(weekday(0), 4);
    assert.equal(weekday(parseDay('20240101')), 1);
    assert.equal(weekday(parseDay('19691228')), 0);
    fc.assert(
      fc.property(fc.integer({ min: -30000, max: 30000 }), (d) => {
        assert.equal(weekday(d), new Date(d * 86_400_000).getUTCDay());
      }),
    );
  });

  test('addMonthsToMonthStart and monthsBetween count calendar months', () => {
    assert.equal(formatDay(addMonthsToMonthStart(parseDay('20230115'), 1)), '20230201');
    assert.equal(formatDay(addMonthsToMonthStart(parseDay('20231231'), 1)), '20240101');
    assert.equal(formatDay(addMonthsToMonthStart(parseDay('20230115'), -13)), '20211201');
    assert.equal(monthsBetween(parseDay('20230115'), parseDay('20230314')), 2);
    assert.equal(monthsBetween(parseDay('20230131'), parseDay('20230201')), 1);
    assert.equal(monthsBetween(parseDay('20230115'), parseDay('20240620')), 17);
  });

  test('parseRange: inclusive, answers in the start format, refuses start > end, accepts today', () => {
    const r = parseRange('2023-01-15', '20230120');
    assert.deepEqual(r, { start: parseDay('20230115'), end: parseDay('20230120'), format: 'dashed' });
    assert.equal(parseRange('20230115', '20230115').start, parseRange('20230115', '20230115').end);
    assert.throws(
      () => parseRange('20230102', '20230101', { start: '--start', end: '--end' }),
      (e: unknown) =>
        e instanceof SluiceError &&
        e.code === 'SLUICE_BAD_DATE' &&
        /--start 20230102 is after --end 20230101/.test(e.message),
    );
    assert.equal(parseRange('20000101', 'today').end, today());
  });

  test('today is the UTC day of a given clock', () => {
    assert.equal(today(Date.UTC(2024, 0, 1, 23, 59)), parseDay('20240101'));
    assert.equal(today(Date.UTC(2024, 0, 2, 0, 0)), parseDay('20240102'));
  });

  test("the planner's fast formatter agrees with formatDay on every day from year 1000 to 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: dayFromParts(1000, 1, 1), max: dayFromParts(9999, 12, 31) }), (d) => {
        assert.equal(formatDayFast(d), formatDay(d));
        assert.equal(formatDayFast(d, 'dashed'), formatDay(d, 'dashed'));
      }),
      { numRuns: 2000 },
    );
    for (let d = dayFromParts(1999, 12, 1); d <= dayFromParts(2001, 3, 31); d++)
      assert.equal(formatDayFast(d), formatDay(d));
    assert.deepEqual(civilFromDay(parseDay('20240229')), [2024, 2, 29]);
  });
});

test('years below 100 are not mistaken for 19xx', async () => {
  const { parseDay, formatDay } = await import('../../src/core/dates.js');
  assert.equal(formatDay(parseDay('00500101')), '00500101');
  assert.equal(formatDay(parseDay('0004-02-29'), 'dashed'), '0004-02-29');
});
