import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatDay, parseDay, today } from '../../src/core/dates.js';
import { SluiceError } from '../../src/core/errors.js';
import { batchKey, planJob, splitBatch, windowKey } from '../../src/plan/index.js';
import { rangeArb } from '../helpers/tiling.js';

const usage = (fn: () => unknown, prefix: string, code = 'SLUICE_USAGE') =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof SluiceError && e.code === code && e.message.startsWith(prefix),
    prefix,
  );

describe('planJob', () => {
  test('batches carry date params in the input format, fixed params and stable keys', () => {
    const plan = planJob({
      start: '2023-01-15',
      end: '2023-03-10',
      strategy: 'month',
      params: { fields: 'ts_code,close', start_date: 'ignored' },
    });
    assert.equal(plan.start, '2023-01-15');
    assert.deepEqual(plan.windows[0], { start: '2023-01-15', end: '2023-01-31' });
    assert.deepEqual(
      plan.batches.map((b) => b.key),
      ['20230115-20230131', '20230201-20230228', '20230301-20230310'],
    );
    assert.deepEqual(plan.batches[0].params, {
      fields: 'ts_code,close',
      start_date: '2023-01-15',
      end_date: '2023-01-31',
    });
    assert.deepEqual(plan.batches[2].window, { start: '2023-03-01', end: '2023-03-10' });
  });

  test('custom date param names and a cross product with duplicate values dropped', () => {
    const plan = planJob({
      start: '20240101',
      end: '20240229',
      strategy: 'month',
      dateParams: { start: 'from', end: 'to' },
      each: { param: 'ts_code', values: ['000001.SZ', '600000.SH', '000001.SZ'] },
    });
    assert.equal(plan.batches.length, 4);
    assert.deepEqual(
      plan.batches.map((b) => b.key),
      [
        '20240101-20240131|ts_code=000001.SZ',
        '20240101-20240131|ts_code=600000.SH',
        '20240201-20240229|ts_code=000001.SZ',
        '20240201-20240229|ts_code=600000.SH',
      ],
    );
    assert.deepEqual(plan.batches[1].params, { from: '20240101', to: '20240131', ts_code: '600000.SH' });
    assert.equal(
      plan.batches[0].key,
      batchKey({ start: parseDay('20240101'), end: parseDay('20240131') }, { param: 'ts_code', value: '000001.SZ' }),
    );
  });

  test('keys are unique within a plan and identical across runs; every day is covered once per value', () => {
    const strategies = ['smart', 'guide', 'week', 'month', 'quarter', 'half', 'year', 'days:9'];
    fc.assert(
      fc.property(
        rangeArb(4000),
        fc.constantFrom(...strategies),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 6 }),
        fc.boolean(),
        (range, strategy, values, dashed) => {
          const fmt = dashed ? 'dashed' : 'compact';
          const spec = {
            start: formatDay(range.start, fmt),
            end: formatDay(range.end, fmt),
            strategy,
            each: values.length ? { param: 'v', values } : undefined,
          };
          const a = planJob(spec);
          const b = planJob(spec);
          assert.deepEqual(
            a.batches.map((x) => x.key),
            b.batches.map((x) => x.key),
          );
          assert.equal(new Set(a.batches.map((x) => x.key)).size, a.batches.length);
          const perValue = new Map<string, number>();
          for (const batch of a.batches) {
            const v = String(batch.params.v ?? '');
            const days = parseDay(String(batch.params.end_date)) - parseDay(String(batch.params.start_date)) + 1;
            perValue.set(v, (perValue.get(v) ?? 0) + days);
          }
          for (const total of perValue.values()) assert.equal(total, range.end - range.start + 1);
        },
      ),
      { numRuns: 150 },
    );
  });

  test("end may be 'today'", () => {
    const plan = planJob({ start: '2020-01-01', end: 'today', strategy: 'year' });
    assert.equal(plan.end, formatDay(today(), 'dashed'));
  });

  test('bad input is refused naming the option', () => {
    usage(() => planJob({ start: '20240101', end: '20240131', strategy: 'fortnight' }), 'strategy: ');
    usage(() => planJob({ start: '20240101', end: '20240131', strategy: 'days:0' }), 'strategy: ');
    usage(() => planJob({ start: '20240101', end: '20240131', frequency: 'weekly' as 'daily' }), 'frequency: ');
    usage(() => planJob({ start: '20240101', end: '20240131', rowCap: 0 }), 'rowCap: ');
    usage(() => planJob({ start: '20240101', end: '20240131', rowCap: 10, maxOffset: -1 }), 'maxOffset: ');
    usage(() => planJob({ start: '20240101', end: '20240131', rowCap: 1.5 }), 'rowCap: ');
    usage(() => planJob({ start: '20240101', end: '20240131', maxOffset: 100000 }), 'maxOffset: needs rowCap');
    usage(() => planJob({ start: '20240101', end: '20240131', strategy: 'rows' }), 'strategy rows: ');
    usage(() => planJob({ start: '20240101', end: '20240131', each: { param: '', values: ['a'] } }), 'each.param: ');
    usage(() => planJob({ start: '20240230', end: '20240331' }), 'start: ', 'SLUICE_BAD_DATE');
    usage(() => planJob({ start: '20240301', end: '20240201' }), 'start ', 'SLUICE_BAD_DATE');
  });
});

describe('splitBatch', () => {
  const spec = {
    start: '2024-01-01',
    end: '2024-01-31',
    strategy: 'month',
    each: { param: 'ts_code', values: ['X'] },
    params: { fields: 'a,b' },
  } as const;

  test('halves the window, keeps other params and keys the halves like planned batches', () => {
    const [batch] = planJob(spec).batches;
    const halves = splitBatch(batch, spec);
    assert.ok(halves);
    const [left, right] = halves;
    assert.deepEqual(left.window, { start: '2024-01-01', end: '2024-01-16' });
    assert.deepEqual(right.window, { start: '2024-01-17', end: '2024-01-31' });
    assert.deepEqual(right.params, { fields: 'a,b', start_date: '2024-01-17', end_date: '2024-01-31', ts_code: 'X' });
    assert.equal(left.key, '20240101-20240116|ts_code=X');
    assert.equal(
      right.key,
      batchKey({ start: parseDay('20240117'), end: parseDay('20240131') }, { param: 'ts_code', value: 'X' }),
    );
    const again = splitBatch(batch, spec);
    assert.deepEqual(
      again?.map((b) => b.key),
      halves.map((b) => b.key),
    );
  });

  test('repeated splitting ends at one-day windows that cover the parent exactly once', () => {
    const [batch] = planJob({ start: '20240101', end: '20240111', strategy: 'month' }).batches;
    const leaves: string[] = [];
    const walk = (b: typeof batch): void => {
      const parts = splitBatch(b);
      if (!parts) leaves.push(b.key);
      else parts.forEach(walk);
    };
    walk(batch);
    const expected = Array.from({ length: 11 }, (_, i) =>
      windowKey({ start: parseDay('20240101') + i, end: parseDay('20240101') + i }),
    );
    assert.deepEqual(leaves, expected);
  });

  test('works from params when the batch has no window, and refuses batches without dates', () => {
    const halves = splitBatch(
      { key: 'k', params: { from: '20240101', to: '20240102' } },
      { dateParams: { start: 'from', end: 'to' } },
    );
    assert.deepEqual(
      halves?.map((b) => b.params),
      [
        { from: '20240101', to: '20240101' },
        { from: '20240102', to: '20240102' },
      ],
    );
    assert.equal(splitBatch({ key: 'k', params: { ts_code: 'X' } }), undefined);
    assert.equal(splitBatch({ key: 'k', params: {}, window: { start: '20240101', end: '20240101' } }), undefined);
  });
});
