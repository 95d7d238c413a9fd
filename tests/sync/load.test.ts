/**
 * The sync file is validated as strictly as a job file: unknown keys, unknown APIs, a per-code API
 * without its list of codes, a repeated table and a bad override inside a dataset are each refused
 * with one line naming the key, before anything runs. And what each dataset becomes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDay } from '../../src/core/dates.js';
import { isSluiceError } from '../../src/core/errors.js';
import { planRun, resolveRun } from '../../src/job/resolve.js';
import { parseSync } from '../../src/sync/load.js';
import { jobOf } from '../../src/sync/datasets.js';

const BASE = {
  name: 'mirror',
  source: { type: 'tushare', token: 'literal-token-for-tests', url: 'http://127.0.0.1:9' },
  sink: { type: 'sqlite', path: '/tmp/sluice-sync-load-never-written.db' },
  start: '20200101',
  end: '20201231',
  datasets: ['trade_cal', 'stock_basic', 'daily', { api: 'fina_indicator', lookback: 20 }],
};

function refused(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseSync(raw, {}, 'mirror.yaml'),
    (err) =>
      isSluiceError(err) && err.code === 'SLUICE_BAD_JOB' && pattern.test(err.message) && !err.message.includes('\n'),
  );
}

describe('sync file', () => {
  test('each dataset becomes a job: name, table, role, codes and catalogue facts', () => {
    const { datasets } = parseSync(BASE, {}, 'mirror.yaml');
    assert.deepEqual(
      datasets.map((d) => [d.name, d.role, d.codesFrom ?? '-']),
      [
        ['trade_cal', 'calendar', '-'],
        ['stock_basic', 'codes', '-'],
        ['daily', 'data', '-'],
        ['fina_indicator', 'data', 'stock_basic'],
      ],
    );
    const fina = jobOf(datasets[3], 'mirror.yaml', {}, ['000001.SZ', '000002.SZ']);
    assert.equal(fina.name, 'mirror.fina_indicator');
    assert.equal(fina.sink.table, 'fina_indicator');
    assert.equal(fina.source.rowCap, 100);
    assert.equal(fina.plan.lookback, 20);
    assert.deepEqual(fina.plan.each?.values, ['000001.SZ', '000002.SZ']);
    const basic = jobOf(datasets[1], 'mirror.yaml', {});
    assert.deepEqual(basic.plan.each, { param: 'list_status', values: ['L', 'D', 'P'] });
    assert.equal(basic.plan.start, '20201231', 'a list without dates is asked once, at the end');
    const cal = jobOf(datasets[0], 'mirror.yaml', {});
    assert.equal(cal.plan.strategy, 'days:366', 'the calendar in one window');
  });

  test('a dataset overrides job-level keys; its table name is its own', () => {
    const raw = {
      ...BASE,
      datasets: [
        'stock_basic',
        { api: 'daily', table: 'prices', plan: { strategy: 'month' }, execution: { concurrency: 2 } },
      ],
    };
    const { datasets } = parseSync(raw, {}, 'mirror.yaml');
    const job = jobOf(datasets[1], 'mirror.yaml', {});
    assert.equal(job.sink.table, 'prices');
    assert.equal(job.name, 'mirror.prices');
    assert.equal(job.plan.strategy, 'month');
    assert.equal(job.execution.concurrency, 2);
  });

  test('${VAR} comes from the environment; a missing one is named', () => {
    const raw = { ...BASE, source: { type: 'tushare', token: '${SYNC_TOKEN}' } };
    assert.doesNotThrow(() => parseSync(raw, { SYNC_TOKEN: 'x-token-value' }, 'mirror.yaml'));
    refused(raw, /source\.token: environment variable SYNC_TOKEN is not set/);
  });

  test('bad files are refused with one line naming the key', () => {
    refused({ ...BASE, extra: 1 }, /mirror\.yaml: unknown key extra/);
    refused({ ...BASE, sink: { type: 'jsonl', path: 'x.jsonl' } }, /sink/);
    refused({ ...BASE, datasets: [] }, /datasets/);
    refused({ ...BASE, datasets: [{ api: 'daily', colour: 'red' }] }, /unknown key datasets\[0\]\.colour/);
    refused(
      { ...BASE, datasets: ['no_such_api'] },
      /datasets\[0\] \(no_such_api\): no_such_api is not in the Tushare catalogue/,
    );
    refused({ ...BASE, datasets: ['daily', 'daily'] }, /datasets\[1\] \(daily\): the table daily is named twice/);
    refused({ ...BASE, datasets: ['fina_indicator'] }, /fina_indicator is asked per code: add stock_basic/);
    refused({ ...BASE, datasets: ['index_daily'] }, /add index_basic/);
    refused(
      { ...BASE, datasets: [{ api: 'daily', plan: { strategy: 'fortnight' } }] },
      /mirror\.yaml: datasets\[0\] \(daily\): plan\.strategy/,
    );
    refused(
      { ...BASE, datasets: [{ api: 'daily', execution: { retry: 3 } }] },
      /datasets\[0\] \(daily\): unknown key execution\.retry/,
    );
    refused({ ...BASE, start: '20210101' }, /start 20210101 is after end/);
  });
});

describe('listed lives', () => {
  test('a value is planned only over its own days, and over all of them (in the range)', async () => {
    const { datasets } = parseSync(BASE, {}, 'mirror.yaml');
    const codes = ['A', 'B', 'C', 'D', 'E'];
    const day = fc.integer({ min: parseDay('20190101'), max: parseDay('20220101') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(day, day), { minLength: codes.length, maxLength: codes.length }),
        async (spans) => {
          const ranges = Object.fromEntries(
            spans.map(([a, b], i) => [codes[i], { start: fmt(Math.min(a, b)), end: fmt(Math.max(a, b)) }]),
          );
          const job = jobOf(datasets[2], 'mirror.yaml', {});
          // a fixed strategy, so the batches are known before the run (auto plans them online, from the same days)
          const each = { ...job, plan: { ...job.plan, strategy: 'month', each: { param: 'ts_code', values: codes } } };
          const { plan } = await planRun(resolveRun(each, { eachRanges: ranges }), { full: true });
          const lo = parseDay('20200101');
          const hi = parseDay('20201231');
          for (const [i, code] of codes.entries()) {
            const life = {
              start: Math.max(lo, parseDay(ranges[code].start)),
              end: Math.min(hi, parseDay(ranges[code].end)),
            };
            const days = plan.batches
              .filter((b) => b.params.ts_code === code)
              .map((b) => [parseDay(b.window!.start), parseDay(b.window!.end)] as const)
              .sort((x, y) => x[0] - y[0]);
            if (life.start > life.end) {
              assert.equal(days.length, 0, `${code} has no day in the range`);
              continue;
            }
            assert.ok(days.length > 0, `${code} ${i}`);
            assert.equal(days[0][0], life.start);
            assert.equal(days[days.length - 1][1], life.end);
            for (let k = 1; k < days.length; k++) assert.equal(days[k][0], days[k - 1][1] + 1, 'windows tile the life');
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

test('with the default plan (auto), each code streams over its listed life only', async () => {
  const { datasets } = parseSync(BASE, {}, 'mirror.yaml');
  const job = jobOf(datasets[3], 'mirror.yaml', {}, ['A', 'B', 'C']);
  const ranges = {
    A: { start: '20150101', end: '29991231' }, // listed before the range: the whole range
    B: { start: '20200601', end: '20200915' }, // listed and delisted inside it
    C: { start: '20230101', end: '29991231' }, // listed after it: nothing
  };
  const { plan } = await planRun(resolveRun(job, { eachRanges: ranges }), { full: true });
  assert.ok(plan.online, 'auto plans online');
  const streams = Object.fromEntries(plan.online.streams.map((s) => [s.value, s.ranges]));
  assert.deepEqual(streams.A, [{ start: parseDay('20200101'), end: parseDay('20201231') }]);
  assert.deepEqual(streams.B, [{ start: parseDay('20200601'), end: parseDay('20200915') }]);
  assert.deepEqual(streams.C, []);
});

function fmt(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}
