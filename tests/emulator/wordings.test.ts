/**
 * The emulator answers in the real server's wordings: rate limits in the current or the classic
 * wording, a used-up daily quota, the generic 50101, transient trouble under other codes, per-API
 * caps, a server that never sends has_more, and fina_indicator's required ts_code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { classifyAnswer } from '../../src/sources/tushare-codes.js';

interface Raw {
  code: number;
  msg: string;
  data: { fields: string[]; items: unknown[][]; has_more?: boolean } | null;
}

async function withEmu(
  opts: EmulatorOptions,
  fn: (ask: (api: string, params?: object) => Promise<Raw>) => Promise<void>,
) {
  const emu = await startEmulator({ port: 0, symbols: 20, ...opts });
  const ask = async (api: string, params: object = {}): Promise<Raw> => {
    const res = await fetch(emu.url, {
      method: 'POST',
      body: JSON.stringify({ api_name: api, token: emu.token, params, fields: '' }),
    });
    return (await res.json()) as Raw;
  };
  try {
    await fn(ask);
  } finally {
    await emu.close();
  }
}

describe('emulator wordings', () => {
  test('rate limits: the current wording by default, the classic one on request', async () => {
    const rate = { calls: 1, intervalMs: 60_000, window: 'fixed' as const };
    await withEmu({ rate, now: () => 60_000 }, async (ask) => {
      await ask('stock_basic');
      const r = await ask('stock_basic');
      assert.equal(r.code, 40203);
      assert.match(r.msg, /^抱歉，您访问接口\(stock_basic\)频率超限\(1次\/分钟\)/);
      assert.deepEqual(classifyAnswer(r.code, r.msg), { kind: 'rate-limit', quota: { calls: 1, intervalMs: 60_000 } });
    });
    await withEmu({ rate, now: () => 60_000, quotaWording: 'classic' }, async (ask) => {
      await ask('stock_basic');
      assert.match((await ask('stock_basic')).msg, /^抱歉，您每分钟最多访问该接口1次/);
    });
  });

  test('a daily quota: refused with the daily wording until midnight China time', async () => {
    let now = Date.UTC(2024, 4, 1, 15, 0); // 23:00 in China
    await withEmu({ dailyQuota: 2, now: () => now }, async (ask) => {
      assert.equal((await ask('stock_basic')).code, 0);
      assert.equal((await ask('stock_basic')).code, 0);
      const r = await ask('stock_basic');
      assert.equal(r.code, 40203);
      assert.match(r.msg, /频率超限\(2次\/天\)/);
      assert.equal(classifyAnswer(r.code, r.msg).kind, 'quota-exhausted');
      assert.equal((await ask('daily', { trade_date: '20230315' })).code, 0, 'each API has its own');
      now = Date.UTC(2024, 4, 1, 16, 0); // midnight in China
      assert.equal((await ask('stock_basic')).code, 0);
    });
  });

  test('the generic 50101 for the requests named, the offset sentence past maxOffset', async () => {
    await withEmu({ badQueries: [{ start_date: '20230101' }], maxOffset: 10 }, async (ask) => {
      const bad = await ask('daily', { start_date: '20230101', end_date: '20230131' });
      assert.deepEqual([bad.code, bad.msg], [50101, '查询数据失败，请确认参数！可以反馈管理员协助您排查问题']);
      assert.equal((await ask('daily', { start_date: '20230201', end_date: '20230228' })).code, 0);
      const off = await ask('daily', { trade_date: '20230315', offset: 11 });
      assert.deepEqual([off.code, off.msg], [50101, 'offset不能大于10']);
      assert.equal(classifyAnswer(off.code, off.msg).kind, 'offset-limit');
    });
  });

  test('transient faults answer transient wordings under codes other than -1000', async () => {
    await withEmu({ faults: 'transient:1' }, async (ask) => {
      const codes = new Set<number>();
      for (let i = 0; i < 4; i++) {
        const r = await ask('daily', { trade_date: '20230315' });
        assert.equal(classifyAnswer(r.code, r.msg).kind, 'transient');
        codes.add(r.code);
      }
      assert.ok(!codes.has(-1000) && codes.size >= 3);
    });
  });

  test('per-API caps and a server that never sends has_more', async () => {
    await withEmu({ rowCaps: { adj_factor: 40 }, hasMore: false }, async (ask) => {
      const r = await ask('adj_factor', { start_date: '20230101', end_date: '20230331', limit: 6000 });
      assert.equal(r.data?.items.length, 40);
      assert.equal(r.data && 'has_more' in r.data, false);
      assert.deepEqual(r.data?.fields, ['ts_code', 'trade_date', 'adj_factor']);
    });
  });

  test('stock_basic is capped at 6000; fina_indicator needs ts_code', async () => {
    await withEmu({ symbols: 7000 }, async (ask) => {
      assert.equal((await ask('stock_basic', { limit: 10_000 })).data?.items.length, 6000);
      const r = await ask('fina_indicator', { start_date: '20200101', end_date: '20201231' });
      assert.equal(r.code, -2001);
      assert.match(r.msg, /ts_code/);
    });
  });
});
