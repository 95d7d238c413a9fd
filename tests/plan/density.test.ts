import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDay } from '../../src/core/dates.js';
import { SluiceError } from '../../src/core/errors.js';
import {
  calendarFromDays,
  constantDensity,
  densityFromDays,
  densityFromHistory,
  everyDayCalendar,
  loadDensity,
  weekdayCalendar,
} from '../../src/plan/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-density-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const d = parseDay;

describe('densities', () => {
  test('constant density counts open days only', () => {
    const density = constantDensity(100);
    assert.equal(density.rowsOn(d('20240106')), 0);
    assert.equal(density.rowsOn(d('20240108')), 100);
    assert.equal(constantDensity(7, everyDayCalendar).rowsOn(d('20240106')), 7);
    assert.throws(
      () => constantDensity(-1),
      (e: unknown) => e instanceof SluiceError && e.code === 'SLUICE_USAGE',
    );
  });

  test('per-day rows: missing days inside the span are 0, open days outside get the average per open day', () => {
    const map = new Map([
      [d('20240102'), 100],
      [d('20240104'), 300],
    ]);
    const density = densityFromDays(map, weekdayCalendar);
    assert.equal(density.rowsOn(d('20240103')), 0);
    assert.equal(density.rowsOn(d('20240104')), 300);
    assert.equal(density.rowsOn(d('20240110')), 400 / 3); // 3 open days in 0102..0104
    assert.equal(density.rowsOn(d('20240113')), 0); // Saturday
  });

  test('density files: CSV with and without header, JSON map, array and {fields, items}', () => {
    const csv = loadDensity(file('a.csv', 'trade_date,rows\n20240102,10\n20240103,20\n'));
    assert.equal(csv.rowsOn(d('20240103')), 20);
    assert.equal(loadDensity(file('b.csv', '2024-01-02 10\n2024-01-03 30\n')).rowsOn(d('20240103')), 30);
    assert.equal(loadDensity(file('c.json', '{"20240102": 5, "20240103": 6}')).rowsOn(d('20240103')), 6);
    assert.equal(loadDensity(file('d.json', '[{"date": "20240102", "rows": 7}]')).rowsOn(d('20240102')), 7);
    assert.equal(
      loadDensity(file('e.json', '{"fields": ["trade_date", "count"], "items": [["20240102", 8]]}')).rowsOn(
        d('20240102'),
      ),
      8,
    );
  });

  test('bad density files name the flag, the file and the line', () => {
    assert.throws(
      () => loadDensity(file('bad.csv', 'date,rows\n20240102,-5\n')),
      /--density .*bad\.csv: line 2: expected a row count >= 0, got "-5"/,
    );
    assert.throws(
      () => loadDensity(file('norows.txt', '20240102\n')),
      /norows\.txt: line 1: expected a row count >= 0, got null/,
    );
    assert.throws(
      () => loadDensity(file('bad.json', '{"2024-13-01": 3}')),
      /bad\.json: key 2024-13-01: "2024-13-01" is not a date/,
    );
  });
});

describe('densityFromHistory', () => {
  test('spreads each record over its open days and averages overlaps', () => {
    const density = densityFromHistory([
      { start: '20240101', end: '20240107', rows: 500 }, // 5 weekdays -> 100/day
      { start: '2024-01-03', end: '2024-01-03', rows: 300 }, // overlaps Wednesday -> (100 + 300) / 2
    ]);
    assert.ok(density);
    assert.equal(density.rowsOn(d('20240102')), 100);
    assert.equal(density.rowsOn(d('20240103')), 200);
    assert.equal(density.rowsOn(d('20240106')), 0); // Saturday
    assert.equal(density.rowsOn(d('20240301')), 800 / 6); // uncovered open day: overall average per open day
  });

  test('ignores unusable records and returns undefined when none is usable', () => {
    assert.equal(densityFromHistory([]), undefined);
    assert.equal(densityFromHistory([{ start: '20240106', end: '20240107', rows: 10 }]), undefined); // a weekend
    assert.equal(
      densityFromHistory([
        { start: 'x', end: '20240107', rows: 10 },
        { start: '20240105', end: '20240101', rows: 1 },
      ]),
      undefined,
    );
    const density = densityFromHistory([
      { start: d('20240102'), end: d('20240102'), rows: 40 },
      { start: '20240103', end: '20240103', rows: -1 },
    ]);
    assert.equal(density?.rowsOn(d('20240103')), 40);
  });

  test('uses the given calendar', () => {
    const cal = calendarFromDays([d('20240102')], { first: d('20240101'), last: d('20240105') });
    const density = densityFromHistory([{ start: '20240101', end: '20240105', rows: 90 }], cal);
    assert.equal(density?.rowsOn(d('20240102')), 90);
    assert.equal(density?.rowsOn(d('20240103')), 0);
  });
});
