import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dayFromParts, formatDay, parseDay, weekday } from '../../src/core/dates.js';
import { checksum, dataset, DAILY_FIELDS, tradingCalendar } from '../../src/emulator/index.js';

const Q1 = { start_date: '20230101', end_date: '20230331' };

describe('trading calendar', () => {
  const cal = tradingCalendar();

  test('weekends and the fixed holidays are closed; ordinary weekdays are open', () => {
    for (let d = dayFromParts(2020, 1, 1); d <= dayFromParts(2024, 12, 31); d++) {
      if (weekday(d) === 0 || weekday(d) === 6) assert.equal(cal.isOpen(d), false, formatDay(d));
    }
    assert.equal(cal.isOpen(parseDay('20240101')), false);
    assert.equal(cal.isOpen(parseDay('20231002')), false); // national day week
    assert.equal(cal.isOpen(parseDay('20240501')), false);
    assert.equal(cal.isOpen(parseDay('20240311')), true); // a Monday in March
  });

  test('a year has a plausible number of open days and index lookups agree with isOpen', () => {
    const y2023 = cal.openDatesBetween(parseDay('20230101'), parseDay('20231231'));
    assert.ok(y2023.length > 230 && y2023.length < 252, String(y2023.length));
    for (const text of y2023.slice(0, 50)) assert.equal(cal.isOpen(parseDay(text)), true);
    const d = parseDay('20230105');
    assert.equal(cal.openDays[cal.firstIndexFrom(d)], d);
    assert.equal(cal.openDays[cal.lastIndexUpTo(parseDay('20230108'))], parseDay('20230106'));
  });
});

describe('dataset determinism and order', () => {
  test('the same seed gives the same rows; another seed gives other rows', () => {
    const a = [...dataset({ seed: 7, symbols: 20 }).rows('daily', Q1)];
    const b = [...dataset({ seed: 7, symbols: 20, dailyRowCap: 5000 }).rows('daily', Q1)];
    const c = [...dataset({ seed: 8, symbols: 20 }).rows('daily', Q1)];
    assert.ok(a.length > 500);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(checksum(a).sum, checksum(b).sum);
    assert.notEqual(checksum(a).sum, checksum(c).sum);
  });

  test('daily rows are ordered by trade_date descending then ts_code ascending, keys unique', () => {
    const rows = [...dataset({ seed: 1, symbols: 30 }).rows('daily', Q1)];
    const keys = new Set<string>();
    for (let i = 1; i < rows.length; i++) {
      const [pc, pd] = rows[i - 1] as [string, string];
      const [c, d] = rows[i] as [string, string];
      assert.ok(pd > d || (pd === d && pc < c), `${pc} ${pd} before ${c} ${d}`);
    }
    for (const r of rows) keys.add(`${r[0]}|${r[1]}`);
    assert.equal(keys.size, rows.length);
  });

  test('rows only fall on open days, within listing, with consistent prices', () => {
    const ds = dataset({ seed: 3, symbols: 60 });
    const rows = [...ds.rows('daily', { start_date: '20150101', end_date: '20151231' })];
    for (const r of rows) {
      const [code, date, open, high, low, close, pre, change, , vol] = r as [
        string,
        string,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const day = parseDay(date);
      const s = ds.universe.indexOf(code);
      assert.ok(ds.calendar.isOpen(day));
      assert.ok(ds.universe.isListed(s, day), `${code} not listed on ${date}`);
      assert.ok(high >= Math.max(open, close) && low <= Math.min(open, close) && low > 0, JSON.stringify(r));
      assert.equal(change, Math.round((close - pre) * 100) / 100);
      assert.ok(vol > 0);
    }
    const openDays = ds.calendar.openDatesBetween(parseDay('20150101'), parseDay('20151231')).length;
    const listed = (day: number) =>
      Array.from({ length: 60 }, (_v, s) => s).filter((s) => ds.universe.isListed(s, day)).length;
    let possible = 0;
    for (const text of ds.calendar.openDatesBetween(parseDay('20150101'), parseDay('20151231')))
      possible += listed(parseDay(text));
    assert.ok(openDays > 200);
    assert.ok(rows.length < possible, 'suspensions remove some rows');
    assert.ok(rows.length > possible * 0.95, 'but only a few');
  });

  test('the universe has late listings and delistings, and stock_basic reports them', () => {
    const ds = dataset({ seed: 42, symbols: 200 });
    const listed = [...ds.rows('stock_basic', {})];
    const delisted = [...ds.rows('stock_basic', { list_status: 'D' })];
    const paused = [...ds.rows('stock_basic', { list_status: 'P' })];
    // every code is in exactly one of the three lists, each row saying its own status
    assert.equal(listed.length + delisted.length + paused.length, 200);
    assert.ok(paused.length > 0 && paused.length < 20);
    for (const [list, status] of [
      [listed, 'L'],
      [delisted, 'D'],
      [paused, 'P'],
    ] as const) {
      for (const r of list) assert.equal(r[4], status);
    }
    for (const r of paused) assert.equal(r[6], null);
    assert.ok(delisted.length > 0 && delisted.length < 40);
    for (const r of delisted) assert.match(String(r[6]), /^\d{8}$/);
    assert.ok(listed.some((r) => String(r[5]) > '20100101'));
  });

  test('the fields parameter picks and orders columns; an unknown field is refused', () => {
    const ds = dataset({ seed: 42, symbols: 10 });
    const page = ds.page('daily', Q1, 'close,ts_code', 0, 5);
    assert.deepEqual(page.fields, ['close', 'ts_code']);
    const full = ds.page('daily', Q1, '', 0, 5);
    assert.deepEqual(full.fields, [...DAILY_FIELDS]);
    assert.deepEqual(
      page.items.map((r) => [r[1], r[0]]),
      full.items.map((r) => [r[0], r[5]]),
    );
    assert.throws(() => ds.page('daily', Q1, 'close,nope', 0, 5), /nope/);
  });

  test('any page equals the matching slice of the full row list, and has_more is exact', () => {
    const ds = dataset({ seed: 5, symbols: 12 });
    const params = { start_date: '20220101', end_date: '20220301' };
    const all = [...ds.rows('daily', params)];
    assert.equal(ds.count('daily', params), all.length);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length + 10 }), fc.integer({ min: 1, max: 400 }), (offset, limit) => {
        const page = ds.page('daily', params, undefined, offset, limit);
        assert.deepEqual(page.items, all.slice(offset, offset + limit));
        assert.equal(page.hasMore, offset + limit < all.length);
      }),
      { numRuns: 80 },
    );
  });

  test('ts_code and trade_date filters select the same rows as filtering the full set', () => {
    const ds = dataset({ seed: 9, symbols: 25 });
    const all = [...ds.rows('daily', Q1)];
    const one = [...ds.rows('daily', { ...Q1, ts_code: '000003.SZ,600001.SH' })];
    assert.deepEqual(
      one,
      all.filter((r) => r[0] === '000003.SZ' || r[0] === '600001.SH'),
    );
    const day = [...ds.rows('daily', { trade_date: '20230315' })];
    assert.deepEqual(
      day,
      all.filter((r) => r[1] === '20230315'),
    );
    assert.throws(() => ds.count('daily', { start_date: '2023-01-01' }), /start_date/);
  });

  test('the daily cap clamps a page', () => {
    const ds = dataset({ seed: 42, symbols: 50, dailyRowCap: 100 });
    assert.equal(ds.page('daily', Q1, undefined, 0, 6000).items.length, 100);
  });
});

describe('other APIs', () => {
  const ds = dataset({ seed: 42, symbols: 40 });

  test('fina_indicator is sparse, capped at 100, ordered by ts_code then end_date descending', () => {
    const rows = [...ds.rows('fina_indicator', { ts_code: '000001.SZ' })];
    const quarters = rows.map((r) => String(r[2]));
    assert.deepEqual(quarters, [...quarters].sort().reverse());
    const listQuarters = Math.floor(((20261231 - Number(ds.universe.listDate(0))) / 10000) * 4);
    assert.ok(rows.length > 0 && rows.length < listQuarters + 4);
    const all = { ts_code: ds.universe.codes.join(',') };
    assert.equal(ds.page('fina_indicator', all, undefined, 0, 6000).items.length, 100);
    for (const r of rows) assert.ok(String(r[1]) > String(r[2]), 'announced after the quarter ends');
  });

  test('fina_indicator: ts_code required; start/end select report periods; ann_date one announcement day', () => {
    assert.throws(() => ds.count('fina_indicator', {}), /ts_code/);
    const code = '000001.SZ';
    const year = [...ds.rows('fina_indicator', { ts_code: code, start_date: '20200101', end_date: '20201231' })];
    assert.ok(year.length > 0 && year.length <= 4);
    for (const r of year) assert.ok(String(r[2]) >= '20200101' && String(r[2]) <= '20201231', 'end_date in range');
    const one = year[0];
    const byAnn = [...ds.rows('fina_indicator', { ts_code: code, ann_date: String(one[1]) })];
    assert.ok(byAnn.some((r) => r[2] === one[2]));
    for (const r of byAnn) assert.equal(r[1], one[1]);
    assert.deepEqual([...ds.rows('fina_indicator', { ts_code: code, period: String(one[2]) })], [one]);
  });

  test('trade_cal lists every day descending with is_open and the previous open day', () => {
    const rows = [...ds.rows('trade_cal', { start_date: '20240101', end_date: '20240110' })];
    assert.deepEqual(
      rows.map((r) => r[1]),
      [
        '20240110',
        '20240109',
        '20240108',
        '20240107',
        '20240106',
        '20240105',
        '20240104',
        '20240103',
        '20240102',
        '20240101',
      ],
    );
    const byDate = new Map(rows.map((r) => [r[1], r]));
    assert.equal(byDate.get('20240106')?.[2], 0);
    assert.equal(byDate.get('20240108')?.[2], 1);
    assert.equal(byDate.get('20240108')?.[3], '20240105');
    const open = [...ds.rows('trade_cal', { start_date: '20240101', end_date: '20240110', is_open: '1' })];
    assert.ok(open.every((r) => r[2] === 1) && open.length === rows.filter((r) => r[2] === 1).length);
  });
});

describe('checksum', () => {
  test('does not depend on row order and changes with any value', () => {
    const rows = [...dataset({ seed: 2, symbols: 8 }).rows('daily', Q1)];
    const base = checksum(rows);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: rows.length, maxLength: rows.length }), (keys) => {
        const shuffled = rows
          .map((r, i) => ({ r, k: keys[i] }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.r);
        assert.deepEqual(checksum(shuffled), base);
      }),
      { numRuns: 20 },
    );
    const changed = rows.map((r, i) => (i === 17 ? [...r.slice(0, 5), (r[5] as number) + 0.01, ...r.slice(6)] : r));
    assert.notEqual(checksum(changed).sum, base.sum);
    assert.notEqual(checksum(rows.slice(1)).sum, base.sum);
    assert.equal(base.count, rows.length);
    assert.match(base.sum, /^[0-9a-f]{16}$/);
  });

  test('nulls and numbers read back from a database format as the generator does', () => {
    assert.deepEqual(checksum([['a', null, 12, 1.5]]), checksum([['a', undefined, 12.0, 1.5]]));
    assert.notDeepEqual(checksum([['a', '', 1]]), checksum([['a', 1, '']]));
  });
});
