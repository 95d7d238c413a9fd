import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { columnKindsOf, documentedRowCap, tushareApi, tushareApis } from '../../src/sources/tushare-catalogue.js';
import { runCli } from '../helpers/e2e.js';

/** The APIs issue 9 asks the catalogue to hold at least. */
const REQUIRED = [
  'stock_basic',
  'trade_cal',
  'daily',
  'weekly',
  'monthly',
  'adj_factor',
  'daily_basic',
  'moneyflow',
  'stk_limit',
  'suspend_d',
  'income',
  'balancesheet',
  'cashflow',
  'fina_indicator',
  'forecast',
  'express',
  'dividend',
  'top10_holders',
  'index_basic',
  'index_daily',
  'index_weight',
  'fund_basic',
  'fund_nav',
  'fut_daily',
  'opt_daily',
  'margin_detail',
  'hk_daily',
  'us_daily',
  'cb_daily',
];

describe('the Tushare API catalogue', () => {
  test('holds every API the issue lists, each with a key and a date meaning', () => {
    for (const name of REQUIRED) {
      const a = tushareApi(name);
      assert.ok(a, `${name} is catalogued`);
      assert.ok(a.key.length > 0, `${name} has a key`);
    }
    assert.equal(tushareApis().length, new Set(tushareApis().map((a) => a.name)).size, 'names are unique');
  });

  test('documented caps are trusted, unconfirmed and unknown ones are not', () => {
    assert.equal(documentedRowCap('daily'), 6000);
    assert.equal(documentedRowCap('fina_indicator'), 100);
    assert.equal(documentedRowCap('monthly'), 4500);
    assert.equal(documentedRowCap('stk_limit'), 5800);
    assert.equal(documentedRowCap('index_daily'), undefined, 'only copies of the page say 8000');
    assert.equal(documentedRowCap('adj_factor'), undefined, 'no published cap');
    assert.equal(documentedRowCap('nope'), undefined);
  });

  test('what a mirror needs: reference data, the row date, the code rule', () => {
    for (const name of ['stock_basic', 'trade_cal', 'index_basic', 'fund_basic'])
      assert.equal(tushareApi(name)?.reference, true);
    assert.equal(tushareApi('daily')?.reference, false);
    assert.equal(tushareApi('fina_indicator')?.dateMeaning, 'report-period');
    assert.equal(tushareApi('fina_indicator')?.rowDate, 'end_date');
    assert.equal(tushareApi('income')?.dateMeaning, 'announcement-date');
    assert.deepEqual(tushareApi('index_weight')?.code, { param: 'index_code', rule: 'required' });
    assert.equal(tushareApi('dividend')?.dateParams, undefined);
  });

  test('column kinds: integer columns and text dates', () => {
    assert.deepEqual(columnKindsOf('trade_cal'), { cal_date: 'text', pretrade_date: 'text', is_open: 'integer' });
    assert.deepEqual(columnKindsOf('daily'), { trade_date: 'text' });
    assert.equal(columnKindsOf('nope'), undefined);
  });
});

describe('sluice apis', () => {
  test('lists the catalogue, shows one API, and prints JSON', async () => {
    const list = await runCli(['apis']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /fina_indicator\s+100\s+report-period\s+required/);
    assert.match(list.stdout, /adj_factor\s+unknown \(detected\)/);
    const one = await runCli(['apis', 'index_daily']);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /row cap\s+8000 \(unconfirmed\)/);
    const json = await runCli(['apis', '--json']);
    const all = JSON.parse(json.stdout) as { name: string }[];
    assert.ok(REQUIRED.every((n) => all.some((a) => a.name === n)));
    assert.equal(JSON.parse((await runCli(['apis', 'daily', '--json'])).stdout).rowCap, 6000);
    const bad = await runCli(['apis', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"nope" is not in the catalogue/);
  });
});
