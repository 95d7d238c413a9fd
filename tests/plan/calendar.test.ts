import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDay, weekday } from '../../src/core/dates.js';
import { SluiceError } from '../../src/core/errors.js';
import { type Calendar, calendarFromDays, loadCalendar, weekdayCalendar } from '../../src/plan/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cal-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function bruteCount(cal: Calendar, a: number, b: number): number {
  let n = 0;
  for (let d = a; d <= b; d++) if (cal.isOpen(d)) n++;
  return n;
}
const d = parseDay;

describe('weekday calendar', () => {
  test('Monday to Friday are open', () => {
    assert.equal(weekdayCalendar.isOpen(d('20240106')), false); // Saturday
    assert.equal(weekdayCalendar.isOpen(d('20240107')), false); // Sunday
    assert.equal(weekdayCalendar.isOpen(d('20240108')), true);
    assert.equal(weekdayCalendar.openDaysBetween(d('20240101'), d('20240131')), 23);
    assert.equal(weekdayCalendar.openDaysBetween(d('20240102'), d('20240101')), 0);
  });
  test('openDaysBetween matches counting day by day (also before 1970)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8000, max: 25000 }), fc.integer({ min: 0, max: 400 }), (a, len) => {
        assert.equal(weekdayCalendar.openDaysBetween(a, a + len), bruteCount(weekdayCalendar, a, a + len));
        assert.equal(weekdayCalendar.isOpen(a), weekday(a) !== 0 && weekday(a) !== 6);
      }),
      { numRuns: 300 },
    );
  });
});

describe('calendar from explicit days', () => {
  test('prefix sums agree with isOpen inside, across and outside the covered span', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 19000, max: 19400 }), { maxLength: 200 }),
        fc.integer({ min: 18800, max: 19600 }),
        fc.integer({ min: 0, max: 500 }),
        (open, a, len) => {
          const cal = calendarFromDays(open, { first: 19000, last: 19400 });
          for (const o of open) assert.equal(cal.isOpen(o), true);
          assert.equal(cal.openDaysBetween(a, a + len), bruteCount(cal, a, a + len));
        },
      ),
      { numRuns: 200 },
    );
  });
  test('days in the span but not listed are closed; outside the span weekdays apply', () => {
    const cal = calendarFromDays([d('20240102'), d('20240103')], { first: d('20240101'), last: d('20240105') });
    assert.equal(cal.isOpen(d('20240101')), false); // holiday, listed as closed by the span
    assert.equal(cal.isOpen(d('20240104')), false);
    assert.equal(cal.isOpen(d('20240108')), true); // Monday after the span
    assert.equal(cal.openDaysBetween(d('20240101'), d('20240112')), 2 + 5);
  });
});

describe('loadCalendar', () => {
  const jan = ['20240102', '20240103', '20240104', '20240105', '20240108'];
  test('one date per line, blank lines and comments skipped, either date format', () => {
    const cal = loadCalendar(file('lines.txt', `# SSE\n20240102\n2024-01-03\n\n20240104\n20240105\n20240108\n`));
    assert.equal(cal.openDaysBetween(d('20240102'), d('20240108')), 5);
    assert.equal(cal.isOpen(d('20240106')), false); // Saturday inside the span
    assert.equal(cal.isOpen(d('20240101')), true); // before the listed span: the weekday fallback applies
  });
  test('trade_cal CSV with is_open and several columns', () => {
    const csv =
      'exchange,cal_date,is_open,pretrade_date\nSSE,20240101,0,20231229\n' +
      jan.map((x) => `SSE,${x},1,`).join('\n') +
      '\nSSE,20240106,0,\nSSE,20240107,0,\n';
    const cal = loadCalendar(file('cal.csv', csv));
    assert.equal(cal.isOpen(d('20240101')), false);
    assert.equal(cal.isOpen(d('20240102')), true);
    assert.equal(cal.openDaysBetween(d('20240101'), d('20240108')), 5);
  });
  test('trade_cal JSON as an array of objects and as Tushare {fields, items}', () => {
    const objects = [{ cal_date: '20240101', is_open: 0 }, ...jan.map((x) => ({ cal_date: x, is_open: '1' }))];
    assert.equal(
      loadCalendar(file('a.json', JSON.stringify(objects))).openDaysBetween(d('20240101'), d('20240108')),
      5,
    );
    const tushare = {
      code: 0,
      data: {
        fields: ['exchange', 'cal_date', 'is_open'],
        items: [['SSE', '20240101', 0], ...jan.map((x) => ['SSE', x, 1])],
      },
    };
    const cal = loadCalendar(file('b.json', JSON.stringify(tushare)));
    assert.equal(cal.isOpen(d('20240101')), false);
    assert.equal(cal.openDaysBetween(d('20240101'), d('20240108')), 5);
    assert.equal(
      loadCalendar(file('c.json', JSON.stringify(tushare.data))).openDaysBetween(d('20240101'), d('20240108')),
      5,
    );
  });
  test('bad files are SLUICE_USAGE naming the flag, the file and the line', () => {
    const cases: [string, string, RegExp][] = [
      ['bad-line.txt', '20240102\n20240230\n', /--calendar .*bad-line\.txt: line 2: "20240230" is not a date/],
      ['bad-open.csv', 'cal_date,is_open\n20240102,maybe\n', /bad-open\.csv: line 2: is_open must be 1 or 0/],
      ['bad.json', '[{"cal_date": "x"}]', /bad\.json: item 1: "x" is not a date/],
      ['broken.json', '{"fields": [', /broken\.json: not valid JSON/],
      ['empty.txt', '\n# nothing\n', /empty\.txt: no dates/],
      ['no-date-col.csv', 'exchange,open\nSSE,1\n', /no-date-col\.csv: line 1: header has no date column/],
    ];
    for (const [name, text, re] of cases) {
      const path = file(name, text);
      assert.throws(
        () => loadCalendar(path),
        (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE' && re.test(e.message),
        name,
      );
    }
    assert.throws(
      () => loadCalendar(join(dir, 'missing.txt')),
      /--calendar: cannot read ".*missing\.txt": no such file/,
    );
  });
});
