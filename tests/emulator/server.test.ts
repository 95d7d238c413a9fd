import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSluiceError, type SluiceError } from '../../src/core/errors.js';
import type { Page } from '../../src/core/types.js';
import { checksum, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { createTushareSource, type TushareSourceOptions } from '../../src/sources/index.js';
import { batchOf, collect, simpleCall, type SimpleCallOptions } from '../helpers/simple-call.js';

const Q1 = { start_date: '20230101', end_date: '20230331' };

async function withEmulator(opts: EmulatorOptions, fn: (emu: Emulator) => Promise<void>): Promise<void> {
  const emu = await startEmulator({ latencyMs: 0, ...opts });
  try {
    await fn(emu);
  } finally {
    await emu.close();
  }
}

function source(emu: Emulator, over: Partial<TushareSourceOptions> = {}) {
  return createTushareSource({ url: emu.url, token: emu.token, api: 'daily', ...over });
}

async function pull(
  emu: Emulator,
  params: Record<string, unknown>,
  over: Partial<TushareSourceOptions> = {},
  call: SimpleCallOptions = {},
): Promise<Page[]> {
  return collect(source(emu, over), batchOf(params), simpleCall(call));
}

async function failure(p: Promise<unknown>): Promise<SluiceError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isSluiceError(err), String(err));
    return err;
  }
  assert.fail('expected a failure');
}

describe('the Tushare source against the live emulator', () => {
  test('a quarter of daily rows lands exactly the generator rows, page by page', async () => {
    await withEmulator({ seed: 4 }, async (emu) => {
      const pages = await pull(emu, Q1, { rowCap: 700 });
      const got = pages.flatMap((p) => p.items);
      const want = [...emu.dataset.rows('daily', Q1)];
      assert.ok(want.length > 2000);
      assert.deepEqual(got, want);
      assert.deepEqual(checksum(got), checksum(want));
      assert.equal(pages.length, Math.ceil(want.length / 700));
      const s = emu.stats();
      assert.equal(s.calls, Math.floor(want.length / 700) + 1);
      assert.equal(s.byApi.daily, s.calls);
      assert.equal(s.rows, want.length);
    });
  });

  test('fields are respected and /dataapi is accepted', async () => {
    await withEmulator({}, async (emu) => {
      const pages = await pull(
        emu,
        { trade_date: '20230315' },
        { url: `${emu.url}/dataapi`, fields: ['trade_date', 'ts_code', 'vol'] },
      );
      assert.deepEqual(pages[0].fields, ['trade_date', 'ts_code', 'vol']);
      assert.ok(pages[0].items.length > 40 && pages[0].items.every((r) => r[0] === '20230315' && r.length === 3));
      const bad = await failure(pull(emu, Q1, { fields: ['close', 'nope'] }));
      assert.equal(bad.code, 'SLUICE_BAD_PARAM');
      assert.match(bad.message, /nope/);
    });
  });

  test('a wrong token is a fatal auth error that does not contain the token; messages are ASCII-escaped on the wire', async () => {
    await withEmulator({ token: 'the-right-token-1234' }, async (emu) => {
      const wrong = 'wrong-token-SECRET-98765';
      const err = await failure(pull(emu, Q1, { token: wrong }));
      assert.equal(err.code, 'SLUICE_AUTH');
      assert.ok(!err.message.includes(wrong) && !err.message.includes('the-right-token-1234'));
      const res = await fetch(emu.url, {
        method: 'POST',
        body: JSON.stringify({ api_name: 'daily', token: 'x', params: {} }),
      });
      const text = await res.text();
      assert.equal(res.status, 200);
      assert.match(text, /"code":40101/);
      assert.match(text, /\\u/);
      assert.doesNotMatch(text, /[\u0080-\uffff]/);
      assert.equal((await fetch(emu.url)).status, 405);
    });
  });

  test('a denied API answers 40203 without a quota: a permission error', async () => {
    await withEmulator({ deniedApis: ['fina_indicator'] }, async (emu) => {
      const err = await failure(pull(emu, {}, { api: 'fina_indicator', rowCap: 100 }));
      assert.equal(err.code, 'SLUICE_PERMISSION');
      assert.equal(emu.stats().rejectedRate, 0);
      const daily = await pull(emu, { trade_date: '20230315' });
      assert.ok(daily[0].items.length > 0, 'other APIs still answer');
      assert.equal(emu.stats().byCode['40203'], 1);
    });
  });

  test('rate-limit refusals carry the quota and are counted', async () => {
    await withEmulator({ rate: { calls: 3, intervalMs: 60_000, window: 'fixed' }, now: () => 120_000 }, async (emu) => {
      // stock_basic: a documented cap, so one call per pull (no check of the short page)
      const basic = { api: 'stock_basic' };
      for (let i = 0; i < 3; i++) await pull(emu, {}, basic);
      const err = await failure(pull(emu, {}, basic));
      assert.equal(err.code, 'SLUICE_RATE_LIMITED');
      assert.deepEqual(err.context.quota, { calls: 3, intervalMs: 60_000 });
      await failure(pull(emu, {}, basic));
      // Each API has its own quota.
      await pull(emu, { trade_date: '20230315' });
      const s = emu.stats();
      assert.equal(s.rejectedRate, 2);
      assert.equal(s.byCode['40203'], 2);
      assert.equal(s.byApi.stock_basic, 5);
    });
  });

  test('the offset limit answers 50101 (overflow); the source refuses to ask beyond its own limit', async () => {
    await withEmulator({ maxOffset: 500 }, async (emu) => {
      const err = await failure(pull(emu, Q1, { rowCap: 200 }));
      assert.equal(err.code, 'SLUICE_OVERFLOW');
      assert.equal(emu.stats().byCode['50101'], 1);
      const early = await failure(pull(emu, Q1, { rowCap: 200, maxOffset: 500 }));
      assert.equal(early.code, 'SLUICE_OVERFLOW');
      assert.equal(emu.stats().byCode['50101'], 1, 'no call was made past the limit');
    });
  });

  test('with every kind of fault injected, retries still land the exact rows', async () => {
    await withEmulator({ seed: 21, faults: 'all:0.25' }, async (emu) => {
      const pages = await pull(emu, Q1, { rowCap: 250 }, { retries: 40, timeoutMs: 1000, maxWaitMs: 5 });
      const got = pages.flatMap((p) => p.items);
      assert.deepEqual(checksum(got), checksum(emu.dataset.rows('daily', Q1)));
      const s = emu.stats();
      const faults = Object.values(s.faults).reduce((a, b) => a + b, 0);
      assert.ok(faults > 0, JSON.stringify(s.faults));
      // A call slower than the timeout on a loaded machine is retried too, so this is a lower bound.
      assert.ok(s.calls >= faults + Math.floor(got.length / 250) + 1);
    });
  });

  test('faults follow the seed: the same number of requests gets the same faults', async () => {
    const run = async () => {
      let stats: ReturnType<Emulator['stats']> | undefined;
      await withEmulator({ seed: 99, faults: '5xx:0.1,reset:0.1,malformed:0.1,internal:0.1' }, async (emu) => {
        const outcomes: string[] = [];
        const one = async () => {
          try {
            await pull(emu, { trade_date: '20230315' });
            outcomes.push('ok');
          } catch (err) {
            outcomes.push(isSluiceError(err) ? err.code : 'other');
          }
        };
        for (let i = 0; i < 12; i++) await Promise.all(Array.from({ length: 10 }, one));
        stats = emu.stats();
        const failed = outcomes.filter((o) => o !== 'ok');
        assert.ok(
          failed.every((o) => o === 'SLUICE_RETRYABLE'),
          failed.join(','),
        );
        assert.equal(
          failed.length,
          Object.values(stats.faults).reduce((a, b) => a + b, 0),
        );
      });
      return stats!;
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a.faults, b.faults);
    const { hang, transient, badquery, ...others } = a.faults;
    assert.deepEqual([hang, transient, badquery], [0, 0, 0]);
    assert.ok(
      Object.values(others).every((n) => n > 0),
      JSON.stringify(a.faults),
    );
  });

  test('concurrent requests are counted, and close() ends hung requests', async () => {
    await withEmulator({ latencyMs: 150, faults: 'hang:1' }, async (emu) => {
      const hung = Array.from({ length: 6 }, () =>
        fetch(emu.url, {
          method: 'POST',
          body: JSON.stringify({ api_name: 'daily', token: emu.token, params: {} }),
        }).then(
          () => 'answered',
          () => 'dropped',
        ),
      );
      while (emu.stats().calls < 6) await new Promise((r) => setTimeout(r, 10));
      assert.equal(emu.stats().maxConcurrent, 6);
      assert.equal(emu.stats().faults.hang, 6);
      await emu.close();
      assert.deepEqual(await Promise.all(hung), Array(6).fill('dropped'));
    });
  });
});
