/**
 * The APIs the sync demo needs: daily_basic (the rows of daily, with indicators), index_basic and
 * index_daily (ts_code required, cap 8000, from each index's listing, up to asOf). Pages tile the
 * full answer for any offset and limit.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dataset, DAILY_BASIC_FIELDS, INDEX_DAILY_FIELDS, startEmulator } from '../../src/emulator/index.js';
import { tushareApi } from '../../src/sources/tushare-catalogue.js';

describe('emulator: daily_basic, index_basic, index_daily', () => {
  const ds = dataset({ seed: 3, symbols: 30 });
  const Q = { start_date: '20230101', end_date: '20230630' };

  test('daily_basic has a row for each daily row, same codes and dates, with the catalogue key and cap', () => {
    const daily = [...ds.rows('daily', Q, 'ts_code,trade_date,close')];
    const basic = [...ds.rows('daily_basic', Q)];
    assert.equal(basic.length, daily.length);
    assert.deepEqual(
      basic.map((r) => [r[0], r[1], r[2]]),
      daily,
    );
    assert.deepEqual(ds.table('daily_basic')!.fields, [...DAILY_BASIC_FIELDS]);
    assert.equal(ds.table('daily_basic')!.cap, tushareApi('daily_basic')!.rowCap);
    for (const r of basic)
      assert.equal(r[8], Math.round(Number(r[7]) * Number(r[2]) * 100) / 100, 'total_mv = shares x close');
  });

  test('index_basic lists indexes with list dates; index_daily needs ts_code and starts at listing', () => {
    const list = [...ds.rows('index_basic', {})];
    assert.ok(list.length >= 5);
    const codes = list.map((r) => String(r[0]));
    assert.deepEqual(codes, [...codes].sort());
    assert.throws(() => ds.count('index_daily', Q), /ts_code/);
    const late = list.find((r) => r[0] === '399006.SZ')!;
    const rows = [...ds.rows('index_daily', { ts_code: '399006.SZ', start_date: '20100101', end_date: '20101231' })];
    assert.ok(rows.length > 100);
    assert.ok(
      rows.every((r) => String(r[1]) >= String(late[7])),
      'no row before the listing date',
    );
    assert.deepEqual(ds.table('index_daily')!.fields, [...INDEX_DAILY_FIELDS]);
    assert.equal(ds.table('index_daily')!.cap, tushareApi('index_daily')!.rowCap);
    // order: trade_date descending, then code
    const two = [...ds.rows('index_daily', { ts_code: '000001.SH,399001.SZ', ...Q }, 'ts_code,trade_date')];
    for (let i = 1; i < two.length; i++) {
      const [a, b] = [two[i - 1], two[i]];
      assert.ok(String(a[1]) > String(b[1]) || (a[1] === b[1] && String(a[0]) < String(b[0])));
    }
  });

  test('pages of index_daily and daily_basic tile the whole answer, for any offset and limit', () => {
    const apis = [
      ['index_daily', { ts_code: '000300.SH,000905.SH,399006.SZ', start_date: '20200101', end_date: '20201231' }],
      ['daily_basic', { start_date: '20230301', end_date: '20230310' }],
    ] as const;
    for (const [api, params] of apis) {
      const all = [...ds.rows(api, params)];
      assert.equal(ds.count(api, params), all.length);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: all.length }), fc.integer({ min: 1, max: 400 }), (offset, limit) => {
          const page = ds.page(api, params, undefined, offset, limit);
          assert.deepEqual(page.items, all.slice(offset, offset + limit));
          assert.equal(page.hasMore, offset + limit < all.length);
        }),
        { numRuns: 60 },
      );
    }
  });

  test('index_daily follows the asOf day', async () => {
    const emu = await startEmulator({ port: 0, seed: 3, symbols: 5, asOf: '20240614' });
    try {
      const params = { ts_code: '000001.SH', start_date: '20240601', end_date: '20240630' };
      const last = () => String([...emu.dataset.rows('index_daily', params, 'trade_date')][0][0]);
      assert.equal(last(), '20240614');
      emu.setAsOf('20240621');
      assert.equal(last(), '20240621');
    } finally {
      await emu.close();
    }
  });
});
